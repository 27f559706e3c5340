"""What the mailbox shows about the people the user writes to, kept as derived facts (pure).

A person deciding whether a sent message asks for feedback looks at whom it goes to: a company
that sent an interview invitation or a rejection, or the user's mother. The state holds
incoming mail only from people the user already asked, so for a first ask the sync looks in
the mailbox: the headers (From, Date, Subject and the list/bulk/automatic headers) of mail from
the recipient's address or company domain. This module is the pure part of that:

- which keys to look up (``lookup_terms``, ``stale_keys``): an address, and its company domain
  as ``"@domain"`` (a free-mail address counts by address only); one search of the domain
  finds the address too;
- a header block read as a ``Sighting`` (who, when, whether its subject reads as hiring mail,
  whether a person sent it), and sightings summed up per key as ``SeenFacts``: the first and
  latest hiring mail, how many messages, when it was checked. A hiring subject from a list,
  bulk, automatic or no-reply sender ("Your application for ..." from an ATS) counts for the
  domain, not for the address;
- ``message_facts``: the ``RecipientFacts`` a sent message is judged with, counting only
  hiring mail dated before it; ``fact_batches``: messages grouped so that each group can be
  judged with one map of facts.

Only these facts are stored (``storage.Store.seen_facts``), never the messages they came from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from watcher.classify.features import RecipientFacts, other_recipients, reads_like_hiring_mail
from watcher.conversations import unattended_address
from watcher.domains import company_domain, domain_of
from watcher.mail.headers import decode_header_text, parse_addresses, parse_date
from watcher.mail.messages import Message
from watcher.mail.mimeparts import parse as parse_mime

log = logging.getLogger(__name__)

# The header fields a sighting is read from: nothing else of a message is ever asked for.
FACT_FIELDS = (
    "FROM",
    "DATE",
    "SUBJECT",
    "LIST-ID",
    "LIST-UNSUBSCRIBE",
    "PRECEDENCE",
    "AUTO-SUBMITTED",
)
# Only where the answer can change: a message is looked up when its P(request) without the
# mailbox's facts is at least FACT_FLOOR and below FACT_CEILING. Measured with the shipped
# request model on the benchmark's 493 sent messages, a hiring fact moves P(request) by -0.2
# to +1.4 in log-odds; a shift of 1.5 takes 0.05 to 0.19 (still below REQUEST_LOW, 0.2) and
# 0.9 to 0.67 (still above REQUEST_HIGH, 0.6). The three verdicts it changed started at 0.08
# to 0.10.
FACT_FLOOR = 0.05
FACT_CEILING = 0.9
# A cached fact older than this is checked again (new hiring mail may have come).
RECHECK_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Sighting:
    """One incoming message as its headers tell it."""

    sender: str  # the From address, lower-cased
    date: datetime | None
    hiring: bool  # the subject reads like hiring-process mail
    person: bool  # not a list, bulk, automatic or no-reply sender


def sighting(raw: bytes) -> Sighting | None:
    """A header block (the FACT_FIELDS) read as a sighting; None without a From address.
    Never raises: a server's garbled answer is no sighting."""
    try:
        return _sighting(raw)
    except Exception:  # as threading_headers: the contract is "never raises"
        log.warning("could not read a %d-byte header block", len(raw), exc_info=True)
        return None


def _sighting(raw: bytes) -> Sighting | None:
    headers = parse_mime(raw).headers
    senders = parse_addresses(headers.get("from", []))
    if not senders or "@" not in senders[0].email:
        return None

    def first(name: str) -> str:
        values = headers.get(name)
        return " ".join(str(values[0]).split()) if values else ""

    sender = senders[0].email.lower()
    precedence = first("precedence").split(";", 1)[0].strip().strip("\"'").lower()
    auto = first("auto-submitted").split(";", 1)[0].strip().lower()
    machine = bool(
        first("list-id")
        or first("list-unsubscribe")
        or precedence in ("bulk", "list", "junk")
        or auto not in ("", "no")
    )
    return Sighting(
        sender=sender,
        date=parse_date(first("date")),
        hiring=reads_like_hiring_mail(decode_header_text(first("subject"))),
        person=not machine and not unattended_address(sender),
    )


@dataclass(frozen=True)
class SeenFacts:
    """What the mailbox showed about one address or one company domain (``"@domain"``)."""

    key: str
    first_hiring: datetime | None = None  # the earliest hiring mail seen
    latest_hiring: datetime | None = None
    messages: int = 0  # messages seen from it
    checked_at: datetime | None = None  # when the mailbox was looked at (None: stored mail)

    def hiring_before(self, when: datetime) -> bool:
        return self.first_hiring is not None and self.first_hiring < when

    def merged(self, other: SeenFacts) -> SeenFacts:
        """Both sources of the same key together (the mailbox and the state's stored mail)."""
        firsts = [d for d in (self.first_hiring, other.first_hiring) if d is not None]
        latests = [d for d in (self.latest_hiring, other.latest_hiring) if d is not None]
        checks = [d for d in (self.checked_at, other.checked_at) if d is not None]
        return replace(
            self,
            first_hiring=min(firsts, default=None),
            latest_hiring=max(latests, default=None),
            messages=max(self.messages, other.messages),
            checked_at=max(checks, default=None),
        )


