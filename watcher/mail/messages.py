"""Raw RFC 5322 bytes to an immutable message record (pure: no I/O, no clock).

INTERFACE CONTRACT (used by sync, storage, classifier, conversations): keep these names.

`parse_message` never raises: every header and part is read tolerantly (missing angle brackets,
undecodable encoded-words, raw 8-bit headers, lying charsets, broken base64, wrong or missing
MIME boundaries), and if something unforeseen still breaks, a minimal record is returned and
the failure logged. It deliberately does not keep attachments or nested forwarded messages.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

from watcher.mail.autosignals import AutoSignals, detect_signals
from watcher.mail.charsets import decode_bytes
from watcher.mail.headers import (
    Address,
    aware,
    decode_header_text,
    parse_addresses,
    parse_date,
    parse_ids,
    received_date,
)
from watcher.mail.mimeparts import Part
from watcher.mail.mimeparts import parse as parse_mime
from watcher.replytext.htmltext import html_to_text

__all__ = [
    "EPOCH",
    "Message",
    "ThreadingHeaders",
    "content_key",
    "fingerprint",
    "normalize_subject",
    "parse_message",
    "threading_headers",
]

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Text parts larger than this are cut: replies are short, and html_to_text over a 20 MB
# generated report would cost seconds for nothing the classifier reads.
MAX_TEXT_PART_BYTES = 2_000_000


@dataclass(frozen=True)
class Message:
    """One parsed message."""

    message_id: str  # with angle brackets, as in the header ("<abc@host>")
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: Address | None  # From
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime  # timezone-aware
    subject: str
    normalized_subject: str  # lower-cased, reply/forward prefixes removed
    body_text: str  # text/plain preferred; HTML converted when there is no plain part
    body_html: str | None = None  # the HTML part, when the message has one
    signals: AutoSignals = field(default_factory=AutoSignals)
    # The state file's own id for this message (0 before it is stored). The Message-ID is for
    # threading only: clients and ATS systems reuse it for different messages.
    ref: int = 0

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc

    @property
    def key(self) -> int | str:
        """What labels and texts are keyed by: the state's id once stored, else the Message-ID."""
        return self.ref or self.message_id


@dataclass(frozen=True)
class ThreadingHeaders:
    """What a message's headers say about whom it is from and what it answers."""

    sender: str  # the From address, lower-cased ("" when there is none)
    chain: frozenset[str]  # the Message-IDs in In-Reply-To and References


def threading_headers(raw: bytes) -> ThreadingHeaders:
    """The threading headers of a header block, about three times cheaper than parse_message
    (no dates, bodies or automatic-mail signals): for matching thousands of fetched headers."""
    try:
        headers = parse_mime(_as_bytes(raw)).headers
        senders = parse_addresses(headers.get("from", []))
        chain = set(parse_ids(" ".join(headers.get("references", ()))))
        chain.update(parse_ids(_first(headers, "in-reply-to")))
    except Exception:  # the contract is "never raises", as parse_message's
        log.warning("could not read a %d-byte header block", len(raw), exc_info=True)
        return ThreadingHeaders("", frozenset())
    return ThreadingHeaders(senders[0].email.lower() if senders else "", frozenset(chain))


def content_key(m: Message) -> str:
    """What makes two copies one message: the same id, date, sender, subject and text.

    A message copied to a second folder (a Gmail label, a server rule, a move) keeps all five;
    a second message under a reused Message-ID differs in at least its date or text.
    """
    sender = m.sender.email if m.sender else ""
    return fingerprint(m.message_id, m.date.isoformat(), sender, m.subject, m.body_text)


def fingerprint(message_id: str, date_iso: str, sender: str, subject: str, body: str) -> str:
    """``content_key`` from its five parts (the state file's migration has only columns)."""
    parts = (message_id, date_iso, sender, subject, body)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


# ---------------------------------------------------------------- subjects

# Reply and forward prefixes as mail clients write them in their UI language: English,
# German (AW, WG), Nordic (SV, VS, VB, VL, FS), Dutch (Antw, Doorst), French (Réf, TR, RE),
# Spanish/Portuguese (RV, Enc, Res, Resp), Italian (R, Rif, I), Polish (Odp, PD), Hungarian
# (Vá, Továbbítás), Turkish (YNT, İLT), Greek, Russian, Hebrew, Arabic, Chinese, Japanese, Korean.
_PREFIX_WORDS = (
    "re|aw|antw|antwort|sv|svar|vs|vb|vl|fs|r|rif|ref|réf|rép|odp|pd|vá|továbbítás|ynt|ilt|i̇lt"
    "|res|resp|rv|enc|tr|trs|fwd|fw|wg|doorst|i|atb|ats|pārs|pers|sk|ext|external"
    "|απ|σχετ|πρθ|отв|ответ|пересл|השב|הועבר|رد|回复|回覆|答复|转发|轉寄|轉發|返信|転送|회신|전달"
)
# Matched on lower-cased text: with IGNORECASE this alternation cost four times as much.
_PREFIX_RE = re.compile(
    r"^(?:\s*(?:(?:" + _PREFIX_WORDS + r")\.?\s*(?:\[\d+\]|\(\d+\)|\^\d+|\*\d+|\d+)?\s*[:：]"
    r"|\[[^\[\]]{0,60}\]|\*{1,3}[a-z ]{2,20}\*{1,3}))+"
)
_SUFFIX_RE = re.compile(r"\s*\((?:fwd|fw|forw)\)\s*$")


def normalize_subject(subject: str) -> str:
    """Lower-cased subject without reply and forward prefixes, whitespace folded."""
    text = unicodedata.normalize("NFC", subject or "").lower()
    text = _SUFFIX_RE.sub("", _PREFIX_RE.sub("", text))
    return " ".join(text.split())


