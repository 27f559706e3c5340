"""What the state and the mailbox know about the people the user writes to (orchestration).

The request detector reads a sent message with its context (``classify.features.SentContext``):
part of it is in the message, part is what is known about its recipient, ``RecipientFacts``:
whether that address, or someone at its company domain, has written hiring-process mail to the
user (an interview invitation, an application acknowledgement, a decision). Two sources:

- stored mail (``stored_facts``): the state holds incoming mail only from people the user
  already asked (a reply's thread), so this mostly helps with follow-up asks;
- the mailbox (``mailbox_facts``): for a first ask the sync looks up the recipient's address
  or company domain, headers only (SEARCH FROM ... SINCE the look-back's start, then FETCH of
  a few header fields; folders opened read-only), and keeps the derived facts in the state
  (``Store.seen_facts``), never the messages. A server that refuses the SEARCH costs a log
  line and no facts.

``recipient_facts`` merges both; a fact counts for a sent message only when the hiring mail is
dated before it (``hiringfacts.message_facts``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from watcher.classify.features import (
    RecipientFacts,
    first_asks,
    reads_like_hiring_mail,
    reply_text,
)
from watcher.conversations import from_a_person
from watcher.errors import ServerRefused
from watcher.hiringfacts import (
    SeenFacts,
    Sighting,
    derive,
    fact_keys,
    lookup_terms,
    merge_facts,
    message_facts,
    sighting,
)
from watcher.mail.messages import Message
from watcher.mailsource import SEARCH_FORMS, MailSource, SearchQuery
from watcher.storage import Store

log = logging.getLogger(__name__)

# FROM terms only, about 30 bytes each: 3 KB a command, far below servers' line limits (8 KB
# and up). Each SEARCH of the look-back window costs a pass over its messages on the server
# (0.15-0.35 s at 12,500 messages on Dovecot), so fewer, longer commands.
TERMS_PER_SEARCH = 100


def _keys(addresses: Iterable[str]) -> set[str]:
    return {k for a in addresses for k in fact_keys(a)}


def stored_facts(
    store: Store, account: str, addresses: Iterable[str], own: Iterable[str]
) -> dict[str, SeenFacts]:
    """What stored incoming mail shows about these addresses and their company domains (hiring
    mail read from subject and text)."""
    keys = _keys(addresses)
    if not keys:
        return {}
    sightings = []
    for m in store.messages(own=False, account=account):
        sender = m.sender.email.lower() if m.sender else ""
        if sender not in keys and "@" + sender.rpartition("@")[2] not in keys:
            continue
        hiring = reads_like_hiring_mail(m.subject + "\n" + reply_text(m))
        sightings.append(Sighting(sender, m.date, hiring, from_a_person(m)))
    facts = derive(keys, sightings, own, None)
    return {k: f for k, f in facts.items() if f.messages}


def recipient_facts(
    store: Store, account: str, sent: Sequence[Message], own: frozenset[str]
) -> list[dict[str, RecipientFacts]]:
    """Facts about the recipients of each sent message (one map per message, in order), from
    stored mail and from what earlier looks into the mailbox found."""
    own_lower = {a.lower() for a in own}
    wanted = {a.email.lower() for m in sent for a in m.recipients} - own_lower
    if not wanted:
        return [{} for _ in sent]
    seen = merge_facts(
        stored_facts(store, account, wanted, own), store.seen_facts(account, _keys(wanted))
    )
    asked = first_requests(store, account, wanted, own)
    return [with_first_requests(message_facts(m, own, seen), asked) for m in sent]


def first_requests(
    store: Store, account: str, wanted: set[str], own: frozenset[str]
) -> dict[str, datetime]:
    """When the user first asked each of these addresses for feedback (a tracked request)."""
    asked = first_asks(store.messages(own=True, account=account, requests=True), own)
    return {address: when for address, when in asked.items() if address in wanted}


def with_first_requests(
    facts: dict[str, RecipientFacts], asked: dict[str, datetime]
) -> dict[str, RecipientFacts]:
    return {a: replace(f, first_request_at=asked[a]) if a in asked else f for a, f in facts.items()}


@dataclass
class LookupCost:
    """What looking into the mailbox cost: SEARCH commands and header blocks read."""

    searches: int = 0
    headers: int = 0


def mailbox_facts(
    source: MailSource,
    folders: Sequence[tuple[str, int, date | None]],
    keys: set[str],
    own: Iterable[str],
    now: datetime,
    *,
    form: str = "nested",
    domains_here: bool = False,
    cost: LookupCost | None = None,
) -> dict[str, SeenFacts]:
    """What the mailbox shows about these fact keys (addresses and "@domain"s), from headers.

    ``folders``: (name, highest UID, look-back start) of each incoming folder to look in.
    ``form``: how this server takes ORs (the sync's search plan); a refusal steps down here
    only, and a refusal of one key per SEARCH raises ``ServerRefused``. ``domains_here``: the
    server's search misses "@domain", so the bare domain is searched and matched here.
    """
    cost = cost if cost is not None else LookupCost()
    terms = sorted(lookup_terms(keys))
    if domains_here:
        terms = [t[1:] if t.startswith("@") else t for t in terms]
    sightings: list[Sighting] = []
    once: set[tuple[str, datetime | None]] = set()  # one message in two folders counts once
    for folder, top, since in folders:
        if top < 1 or not terms:
            continue
        uids: set[int] = set()
        for start in range(0, len(terms), TERMS_PER_SEARCH):
            query = SearchQuery(1, top, since, tuple(terms[start : start + TERMS_PER_SEARCH]))
            uids |= _search(source, folder, query, form, cost)
        for _, raw in source.fact_headers(folder, sorted(uids)):
            cost.headers += 1
            seen = sighting(raw)
            if seen is not None and (seen.sender, seen.date) not in once:
                once.add((seen.sender, seen.date))
                sightings.append(seen)
    return derive(keys, sightings, own, now)


def _search(
    source: MailSource, folder: str, query: SearchQuery, form: str, cost: LookupCost
) -> set[int]:
    """One query, stepping down the forms on a refusal; the last refusal is raised."""
    forms = SEARCH_FORMS[SEARCH_FORMS.index(form) :] if form in SEARCH_FORMS else SEARCH_FORMS
    for i, each in enumerate(forms):
        queries = [query]
        if each == "single":
            queries = [
                SearchQuery(query.uid_min, query.uid_max, query.since, (s,)) for s in query.senders
            ]
        try:
            found: set[int] = set()
            for q in queries:
                cost.searches += 1
                found.update(source.search(folder, q, each))
            return found
        except ServerRefused:
            if i == len(forms) - 1:
                raise
    return set()