def fact_keys(address: str) -> tuple[str, ...]:
    """The keys facts about an address are kept under: itself, and its company domain."""
    address = address.lower()
    domain = company_domain(address)
    return (address, "@" + domain) if domain else (address,)


def lookup_terms(keys: Iterable[str]) -> set[str]:
    """What to search From for: a domain's search finds its addresses too."""
    keys = set(keys)
    domains = {k for k in keys if k.startswith("@")}
    return domains | {
        k for k in keys if not k.startswith("@") and "@" + domain_of(k) not in domains
    }


def stale_keys(
    addresses: Iterable[str],
    cached: Mapping[str, SeenFacts],
    now: datetime,
    recheck_after: timedelta = RECHECK_AFTER,
) -> set[str]:
    """The fact keys of these addresses that were never checked, or not for ``recheck_after``."""
    out: set[str] = set()
    for address in addresses:
        for key in fact_keys(address):
            fact = cached.get(key)
            if fact is None or fact.checked_at is None or now - fact.checked_at >= recheck_after:
                out.add(key)
    return out


def derive(
    keys: Iterable[str],
    sightings: Iterable[Sighting],
    own: Iterable[str],
    checked_at: datetime | None,
) -> dict[str, SeenFacts]:
    """The facts of each key from what was seen; a key with no sighting gets empty facts (it
    was checked and nothing was found). The user's own mail is never a sighting."""
    own_lower = {a.lower() for a in own}
    wanted = set(keys)
    counts: dict[str, int] = {}
    hiring: dict[str, list[datetime]] = {}
    for s in sightings:
        if s.sender in own_lower:
            continue
        domain_key = "@" + domain_of(s.sender)
        for key in (s.sender, domain_key):
            if key not in wanted:
                continue
            counts[key] = counts.get(key, 0) + 1
            # The domain counts mail from anyone there (an ATS's "Your application for ..."
            # too); an address only mail a person wrote.
            if s.hiring and s.date is not None and (key == domain_key or s.person):
                hiring.setdefault(key, []).append(s.date)
    return {
        key: SeenFacts(
            key,
            min(hiring[key]) if key in hiring else None,
            max(hiring[key]) if key in hiring else None,
            counts.get(key, 0),
            checked_at,
        )
        for key in wanted
    }


def merge_facts(*sources: Mapping[str, SeenFacts]) -> dict[str, SeenFacts]:
    out: dict[str, SeenFacts] = {}
    for source in sources:
        for key, fact in source.items():
            out[key] = out[key].merged(fact) if key in out else fact
    return out


def first_recipient(message: Message, own: Iterable[str]) -> str | None:
    """The first recipient that is not the user: whom the request detector reads facts for."""
    to = other_recipients(message, frozenset(own))
    return to[0] if to else None


def message_facts(
    message: Message, own: Iterable[str], seen: Mapping[str, SeenFacts]
) -> dict[str, RecipientFacts]:
    """``RecipientFacts`` for each recipient of a sent message: only mail dated before the
    message counts (what came later cannot have shaped what the user wrote)."""
    own_lower = {a.lower() for a in own}
    out: dict[str, RecipientFacts] = {}
    for a in message.recipients:
        address = a.email.lower()
        if address in own_lower or address in out:
            continue
        keys = fact_keys(address)
        mine = seen.get(address)
        domain = seen.get(keys[1]) if len(keys) > 1 else None
        out[address] = RecipientFacts(
            hiring_mail=bool(mine and mine.hiring_before(message.date)),
            domain_hiring_mail=bool(domain and domain.hiring_before(message.date)),
            messages=mine.messages if mine else 0,
        )
    return out


def fact_batches(
    facts: Sequence[Mapping[str, RecipientFacts]],
) -> list[tuple[list[int], dict[str, RecipientFacts]]]:
    """Message positions grouped so that each group shares one map of facts without conflict
    (two messages to the same address, one before its first hiring mail and one after, go to
    different groups). Usually a single group."""
    groups: list[tuple[list[int], dict[str, RecipientFacts]]] = []
    for i, mine in enumerate(facts):
        for positions, shared in groups:
            if all(shared.get(k, v) == v for k, v in mine.items()):
                positions.append(i)
                shared.update(mine)
                break
        else:
            groups.append(([i], dict(mine)))
    return groups
