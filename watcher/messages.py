"""Raw RFC 5322 bytes to an immutable message record (pure: no I/O, no clock).

INTERFACE CONTRACT (used by sync, storage, classifier, conversations): keep these names.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import getaddresses, parsedate_to_datetime


@dataclass(frozen=True)
class Address:
    """A mailbox: lower-cased address and decoded display name."""

    email: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


@dataclass(frozen=True)
class AutoSignals:
    """What the headers and structure say about a message being automatic (facts, not a verdict)."""

    auto_submitted: str | None = None  # RFC 3834 header value, lower-cased ("auto-replied", ...)
    auto_reply_header: bool = False  # X-Autoreply, X-Autorespond, X-Auto-Response-Suppress...
    precedence: str | None = None  # "bulk", "junk", "list", "auto_reply"
    mailing_list: bool = False  # List-Id or List-Unsubscribe present
    auto_reply_subject: bool = False  # "Automatic reply", "Out of Office", "Abwesenheitsnotiz"...
    bounce: bool = False  # multipart/report; report-type=delivery-status, or a DSN-shaped body
    bounced_recipients: tuple[str, ...] = ()
    read_receipt: bool = False  # message/disposition-notification
    return_date: date | None = None  # "back on 12 March" in an out-of-office

    @property
    def automatic(self) -> bool:
        """True when any signal says no human wrote this message."""
        return bool(
            (self.auto_submitted and self.auto_submitted != "no")
            or self.auto_reply_header
            or self.precedence in ("bulk", "junk", "auto_reply", "list")
            or self.auto_reply_subject
            or self.bounce
            or self.read_receipt
        )


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


_ID_RE = re.compile(r"<[^<>\s]+>")
_PREFIX_RE = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|réf|tr|rv|r|enc|odp)\s*(?:\[\d+\])?\s*:\s*|\[[^\]]*\]\s*)+", re.I)


def normalize_subject(subject: str) -> str:
    """Lower-cased subject without reply and forward prefixes, whitespace folded."""
    return " ".join(_PREFIX_RE.sub("", subject or "").split()).lower()


def _addresses(values: list[str]) -> tuple[Address, ...]:
    out = []
    for name, addr in getaddresses([str(v) for v in values if v is not None]):
        if "@" in addr:
            out.append(Address(addr.strip().lower(), name.strip()))
    return tuple(out)


def parse_message(raw: bytes, internaldate: datetime | None = None) -> Message:
    """Parse raw message bytes; never raises on malformed input."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    ids = _ID_RE.findall(msg.get("Message-ID", "") or "")
    message_id = ids[0] if ids else "<%s@feedback-watcher.invalid>" % hashlib.sha256(raw).hexdigest()[:32]
    irt = _ID_RE.findall(msg.get("In-Reply-To", "") or "")
    refs = tuple(_ID_RE.findall(msg.get("References", "") or ""))
    try:
        when = parsedate_to_datetime(msg.get("Date"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    except (TypeError, ValueError, IndexError):
        when = internaldate or datetime(1970, 1, 1, tzinfo=timezone.utc)
    subject = str(email.header.make_header(email.header.decode_header(msg.get("Subject", "") or "")))
    body = ""
    for part in msg.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            payload = part.get_payload(decode=True) or b""
            body = payload.decode(part.get_content_charset() or "utf-8", "replace")
            break
    senders = _addresses(msg.get_all("From", []))
    return Message(
        message_id=message_id,
        in_reply_to=irt[0] if irt else None,
        references=refs,
        sender=senders[0] if senders else None,
        to=_addresses(msg.get_all("To", [])),
        cc=_addresses(msg.get_all("Cc", [])),
        reply_to=_addresses(msg.get_all("Reply-To", [])),
        date=when,
        subject=subject,
        normalized_subject=normalize_subject(subject),
        body_text=body,
    )
