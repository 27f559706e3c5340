"""The plain text of a mail body, whatever form it arrives in (pure).

Reply extraction is handed a plain-text body, an HTML body or a whole raw
RFC 822 message as a string. This module turns each into plain text: HTML
through ``html_to_text`` with the client quote containers dropped, a raw
message through ``watcher.mail.messages.parse_message``, the one MIME parser
(text/plain preferred, the HTML part when there is no usable plain one). A body
whose quoted-printable transfer encoding was never decoded is repaired.
"""

from __future__ import annotations

import quopri
import re

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
    # Imported here, not at the top: watcher.mail.messages imports watcher.replytext.htmltext,
    # and importing that runs this package's __init__, which imports this module.
    from watcher.mail.messages import parse_message

    # surrogateescape: undecodable bytes a caller kept as lone surrogates go back as the bytes.
    msg = parse_message(raw.encode("utf-8", "surrogateescape"))
    if msg.body_html is None:
        return msg.body_text
    converted = html_to_text(msg.body_html)
    if msg.body_text != converted:
        return msg.body_text  # the plain part
    # parse_message fell back to the HTML part (or the plain part is that same text); this
    # caller wants the client's quote containers dropped as well.
    return html_to_text(msg.body_html, drop_quotes=True)
