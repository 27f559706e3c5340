"""The plain text of a mail body, whatever form it arrives in (pure).

Reply extraction is handed a plain-text body, an HTML body or a whole raw
RFC 822 message as a string. This module turns each into plain text: HTML
through ``html_to_text`` with the client quote containers dropped, a raw
message through the standard ``email`` parser (text/plain preferred, the
HTML part when there is no usable plain one). A body whose
quoted-printable transfer encoding was never decoded is repaired.
"""

from __future__ import annotations

import email
import quopri
import re
from email.message import Message

from watcher.replytext.htmltext import html_to_text

__all__ = ["plain_body"]

_TECHNICAL_HEADERS = frozenset(
    "content-type mime-version message-id received return-path delivered-to x-mailer "
    "dkim-signature in-reply-to references user-agent content-transfer-encoding "
    "x-originating-ip authentication-results".split()
)
_HEADER_LINE_RE = re.compile(r"^([!-9;-~]+):")
_HTML_START_RE = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?<(?:!doctype|html|head|body|div|p|span|table|meta|style|font|br"
    r"|blockquote|center|pre|b|i|a|o:p|!--)[\s>/]",
    re.I,
)
_HTML_TAG_RE = re.compile(
    r"</?(?:div|p|br|span|table|td|tr|html|body|blockquote|font)\b[^>]*>", re.I
)
_QP_SOFT_BREAK_RE = re.compile(r"[^\s=]=\n")
_QP_ESCAPE_RE = re.compile(r"=(?:[89A-F][0-9A-F]|3D|20)")


def plain_body(text: str) -> str:
    """Return the plain text of a body, an HTML body or a raw RFC 822 message.

    HTML is converted with its quote containers dropped; a raw message gives
    its text/plain part, or its HTML part when there is no usable plain one.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _looks_like_message(text):
        text = _message_body(text)
    elif _looks_like_html(text):
        text = html_to_text(text, drop_quotes=True)
    if _looks_like_quoted_printable(text):
        text = quopri.decodestring(text.encode("utf-8")).decode("utf-8", "replace")
    return text


def _looks_like_message(text: str) -> bool:
    if not (_HEADER_LINE_RE.match(text) or text.startswith("From ")):
        return False
    end = text.find("\n\n", 0, 16000)
    lines = text[: end if end >= 0 else 16000].split("\n")
    if len(lines) < 2:
        return False
    names = set()
    for n, line in enumerate(lines):
        if n == 0 and line.startswith("From "):  # mbox separator line
            continue
        if line[:1] in (" ", "\t"):
            continue
        m = _HEADER_LINE_RE.match(line)
        if not m:
            return False
        names.add(m.group(1).lower())
    return bool(names & _TECHNICAL_HEADERS) and len(names) >= 2


def _looks_like_html(text: str) -> bool:
    if _HTML_START_RE.match(text):
        return True
    head = text[:5000]
    if head.count("<") < 3:
        return False
    found = 0
    for _ in _HTML_TAG_RE.finditer(head):
        found += 1
        if found >= 3:
            return True
    return False


def _looks_like_quoted_printable(text: str) -> bool:
    # A body whose transfer encoding was never decoded ("w=\nrote:", "=E2=80=AF").
    if "=\n" not in text:
        return False
    return len(_QP_SOFT_BREAK_RE.findall(text)) >= 2 and _QP_ESCAPE_RE.search(text) is not None


def _message_body(raw: str) -> str:
    # compat32 parsing is several times faster than email.policy.default, and
    # only the text parts are needed here; they are decoded by hand below.
    msg = email.message_from_string(raw)
    plain = html = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if str(part.get("Content-Disposition", "")).lower().startswith("attachment"):
            continue
        subtype = part.get_content_subtype()
        if subtype == "plain" and plain is None:
            plain = part
        elif subtype == "html" and html is None:
            html = part
    if plain is not None:
        content = _part_text(plain)
        if content.strip() or html is None:
            return content
    if html is not None:
        return html_to_text(_part_text(html), drop_quotes=True)
    return ""


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    for candidate in (charset, "utf-8"):
        try:
            return payload.decode(candidate).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace").replace("\r\n", "\n")