# ---------------------------------------------------------------- bodies


def _part_text(part: Part) -> str:
    data = part.payload()[:MAX_TEXT_PART_BYTES]
    text = decode_bytes(data, part.params.get("charset"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if part.params.get("format", "").lower() == "flowed":
        text = _unflow(text, part.params.get("delsp", "").lower() == "yes")
    return text


def _unflow(text: str, delsp: bool) -> str:
    """Join RFC 3676 format=flowed soft line breaks, keeping quote depth apart."""
    out: list[str] = []
    carry: str | None = None
    carry_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space stuffing
        if carry is not None and depth == carry_depth:
            content = carry + content
        elif carry is not None:
            out.append(">" * carry_depth + (" " if carry_depth else "") + carry)
        carry = None
        if content.endswith(" ") and content != "-- ":
            carry, carry_depth = (content[:-1] if delsp else content), depth
            continue
        out.append(">" * depth + (" " if depth else "") + content)
    if carry is not None:
        out.append(">" * carry_depth + (" " if carry_depth else "") + carry)
    return "\n".join(out)


def _body_parts(root: Part) -> tuple[list[Part], list[Part]]:
    """The inline text/plain and text/html parts, in order, outside forwarded messages."""
    plain: list[Part] = []
    html: list[Part] = []
    for part in root.walk():
        # message/rfc822 parts are leaves here: a forwarded message is not this one's body.
        if part.children:
            continue
        if part.maintype == "multipart":
            if part.body:
                plain.append(part)  # no parts could be found: its raw text is the best body
            continue
        if part.maintype != "text" or part.is_attachment:
            continue
        if part.subtype == "plain":
            plain.append(part)
        elif part.subtype == "html":
            html.append(part)
    return plain, html


def _bodies(root: Part) -> tuple[str, str | None]:
    plain_parts, html_parts = _body_parts(root)
    texts = [t for t in (_part_text(p) for p in plain_parts) if t.strip()]
    plain = texts[0] if len(texts) == 1 else "\n\n".join(t.strip("\n") for t in texts)
    body_html = _part_text(html_parts[0]) if html_parts else None
    if plain.strip() or not body_html:
        return plain, body_html
    return html_to_text(body_html), body_html


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return values[0] if values else ""


_CONTENT_HEADERS = ("from", "to", "cc", "date", "subject")


def _stable_id(raw: bytes, headers: dict[str, list[str]] | None) -> str:
    """A message-id for a message without one: the same content always gets the same id.

    Hashes the From/To/Cc/Date/Subject values and the body, not the trace headers, so the
    copy in Sent and the copy in another folder agree.
    """
    digest = hashlib.sha256()
    if headers is not None:
        for name in _CONTENT_HEADERS:
            for value in headers.get(name, ()):
                digest.update(value.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        split = raw.find(b"\n\n")
        split_crlf = raw.find(b"\r\n\r\n")
        cut = min((s for s in (split, split_crlf) if s >= 0), default=len(raw))
        digest.update(raw[cut:])
    else:
        digest.update(raw)
    return f"<{digest.hexdigest()[:32]}@feedback-watcher.invalid>"


def _as_bytes(raw: object) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, (bytearray, memoryview)):
        return bytes(raw)
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _parse(raw: bytes, internaldate: datetime | None) -> Message:
    root = parse_mime(raw)
    headers = root.headers
    body_text, body_html = _bodies(root)
    ids = parse_ids(_first(headers, "message-id"))
    in_reply_to = parse_ids(_first(headers, "in-reply-to"), prefer_last=True)
    references = parse_ids(" ".join(headers.get("references", ())))
    when = (
        parse_date(_first(headers, "date"))
        or (aware(internaldate) if isinstance(internaldate, datetime) else None)
        or received_date(headers.get("received", []))
        or EPOCH
    )
    subject = decode_header_text(_first(headers, "subject"))
    senders = parse_addresses(headers.get("from", []))
    sender = senders[0] if senders else None
    signals = detect_signals(
        root,
        subject=subject,
        sender_email=sender.email if sender else "",
        sender_name=sender.name if sender else "",
        body_text=body_text,
        sent=when,
    )
    return Message(
        message_id=ids[0] if ids else _stable_id(raw, headers),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=references,
        sender=sender,
        to=parse_addresses(headers.get("to", [])),
        cc=parse_addresses(headers.get("cc", [])),
        reply_to=parse_addresses(headers.get("reply-to", [])),
        date=when,
        subject=subject,
        normalized_subject=normalize_subject(subject),
        body_text=body_text,
        body_html=body_html,
        signals=signals,
    )


def _minimal(raw: bytes, internaldate: datetime | None) -> Message:
    when = aware(internaldate) if isinstance(internaldate, datetime) else EPOCH
    return Message(
        message_id=_stable_id(raw, None),
        in_reply_to=None,
        references=(),
        sender=None,
        to=(),
        cc=(),
        reply_to=(),
        date=when,
        subject="",
        normalized_subject="",
        body_text=decode_bytes(raw[:MAX_TEXT_PART_BYTES]),
    )


def parse_message(raw: bytes, internaldate: datetime | None = None) -> Message:
    """Parse raw message bytes; never raises on malformed input.

    The date falls back from the Date header to `internaldate` (the server's arrival time),
    then to the newest Received header, then to the Unix epoch.
    """
    data = _as_bytes(raw)
    try:
        return _parse(data, internaldate)
    except Exception:  # the contract is "never raises": one bad message must not stop a sync
        log.warning(
            "could not parse a %d-byte message; keeping a minimal record", len(data), exc_info=True
        )
        return _minimal(data, internaldate)
