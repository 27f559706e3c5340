"""Raw RFC 5322 bytes to an immutable message record (pure: no I/O, no clock).

INTERFACE CONTRACT (used by sync, storage, classifier, conversations): keep these names.

`parse_message` never raises: every header and part is read tolerantly (missing angle brackets,
undecodable encoded-words, raw 8-bit headers, lying charsets, broken base64, wrong or missing
MIME boundaries), and if something unforeseen still breaks, a minimal record is returned and
the failure logged. It deliberately does not keep attachments or nested forwarded messages.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_tz

from watcher.autosignals import AutoSignals, detect_signals
from watcher.charsets import decode_bytes
from watcher.htmltext import html_to_text
from watcher.mimeparts import Part, b64_decode
from watcher.mimeparts import parse as parse_mime

__all__ = ["Address", "AutoSignals", "Message", "normalize_subject", "parse_message"]

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Text parts larger than this are cut: replies are short, and html_to_text over a 20 MB
# generated report would cost seconds for nothing the classifier reads.
MAX_TEXT_PART_BYTES = 2_000_000


@dataclass(frozen=True)
class Address:
    """A mailbox: lower-cased address and decoded display name."""

    email: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


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

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc


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


# ---------------------------------------------------------------- header text

_ENCODED_WORD_RE = re.compile(r"=\?([^?\s]*)\?([bBqQ])\?([^?]*)\?=")


def _unfold(value: str) -> str:
    return value.replace("\r", "").replace("\n", "")


def _from_8bit(value: str) -> str:
    """Recover raw 8-bit header bytes (held as surrogates by the parser) as text."""
    if value.isascii():
        return value
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value
    return decode_bytes(data, None)


def _decode_word(encoding: str, text: str) -> bytes | None:
    raw = text.encode("utf-8", "surrogateescape")
    if encoding in "qQ":
        return binascii.a2b_qp(raw, header=True)
    try:
        return b64_decode(raw)
    except binascii.Error:
        return None


# Subjects and senders recur through threads and mailboxes; decoding is a pure function.
@functools.lru_cache(maxsize=4096)
def decode_header_text(value: str | None) -> str:
    """Header value to text: 8-bit bytes recovered, RFC 2047 words decoded, whitespace folded.

    Tolerates what strict decoders reject: encoded-words glued to other text or inside quotes,
    spaces inside words, missing base64 padding, unknown charsets, and multi-byte characters
    split across adjacent words (their bytes are joined before decoding).
    """
    if not value:
        return ""
    text = _from_8bit(_unfold(value))
    if "=?" not in text:
        return " ".join(text.split())
    pieces: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            pieces.append(decode_bytes(bytes(pending), pending_charset))
            pending.clear()
            pending_charset = None

    pos = 0
    for m in _ENCODED_WORD_RE.finditer(text):
        decoded = _decode_word(m.group(2), m.group(3))
        if decoded is None:
            continue  # not decodable: it stays in the text as written
        between = text[pos : m.start()]
        pos = m.end()
        # RFC 2047 6.2: whitespace between two encoded-words is not part of the text.
        if between and not (between.isspace() and pending_charset is not None):
            flush()
            pieces.append(between)
        charset = m.group(1).partition("*")[0]  # RFC 2231 language suffix
        if pending_charset is not None and charset.lower() != pending_charset.lower():
            flush()
        pending_charset = charset
        pending += decoded
    flush()
    pieces.append(text[pos:])
    return " ".join("".join(pieces).split())


# ---------------------------------------------------------------- addresses


# Quoted strings, comments and angle-addresses are single tokens, so a comma inside them
# does not split the list (regex tokens: a character loop cost 25 us per header).
_ADDRESS_TOKEN_RE = re.compile(
    r'"(?:[^"\\]|\\.)*"?|\((?:[^()\\]|\\.)*\)?|<[^<>]*>?|[,;]|[^,;"(<]+|.', re.DOTALL
)


def _split_top_level(value: str) -> list[str]:
    """Split an address list on commas and semicolons outside quotes, comments and <>."""
    items, buf = [], []
    for token in _ADDRESS_TOKEN_RE.findall(value):
        if token == "," or token == ";":
            items.append("".join(buf))
            buf = []
        else:
            buf.append(token)
    items.append("".join(buf))
    return items


# One plain mailbox, as almost every From and To is: '"Name" <a@b>', 'Name <a@b>' or 'a@b'.
_SIMPLE_MAILBOX_RE = re.compile(
    r'\s*(?:"([^"\\]*)"|([^"<>,;:()@\\]*?))\s*<([^<>\s,;"()]+@[^<>\s,;"()]+)>\s*'
)
_BARE_MAILBOX_RE = re.compile(r'\s*<?([^<>\s,;"()]+@[^<>\s,;"()]+?)>?\s*')
_COMMENT_RE = re.compile(r"\((?:[^()\\]|\\.)*\)")
_ANGLE_RE = re.compile(r"<([^<>]*)>")
_GROUP_RE = re.compile(r'^\s*[^"@<>:]*:(?!:)')
_ADDR_JUNK = " \t\"'<>;,"


def _clean_address(text: str) -> str:
    addr = text.strip(_ADDR_JUNK)
    if " " in addr or "\t" in addr:
        addr = "".join(addr.split())
    if addr[:7].lower() == "mailto:":
        addr = addr[7:]
    if addr.startswith("@"):
        addr = addr.rpartition(":")[2]  # obsolete source route "@relay:user@host"
    addr = addr.strip(_ADDR_JUNK + ".").lower()
    at = addr.rfind("@")
    return addr if 0 < at < len(addr) - 1 else ""


def _clean_name(text: str, addr: str) -> str:
    name = text.strip().strip(",;").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1]
    elif len(name) >= 2 and name[0] == "(" and name[-1] == ")":
        name = name[1:-1]
    name = decode_header_text(name.replace('\\"', '"').replace("\\\\", "\\")).strip(" \"'")
    return "" if name.lower() == addr else name


def parse_addresses(values: Iterable[str]) -> tuple[Address, ...]:
    """Every mailbox in the given raw header values, in order, without duplicates."""
    out: list[Address] = []
    seen: set[str] = set()
    for value in values:
        for address in _addresses_in(value):
            if address.email not in seen:
                seen.add(address.email)
                out.append(address)
    return tuple(out)


# The same raw values recur all through a mailbox (the owner's own address in every To).
@functools.lru_cache(maxsize=4096)
def _addresses_in(value: str) -> tuple[Address, ...]:
    text = _from_8bit(_unfold(value))
    simple = _SIMPLE_MAILBOX_RE.fullmatch(text)
    if simple is not None:
        quoted, bare_name, addr = simple.groups()
        addr = _clean_address(addr)
        name = quoted if quoted is not None else bare_name
        return (Address(addr, _clean_name(name, addr) if name else ""),) if addr else ()
    bare = _BARE_MAILBOX_RE.fullmatch(text)
    if bare is not None:
        addr = _clean_address(bare.group(1))
        return (Address(addr, ""),) if addr else ()
    out: list[Address] = []
    orphan = ""  # 'Müller' of an unquoted 'Müller, Hans <h@x>'
    for item in _split_top_level(text):
        if orphan and "<" in item and "@" not in item[: item.find("<")]:
            item = orphan + "," + item
        orphan = ""
        comments: list[str] = []
        if "<" in item and ">" in item:
            found = _ANGLE_RE.findall(item)
            addr = _clean_address(found[-1]) if found else ""
            name_part = item[: item.rfind("<")]
            if ":" in name_part:
                name_part = _GROUP_RE.sub("", name_part, count=1)
            if "(" in name_part:
                comments = _COMMENT_RE.findall(name_part)
                name_part = _COMMENT_RE.sub("", name_part).strip() or (
                    comments[0] if comments else ""
                )
        else:
            bare = item
            if "(" in item:
                comments = _COMMENT_RE.findall(item)
                bare = _COMMENT_RE.sub("", item)
            if ":" in bare:
                bare = _GROUP_RE.sub("", bare, count=1)
            addr = _clean_address(bare)
            name_part = comments[0] if comments else ""
            if not addr and len(bare.split()) == 1 and "@" not in bare:
                orphan = bare
        if addr:
            out.append(Address(addr, _clean_name(name_part, addr) if name_part else ""))
    return tuple(out)


# ---------------------------------------------------------------- ids and dates

_BRACKETED_RE = re.compile(r"<([^<>]*)>")
_BARE_ID_RE = re.compile(r"[^\s<>,;\"'()]+@[^\s<>,;\"'()]+")


def parse_ids(value: str | None, *, prefer_last: bool = False) -> tuple[str, ...]:
    """Message-ids in a header, normalised to '<id>'; tolerates missing brackets and garbage."""
    if not value:
        return ()
    if value[0] == "<" and value[-1] == ">" and value.count("<") == 1 and value.isprintable():
        if " " not in value and value != "<>":
            return (value,)  # the usual single, well-formed id
    text = _from_8bit(_unfold(value))
    ids = ["".join(x.split()) for x in _BRACKETED_RE.findall(text)]
    ids = [f"<{x}>" for x in ids if x and x != "@"]
    if not ids:
        ids = ["<{}>".format(x.strip(".")) for x in _BARE_ID_RE.findall(text)]
    elif prefer_last and _BRACKETED_RE.sub("", text).strip(" \t,") and len(ids) > 1:
        # Old In-Reply-To phrase form: 'Your message of <date> ... <addr> ... <id>'.
        ids = ids[-1:]
    return tuple(dict.fromkeys(ids))


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


# The form nearly every mailer writes ("Tue, 4 Mar 2025 10:00:00 +0100"), read without the
# general parser; anything else goes through email.utils.
_RFC5322_DATE_RE = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s+([+-])(\d{2})(\d{2})(?:\s|$)"
)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def _fast_date(text: str) -> datetime | None:
    m = _RFC5322_DATE_RE.match(text)
    month = _MONTHS.get(m.group(2).lower()) if m else None
    if m is None or month is None:
        return None
    day, _, year, hour, minute, second, sign, tzh, tzm = m.groups()
    offset = (int(tzh) * 60 + int(tzm)) * (-1 if sign == "-" else 1)
    if offset == 0:
        tz = timezone.utc
    elif abs(offset) < 24 * 60:
        tz = timezone(timedelta(minutes=offset))
    else:
        return None
    try:
        # min(): a leap second (":60") is a real time, one datetime cannot hold.
        sec = min(int(second or 0), 59)
        return datetime(int(year), month, int(day), int(hour), int(minute), sec, tzinfo=tz)
    except ValueError:
        return None


def parse_date(value: str | None) -> datetime | None:
    """An aware datetime from an RFC 5322 (or ISO 8601) date, or None when it is unusable."""
    if not value:
        return None
    text = " ".join(_from_8bit(_unfold(value)).split())
    when = _fast_date(text)
    if when is None:
        when = _slow_date(text)
    # 1970 and 2100+ dates come from broken clocks and zeroed fields, not from mail.
    if when is None or not 1980 <= when.year <= 2200:
        return None
    return when


def _slow_date(text: str) -> datetime | None:
    try:
        parts = parsedate_tz(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        parts = None
    if parts is not None:
        try:
            offset = parts[9] or 0
            tz = timezone(timedelta(seconds=offset)) if abs(offset) < 86400 else timezone.utc
            return datetime(*parts[:5], min(parts[5], 59), tzinfo=tz)
        except (TypeError, ValueError, OverflowError):
            pass
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        return None


def _received_date(values: list[str]) -> datetime | None:
    for value in values:  # topmost first: the newest hop
        when = parse_date(value.rpartition(";")[2])
        if when is not None:
            return when
    return None


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
        or (_aware(internaldate) if isinstance(internaldate, datetime) else None)
        or _received_date(headers.get("received", []))
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


def clear_caches() -> None:
    """Forget cached header decodings (benchmarks use this to measure the worst case)."""
    decode_header_text.cache_clear()
    _addresses_in.cache_clear()


def _minimal(raw: bytes, internaldate: datetime | None) -> Message:
    when = _aware(internaldate) if isinstance(internaldate, datetime) else EPOCH
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
