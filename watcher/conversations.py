"""From stored messages to request threads: the asks the user sent and the replies to them (pure).

A reply joins a request by In-Reply-To/References (any id in the chain). Where a mail client
broke threading, it joins by the same normalized subject from the counterpart or a colleague at
the same company domain, or as a new message from them within 30 days of an ask. Mail that
arrived before the first ask never answers it. A later ask joins an earlier request only by
threading headers or when it asks the same person again, never by company domain alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from watcher.domains import company_domain
from watcher.mail.messages import Message

UNTHREADED_REPLY_WINDOW = timedelta(days=30)
FOLLOW_UP_WINDOW = timedelta(days=120)


@dataclass
class Thread:
    """One feedback request: its asks (the first is the request) and the replies to them."""

    asks: list[Message]
    counterpart: str
    replies: list[Message] = field(default_factory=list)

    @property
    def request(self) -> Message:
        return self.asks[0]

    @property
    def subject(self) -> str:
        return self.request.subject

    @property
    def latest_ask(self) -> Message:
        return self.asks[-1]

    @property
    def company(self) -> str | None:
        return company_domain(self.counterpart)

    def ids(self) -> set[str]:
        return {m.message_id for m in self.asks} | {m.message_id for m in self.replies}

    def involves(self, address: str) -> bool:
        """True for the counterpart, anyone else asked, or a colleague at the same company."""
        if address == self.counterpart or address in self.asked:
            return True
        domain = company_domain(address)
        return domain is not None and domain in {company_domain(a) for a in self.asked}

    @property
    def asked(self) -> set[str]:
        return {a.email for m in self.asks for a in m.recipients}


# Local parts of addresses that send mail no person writes (compared without dots, dashes and
# underscores, so "no-reply", "no_reply" and "noreply" are one).
_UNATTENDED = re.compile(
    r"^(?:noreply|donotreply|noresponse|notifications?|notify|alerts?|newsletters?|news|"
    r"mailer|mailerdaemon|bounces?|marketing|updates?|digest|jobalerts?)(?:\d*|\+.*)$"
)


def unattended_address(address: str) -> bool:
    """True for an address no person reads or writes from (no-reply, notifications, alerts)."""
    local = address.partition("@")[0].lower()
    return bool(_UNATTENDED.match(re.sub(r"[._-]", "", local)))


def from_a_person(message: Message) -> bool:
    """False for mailing-list, bulk and no-reply mail: never a reply to the user's request."""
    s = message.signals
    if s.mailing_list or s.precedence in ("bulk", "list", "junk"):
        return False
    return not unattended_address(message.sender.email if message.sender else "")


def _counterpart(message: Message, own: frozenset[str]) -> str | None:
    for addr in message.to + message.cc:
        if addr.email not in own:
            return addr.email
    return None


def _chain(message: Message) -> set[str]:
    ids = set(message.references)
    if message.in_reply_to:
        ids.add(message.in_reply_to)
    return ids


def _subjects_match(a: Message, b: Message) -> bool:
    return bool(a.normalized_subject) and a.normalized_subject == b.normalized_subject


def _thread_for_ask(ask: Message, threads: Sequence[Thread], own: frozenset[str]) -> Thread | None:
    """The earlier thread this ask follows up, if it plainly does: it answers a message of the
    thread (In-Reply-To/References), or it asks the same person again. A later request to
    someone else at the same company is a request of its own: joining by domain would let one
    thread swallow every application to a large employer."""
    chain = _chain(ask)
    for t in reversed(threads):
        if chain & t.ids():
            return t
    counterpart = _counterpart(ask, own)
    if counterpart is None:
        return None
    for t in reversed(threads):
        if ask.date - t.latest_ask.date > FOLLOW_UP_WINDOW or counterpart not in t.asked:
            continue
        # The same person, and the same subject or a re-ask while still unanswered.
        if _subjects_match(ask, t.request) or not t.replies:
            return t
    return None


def build_threads(
    own_messages: Iterable[Message],
    request_ids: set[str],
    incoming: Iterable[Message],
    own: frozenset[str],
) -> list[Thread]:
    """Group the user's asks into threads and attach the replies to them."""
    threads: list[Thread] = []
    asks = sorted((m for m in own_messages if m.message_id in request_ids), key=lambda m: m.date)
    for ask in asks:
        existing = _thread_for_ask(ask, threads, own)
        if existing is not None:
            existing.asks.append(ask)
            continue
        counterpart = _counterpart(ask, own)
        if counterpart is not None:
            threads.append(Thread([ask], counterpart))
    by_id = {m.message_id: t for t in threads for m in t.asks}
    for reply in sorted(incoming, key=lambda m: m.date):
        sender = reply.sender.email if reply.sender else ""
        if sender in own:
            continue
        thread = _thread_for_reply(reply, sender, threads, by_id)
        if thread is not None:
            thread.replies.append(reply)
            by_id[reply.message_id] = thread
    return threads


def _thread_for_reply(
    reply: Message, sender: str, threads: Sequence[Thread], by_id: dict[str, Thread]
) -> Thread | None:
    for mid in [reply.in_reply_to, *reversed(reply.references)]:
        if mid and mid in by_id and reply.date >= by_id[mid].request.date:
            return by_id[mid]
    if reply.signals.bounce:
        bounced = set(reply.signals.bounced_recipients)
        for t in reversed(threads):
            if bounced & t.asked and reply.date >= t.latest_ask.date:
                return t
        return None
    if not from_a_person(reply):
        # A newsletter, careers alert or notification from the company answers nobody.
        return None
    candidates = [t for t in threads if t.request.date <= reply.date and t.involves(sender)]
    for t in reversed(candidates):  # most recent request first
        if _subjects_match(reply, t.request) or any(_subjects_match(reply, a) for a in t.asks):
            return t
    for t in reversed(candidates):
        latest_before = max((a.date for a in t.asks if a.date <= reply.date), default=None)
        if latest_before and reply.date - latest_before <= UNTHREADED_REPLY_WINDOW:
            return t
    return None
