"""Thread status and when the next ask is due (pure: ``now`` is passed in)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from watcher.conversations import Thread
from watcher.labels import DueAsk, Label
from watcher.mail.messages import Message
from watcher.mail.promises import find_promise
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
class Holding:
    """A person's holding reply after the latest ask: "I'll come back to you before Friday"."""

    reply: LabeledReply
    promised: date | None  # the day it promises an answer by; None: no date (the clock restarts)
    quote: str  # the sentence that promises it, or the reply's first words


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
    holding: Holding | None = None  # the latest holding reply after the latest ask
    away_until: date | None = None  # an out-of-office's return date after the latest ask
    moved: bool = False  # a holding reply or an out-of-office put the next ask later


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


def promised_date(text: str, sent: date) -> date | None:
    """The date a holding reply promises an answer by ("by Friday", "la semaine prochaine"),
    or the return date a person writes by hand ("I'm on leave until 2 April")."""
    found = find_promise(text, sent)
    back = find_return_date(text, sent)
    days = [d for d in (found.day if found else None, back) if d is not None]
    return max(days) if days else None


def _quote(text: str, limit: int = 160) -> str:
    """The reply's first words after its greeting line, for a reply with no promised day."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and len(lines[0]) <= 40 and lines[0].rstrip().endswith((",", ":", "!")):
        lines = lines[1:]
    words = " ".join(" ".join(lines).split())
    return words if len(words) <= limit else words[: limit - 3].rsplit(" ", 1)[0] + "..."


def _holding(r: LabeledReply, sent: date) -> Holding:
    found = find_promise(r.text, sent)
    back = find_return_date(r.text, sent)
    if found and (back is None or found.day >= back):
        return Holding(r, found.day, found.sentence)
    return Holding(r, back, _quote(r.text))


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
    base_day = add_business_days(latest.date.astimezone(now.tzinfo).date(), policy.business_days)
    due_day, holding, away = _later_asks(after_latest, base_day, policy, now)
    due: DueAsk | None = None
    due_since = next_due = None
    gone_quiet = False
    if status == Label.NO_RESPONSE and not undeliverable:
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
        holding=holding,
        away_until=away,
        moved=due_day != base_day,
    )


def _later_asks(
    replies: list[LabeledReply], due_day: date, policy: FollowupPolicy, now: datetime
) -> tuple[date, Holding | None, date | None]:
    """The due day as the no_response replies after the latest ask move it.

    An out-of-office's return date, or the day a holding reply promises, moves the next ask to
    the business day after it; a person's holding reply with no date restarts the business-day
    clock from its own date. Also returns the latest holding reply and the latest return date.
    """
    holding = away = None
    for r in replies:
        if r.label != Label.NO_RESPONSE:
            continue
        sent = r.message.date.astimezone(now.tzinfo).date()
        s = r.message.signals
        if s.bounce or s.read_receipt or s.delivery_report:
            continue
        if s.automatic:
            # An out-of-office's return date, or an acknowledgement's "within 5 working days".
            back = s.return_date or promised_date(r.text, sent)
            if s.return_date:
                away = max(away or s.return_date, s.return_date)
        else:
            holding = _holding(r, sent)
            back = holding.promised
            if back is None:
                due_day = max(due_day, add_business_days(sent, policy.business_days))
        if back:
            due_day = max(due_day, _next_business_day(back))
    return due_day, holding, away
