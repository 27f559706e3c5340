"""What the state already knows about the people the user writes to (orchestration).

The request detector reads a sent message with its context (``classify.features.SentContext``):
part of it is in the message, part is what stored mail shows about its recipient. This module
builds the second part, ``RecipientFacts`` per recipient address, from the Store: whether that
address, or someone else at its company domain, has written hiring-process mail to the user
(an interview invitation, an application acknowledgement, a decision). The state holds incoming
mail only from people the user already asked (a reply's thread), so these facts mostly help
with follow-up asks; a first ask is read from its own text and what it quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from watcher.classify.features import (
    RecipientFacts,
    other_recipients,
    reads_like_hiring_mail,
    reply_text,
)
from watcher.conversations import from_a_person
from watcher.domains import company_domain
from watcher.mail.messages import Message
from watcher.storage import Store


def recipient_facts(
    store: Store, account: str, sent: Sequence[Message], own: frozenset[str]
) -> dict[str, RecipientFacts]:
    """Facts about each recipient of ``sent``, from stored mail that arrived before the newest
    of those messages (mail that came later cannot have shaped what the user wrote)."""
    own_lower = {a.lower() for a in own}
    wanted = {a.email.lower() for m in sent for a in m.recipients} - own_lower
    if not wanted:
        return {}
    latest = max(m.date for m in sent)
    domains = {d for d in (company_domain(a) for a in wanted) if d}
    count: dict[str, int] = {}
    hiring_from: set[str] = set()
    hiring_domains: dict[str, set[str]] = {}
    for m in store.messages(own=False, account=account):
        sender = m.sender.email.lower() if m.sender else ""
        domain = company_domain(sender) if sender else None
        if m.date > latest or not (sender in wanted or domain in domains):
            continue
        if sender in wanted:
            count[sender] = count.get(sender, 0) + 1
        if from_a_person(m) and reads_like_hiring_mail(m.subject + "\n" + reply_text(m)):
            hiring_from.add(sender)
            if domain:
                hiring_domains.setdefault(domain, set()).add(sender)
    first_asked: dict[str, datetime] = {}
    for request in store.messages(own=True, account=account, requests=True):
        to = other_recipients(request, own)
        if to and to[0] in wanted:
            first_asked[to[0]] = min(request.date, first_asked.get(to[0], request.date))
    out = {}
    for address in wanted:
        domain = company_domain(address)
        others = hiring_domains.get(domain, set()) - {address} if domain else set()
        out[address] = RecipientFacts(
            hiring_mail=address in hiring_from,
            domain_hiring_mail=bool(others),
            messages=count.get(address, 0),
            first_request_at=first_asked.get(address),
        )
    return out
