"""Header field values to text and values (pure): encoded-words, addresses, message-ids, dates.

Everything here is lenient, because mail in the wild is: RFC 2047 words glued to text or
split mid-character, raw 8-bit names in any charset, ids without angle brackets, dates in
broken or non-standard forms. Nothing raises; unusable values come back empty or None.
Decoded values and address lists are cached, since the same ones recur through a mailbox.
"""

from __future__ import annotations

import binascii
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_tz

from watcher.mail.charsets import decode_bytes
from watcher.mail.mimeparts import b64_decode


@dataclass(frozen=True)
class Address:
    """A mailbox: lower-cased address and decoded display name."""

    email: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


# ---------------------------------------------------------------- text

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

# An address as it stands in running text (a bounce report, a quote header): an RFC 5322
# dot-atom local part, and a domain of at least two labels.
ADDRESS_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")

# Quoted strings, comments and angle-addresses are single tokens, so a comma inside them
# does not split the list (regex tokens: a character loop cost 25 us per header).
_ADDRESS_TOKEN_RE = re.compile(
    r'"(?:[^"\\]|\\.)*"?|\((?:[^()\\]|\\.)*\)?|<[^<>]*>?|[,;]|[^,;"(<]+|.', re.DOTALL
)


def _split_top_level(value: str) -> list[str]:
    """Split an address list on commas and semicolons outside quotes, comments and <>."""
    items: list[str] = []
    buf: list[str] = []
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
            plain = item
            if "(" in item:
                comments = _COMMENT_RE.findall(item)
                plain = _COMMENT_RE.sub("", item)
            if ":" in plain:
                plain = _GROUP_RE.sub("", plain, count=1)
            addr = _clean_address(plain)
            name_part = comments[0] if comments else ""
            if not addr and len(plain.split()) == 1 and "@" not in plain:
                orphan = plain
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


def aware(when: datetime) -> datetime:
    """`when` with UTC assumed when it carries no time zone."""
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
        return aware(datetime.fromisoformat(text))
    except ValueError:
        return None


def received_date(values: list[str]) -> datetime | None:
    """The date of the newest (topmost) Received header that has a readable one."""
    for value in values:  # topmost first: the newest hop
        when = parse_date(value.rpartition(";")[2])
        if when is not None:
            return when
    return None


def clear_caches() -> None:
    """Forget cached header decodings (benchmarks use this to measure the worst case)."""
    decode_header_text.cache_clear()
    _addresses_in.cache_clear()
