"""Thread status and when the next ask is due (pure: ``now`` is passed in)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from watcher.conversations import Thread
from watcher.labels import DueAsk, Label
from watcher.mail.messages import Message
from watcher.mail.returndate import find_return_date

DUE_NAMES = {1: DueAsk.SECOND, 2: DueAsk.THIRD}


@dataclass(frozen=True)
class FollowupPolicy:
    """When a quiet thread is due for another ask."""

    business_days: int = 5
    max_asks: int = 3


@dataclass(frozen=True)
class LabeledReply:
    message: Message
    label: Label
    confidence: float
    text: str  # the visible reply text
    corrected: bool = False  # the user set this label


@dataclass(frozen=True)
class ThreadState:
    """What the digest says about one thread."""

    thread: Thread
    replies: tuple[LabeledReply, ...]
    status: Label
    asks: int
    due: DueAsk | None
    due_since: datetime | None
    next_due: datetime | None  # when the next ask will be due, if nothing arrives
    gone_quiet: bool
    undeliverable: bool
    needs_review: tuple[LabeledReply, ...] = field(default_factory=tuple)
    ask_messages: tuple[Message, ...] = ()  # the asks that count (not a thank-you after feedback)
    # The account whose last sync failed or may have missed mail: no ask is proposed while
    # an answer may be sitting unread on the server.
    unchecked: str | None = None


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` Monday-to-Friday days after ``start``."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _next_business_day(day: date) -> date:
    return add_business_days(day, 1)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PROMISE = re.compile(
    r"\b(?:by|before|on|until|till|end of|come back to you|get back to you|back to you)\s+"
    r"(?:the\s+)?(?:(next|this)\s+)?(monday|tuesday|wednesday|thursday|friday|week)\b",
    re.I,
)


def promised_date(text: str, sent: date) -> date | None:
    """The date a holding reply promises an answer by ("by Friday", "next week", "on 14 May")."""
    found = find_return_date(text, sent)
    if found:
        return found
    m = _PROMISE.search(text)
    if not m:
        return None
    which, word = (m.group(1) or "").lower(), m.group(2).lower()
    if word == "week":
        # "next week" / "end of the week": the Friday of that week.
        friday = sent + timedelta(days=(4 - sent.weekday()) % 7)
        return friday + timedelta(days=7) if which == "next" else friday
    target = _WEEKDAYS.index(word)
    ahead = (target - sent.weekday()) % 7 or 7
    if which == "next" and ahead < 7:
        ahead += 7 if sent.weekday() >= target else 0
    return sent + timedelta(days=ahead)


def _at(day: date, like: datetime) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=like.tzinfo)


def assess(
    thread: Thread,
    labels: Mapping[int | str, tuple[Label, float, bool]],
    texts: Mapping[int | str, str],
    policy: FollowupPolicy,
    now: datetime,
    threshold: float,
) -> ThreadState:
    """Status, due ask, gone-quiet and undeliverable flags for one thread at ``now``."""
    replies = tuple(
        LabeledReply(
            m,
            Label(labels[m.key][0]),
            labels[m.key][1],
            texts.get(m.key, ""),
            labels[m.key][2],
        )
        for m in thread.replies
        if m.key in labels
    )
    human = [r for r in replies if r.label in (Label.FEEDBACK, Label.REJECTION)]
    if any(r.label == Label.FEEDBACK for r in human):
        status = Label.FEEDBACK
    elif human:
        status = Label.REJECTION
    else:
        status = Label.NO_RESPONSE
    # What the user sends after feedback arrived is a thank-you or a conversation, not an ask.
    first_feedback = min((r.message.date for r in human if r.label == Label.FEEDBACK), default=None)
    counted = tuple(a for a in thread.asks if first_feedback is None or a.date < first_feedback)
    counted = counted or tuple(thread.asks[:1])
    asks = len(counted)
    latest = counted[-1]
    after_latest = [r for r in replies if r.message.date >= latest.date]
    undeliverable = any(r.message.signals.bounce for r in after_latest)
    due_day = add_business_days(latest.date.astimezone(now.tzinfo).date(), policy.business_days)
    for r in after_latest:
        if r.label != Label.NO_RESPONSE:
            continue
        sent = r.message.date.astimezone(now.tzinfo).date()
        back = r.message.signals.return_date or promised_date(r.text, sent)
        if back and back >= due_day:
            due_day = _next_business_day(back)
    due: DueAsk | None = None
    due_since = next_due = None
    gone_quiet = False
    if status == Label.NO_RESPONSE:
        if asks >= policy.max_asks:
            gone_quiet = now.date() >= due_day
        elif now.date() >= due_day:
            due, due_since = DUE_NAMES.get(asks, DueAsk.THIRD), _at(due_day, now)
        else:
            next_due = _at(due_day, now)
    review = tuple(r for r in replies if r.confidence < threshold and not r.corrected)
    return ThreadState(
        thread,
        replies,
        status,
        asks,
        due,
        due_since,
        next_due,
        gone_quiet,
        undeliverable,
        review,
        counted,
    )
