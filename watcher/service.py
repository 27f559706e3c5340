"""Orchestration: adapters in, core called. One sync of every account; one digest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from watcher.config import Account, Config
from watcher.credentials import get_secret
from watcher.errors import (
    EXIT_PARTIAL,
    CredentialError,
    Interrupted,
    MailServerError,
    StorageError,
    WatcherError,
)
from watcher.labels import Label
from watcher.mail.messages import Message
from watcher.mailsource import MailSource
from watcher.storage import Store
from watcher.sync import AccountSync, RequestDetector, SyncReport

if TYPE_CHECKING:
    from watcher.classify.pointscore import Point
    from watcher.digest import Digest
    from watcher.followups import ThreadState
    from watcher.journal import JournalPoint

log = logging.getLogger(__name__)

SourceFactory = Callable[[Account], MailSource]

# (label, confidence, model name) per reply, in order, as the state database keeps them.
ClassifyReplies = Callable[[Sequence[Message]], list[tuple[str, float, str]]]

Row = TypeVar("Row")


def mail_source_factory(environ: Mapping[str, str]) -> SourceFactory:
    def open_source(account: Account) -> MailSource:
        if account.mbox:
            from watcher.mboxsource import MboxSource

            return MboxSource(Path(account.mbox))
        if account.maildir:
            from watcher.localmail import MaildirSource

            return MaildirSource(Path(account.maildir))
        from watcher.imap import ImapSource

        return ImapSource(account, get_secret(account, environ))

    return open_source


class LazyModel(Generic[Row]):
    """A classifier built (and scikit-learn imported) on the first call with work to do."""

    def __init__(self, make: Callable[[], Callable[[Sequence[Message]], list[Row]]]) -> None:
        self.make = make
        self._model: Callable[[Sequence[Message]], list[Row]] | None = None

    def __call__(self, messages: Sequence[Message]) -> list[Row]:
        if not messages:
            return []
        if self._model is None:
            self._model = self.make()
        return self._model(messages)


def lazy_request_detector(
    data_dir: Path | None,
) -> LazyModel[tuple[int | str, bool, float | None]]:
    """Judges sent messages: [(message_id, is_request, confidence)]."""
    from watcher.classify.classifier import RequestDetector

    return LazyModel(lambda: RequestDetector(data_dir))


def lazy_reply_classifier(data_dir: Path | None) -> LazyModel[tuple[str, float, str]]:
    """Labels replies: [(label, confidence, model name)]."""
    from watcher.classify.classifier import ReplyClassifier

    return LazyModel(lambda: ReplyClassifier(data_dir))


# (points, model name) per reply, in order: what a reply says about the candidate.
ExtractPoints = Callable[[Sequence[Message]], list[tuple[list["Point"], str]]]


def lazy_point_extractor(data_dir: Path | None) -> LazyModel[tuple[list[Point], str]]:
    """Finds the points of replies: [(points, model name)]; the model loads on first use."""
    from watcher.classify.pointmodel import MessagePoints

    return LazyModel(lambda: MessagePoints(data_dir))


@dataclass
class AccountResult:
    account: str
    report: SyncReport | None
    error: str | None
    exit_code: int = 0  # as errors.py orders them: the worst of the accounts is the command's

    @property
    def partial(self) -> str | None:
        return self.report.partial if self.report else None


def sync_exit_code(results: Sequence[AccountResult]) -> int:
    """One exit code for a sync of several accounts (the rule is in errors.py)."""
    codes = {r.exit_code for r in results if r.exit_code}
    for code in (CredentialError.exit_code, MailServerError.exit_code):
        if code in codes:
            return code
    return EXIT_PARTIAL if any(r.partial for r in results) else 0


def sync_accounts(
    config: Config,
    store: Store,
    open_source: SourceFactory,
    detect_requests: RequestDetector,
    now: datetime,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[AccountResult]:
    """Sync every account; one failing account is logged and never stops the others."""
    results = []
    for account in config.accounts:
        try:
            source = open_source(account)
            try:
                report = AccountSync(
                    source,
                    store,
                    account,
                    now=now,
                    lookback_days=config.lookback_days,
                    detect_requests=detect_requests,
                    should_stop=should_stop,
                ).run()
            finally:
                source.close()
        except (Interrupted, StorageError):
            raise  # the state file is shared by every account: nothing more can be saved
        except WatcherError as exc:
            # INFO: the caller shows the error to the user once; this line is for the log file.
            log.info("sync failed: %s", exc)
            store.record_sync(account.name, now, error=str(exc))
            results.append(AccountResult(account.name, None, str(exc), exc.exit_code))
            continue
        log.info(
            "%s: %d folders, %d searches, %d messages fetched (%d new), %d requests",
            account.name,
            len(report.folders),
            report.searches,
            report.fetched,
            report.new_messages,
            report.requests,
        )
        store.record_sync(account.name, now, partial=report.partial)
        store.put(f"sync_gap:{account.name}", "1" if report.may_have_missed_mail else "")
        results.append(AccountResult(account.name, report, None))
    return results


def own_addresses(config: Config) -> frozenset[str]:
    out: set[str] = set()
    for account in config.accounts:
        out |= account.own_addresses
    return frozenset(out)


def thread_states(
    config: Config, store: Store, classify: ClassifyReplies, now: datetime
) -> list[ThreadState]:
    """Threads from stored mail, their replies classified (once, cached), then assessed."""
    from watcher.classify.features import reply_text
    from watcher.conversations import build_threads
    from watcher.followups import assess

    own = own_addresses(config)
    requests = store.messages(own=True, requests=True)
    threads = build_threads(
        requests, {m.message_id for m in requests}, store.messages(own=False), own
    )
    replies = [r for t in threads for r in t.replies]
    labels = store.labels()
    unlabeled = [m for m in replies if m.ref not in labels]
    if unlabeled:
        new = classify(unlabeled)
        store.set_labels((m.ref, lab, conf, model) for m, (lab, conf, model) in zip(unlabeled, new))
        labels = store.labels()
    corrections = store.corrections()
    merged: dict[int | str, tuple[Label, float, bool]] = {
        ref: (corrections[ref], 1.0, True)
        if ref in corrections
        else (stored.label, stored.confidence, False)
        for ref, stored in labels.items()
    }
    texts: dict[int | str, str] = {m.ref: reply_text(m) for m in replies}
    return [
        assess(t, merged, texts, config.followup, now, config.confidence_threshold) for t in threads
    ]


def reply_company(state: ThreadState, message: Message) -> str:
    """The company a reply speaks for: its sender's company domain, else the person asked's."""
    from watcher.domains import company_domain, domain_of

    for address in (message.sender.email if message.sender else "", state.thread.counterpart):
        if address and company_domain(address):
            return company_domain(address) or ""
    return domain_of(state.thread.counterpart) or state.thread.counterpart


def journal_points(
    store: Store, states: Sequence[ThreadState], extract: ExtractPoints
) -> tuple[list[JournalPoint], list[tuple[str, datetime]]]:
    """The points of every feedback and rejection reply, read once and cached in the state.

    Returns the points (a corrected point keeps the user's kind and theme; one the user said
    is no point is left out) and (company, date) of every such reply.
    """
    from watcher.journal import JournalPoint

    replies = [
        (s, r) for s in states for r in s.replies if r.label in (Label.FEEDBACK, Label.REJECTION)
    ]
    scanned = store.point_scans()
    todo = [r.message for _, r in replies if r.message.ref not in scanned]
    if todo:
        for message, (points, model) in zip(todo, extract(todo)):
            store.set_points(
                message.ref,
                [(p.start, p.text, p.kind, p.theme, p.confidence) for p in points],
                model,
            )
    by_reply: dict[int, list] = {}
    for p in store.points(r.message.ref for _, r in replies):
        by_reply.setdefault(p.msg, []).append(p)
    out, answered = [], []
    for state, reply in replies:
        company = reply_company(state, reply.message)
        answered.append((company, reply.message.date))
        for p in by_reply.get(reply.message.ref, ()):
            if p.kind in ("strength", "improvement", "comparison"):
                out.append(
                    JournalPoint(
                        p.handle,
                        p.kind,
                        p.theme,
                        p.text,
                        p.confidence,
                        company,
                        reply.message.date,
                        p.corrected,
                    )
                )
    return out, answered


def make_digest(
    config: Config,
    store: Store,
    classify: ClassifyReplies,
    now: datetime,
    since: datetime | None = None,
    extract: ExtractPoints | None = None,
) -> Digest:
    from watcher.digest import AccountHealth, Digest, states_sorted

    states = thread_states(config, store, classify, now)
    new_points: list[tuple[str, int]] = []
    if extract is not None:
        points, _ = journal_points(store, states, extract)
        counts: dict[str, int] = {}
        for p in points:
            if since is None or p.date > since:
                counts[p.company] = counts.get(p.company, 0) + 1
        new_points = sorted(counts.items())
    health = []
    for account in config.accounts:
        rec = store.account(account.name)
        failing = rec.last_error is not None and (
            rec.last_ok is None or (rec.last_attempt is not None and rec.last_attempt > rec.last_ok)
        )
        gap = bool(store.get(f"sync_gap:{account.name}"))
        health.append(
            AccountHealth(
                account.name,
                rec.last_ok,
                rec.last_error if failing else None,
                partial=rec.partial,
                unchecked=failing or gap,
            )
        )
    unchecked = {h.account for h in health if h.unchecked}
    if unchecked:
        owner = store.accounts_of(s.thread.request.ref for s in states)
        states = [_unchecked(s, owner.get(s.thread.request.ref), unchecked) for s in states]
    return Digest(now, states_sorted(states), tuple(health), since, tuple(new_points))


def _unchecked(state: ThreadState, account: str | None, unchecked: set[str]) -> ThreadState:
    """No ask is proposed for a thread whose answer may be sitting unread on the server."""
    if account not in unchecked or state.status != Label.NO_RESPONSE or state.gone_quiet:
        return state
    return replace(state, due=None, due_since=None, next_due=None, unchecked=account)
