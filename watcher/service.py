"""Orchestration: adapters in, core called. One sync of every account; one digest."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from watcher.config import Account, Config
from watcher.credentials import OAUTH2_PAUSE, Secret, get_secret
from watcher.errors import (
    EXIT_PARTIAL,
    AuthenticationFailed,
    CredentialError,
    Interrupted,
    LoginPaused,
    MailServerError,
    StorageError,
    WatcherError,
)
from watcher.labels import Label, RequestVerdict
from watcher.mail.messages import Message
from watcher.mailsource import MailSource
from watcher.storage import AccountRecord, Store
from watcher.sync import AccountSync, RequestDetector, SyncReport

if TYPE_CHECKING:
    from watcher.classify.pointscore import Point
    from watcher.digest import Digest, UnsureRequest
    from watcher.followups import ThreadState
    from watcher.journal import JournalPoint

log = logging.getLogger(__name__)

SourceFactory = Callable[[Account], MailSource]

# (label, confidence, model name) per reply, in order, as the state database keeps them.
ClassifyReplies = Callable[[Sequence[Message]], list[tuple[str, float, str]]]

Row = TypeVar("Row")

# How far back the digest asks "did you ask for feedback here?": a sent message older than this
# is past its first follow-up anyway; `sent --since` and `review` still reach it.
UNSURE_WINDOW = timedelta(days=30)


AUTH_KEY = "auth_refused:"


def login_fingerprint(account: Account, secret: Secret, salt: bytes) -> str:
    """What a refused login is remembered by: the account's settings and, for a password,
    the password itself, through a slow salted hash (never the password in clear). An OAuth2
    token changes every hour by itself, so only the settings count there."""
    material = repr(account).encode("utf-8", "surrogatepass")
    if not secret.oauth2:
        material += b"\0" + secret.value.encode("utf-8", "surrogatepass")
    return hashlib.pbkdf2_hmac("sha256", material, salt, 100_000).hex()


@dataclass(frozen=True)
class RefusedLogin:
    salt: bytes
    fingerprint: str
    at: datetime
    oauth2: bool

    @classmethod
    def load(cls, text: str | None) -> RefusedLogin | None:
        try:
            d = json.loads(text) if text else None
            if not d:
                return None
            return cls(
                bytes.fromhex(d["salt"]),
                d["fingerprint"],
                datetime.fromisoformat(d["at"]),
                bool(d["oauth2"]),
            )
        except (ValueError, TypeError, KeyError):
            return None

    def dump(self) -> str:
        return json.dumps(
            {
                "salt": self.salt.hex(),
                "fingerprint": self.fingerprint,
                "at": self.at.isoformat(),
                "oauth2": self.oauth2,
            }
        )

    def holds(self, account: Account, secret: Secret, now: datetime) -> bool:
        """True while the same login would be refused again: nothing changed (and, for
        OAuth2, the pause is not over)."""
        if login_fingerprint(account, secret, self.salt) != self.fingerprint:
            return False
        return not (self.oauth2 and now >= self.at + OAUTH2_PAUSE)


class AuthGuard:
    """Refused logins, remembered in the state: the service does not try one again until the
    account's settings or its password source changes (OAuth2: for OAUTH2_PAUSE). A sync you
    run yourself always tries."""

    def __init__(self, store: Store, now: datetime, enforce: bool) -> None:
        self.store = store
        self.now = now
        self.enforce = enforce

    def check(self, account: Account, secret: Secret) -> None:
        refused = RefusedLogin.load(self.store.get(AUTH_KEY + account.name))
        if refused is None or not self.enforce or not refused.holds(account, secret, self.now):
            return
        until = (
            f" or until {(refused.at + OAUTH2_PAUSE).isoformat(timespec='minutes')}"
            if refused.oauth2
            else ""
        )
        raise LoginPaused(
            f"account {account.name}: the server refused the login at "
            f"{refused.at.isoformat(timespec='minutes')}; the service will not try again until "
            f"the password or the account's settings change{until} (exit code 3); "
            "'feedback-watcher sync' tries now"
        )

    def refused(self, account: Account, secret: Secret) -> None:
        salt = os.urandom(16)
        record = RefusedLogin(
            salt, login_fingerprint(account, secret, salt), self.now, secret.oauth2
        )
        self.store.put(AUTH_KEY + account.name, record.dump())
        log.warning(
            "%s: the server refused the login; not trying again until %s",
            account.name,
            f"{OAUTH2_PAUSE.seconds // 3600} h have passed or the settings change"
            if secret.oauth2
            else "the password or the account's settings change",
        )

    def succeeded(self, account: Account) -> None:
        if self.store.get(AUTH_KEY + account.name):
            self.store.put(AUTH_KEY + account.name, "")


def mail_source_factory(
    environ: Mapping[str, str], guard: AuthGuard | None = None
) -> SourceFactory:
    def open_source(account: Account) -> MailSource:
        if account.mbox:
            from watcher.mboxsource import MboxSource

            return MboxSource(Path(account.mbox))
        if account.maildir:
            from watcher.localmail import MaildirSource

            return MaildirSource(Path(account.maildir))
        from watcher.imap import ImapSource

        secret = get_secret(account, environ)
        if guard is not None:
            guard.check(account, secret)
        try:
            source = ImapSource(account, secret)
        except AuthenticationFailed:
            if guard is not None:
                guard.refused(account, secret)
            raise
        if guard is not None:
            guard.succeeded(account)
        return source

    return open_source


class LazyModel(Generic[Row]):
    """A classifier built (and scikit-learn imported) on the first call with work to do.

    Arguments after the messages (the request detector's recipient facts and the user's
    addresses) are passed on as given."""

    def __init__(self, make: Callable[[], Callable[..., list[Row]]]) -> None:
        self.make = make
        self._model: Callable[..., list[Row]] | None = None

    def __call__(self, messages: Sequence[Message], *context: Any) -> list[Row]:
        if not messages:
            return []
        if self._model is None:
            self._model = self.make()
        return self._model(messages, *context)


def lazy_request_detector(
    data_dir: Path | None,
) -> LazyModel[tuple[int | str, RequestVerdict, float | None]]:
    """Judges sent messages: [(message key, verdict, P(request))], given the facts about their
    recipients and the user's addresses."""
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
            # A paused login was logged when it was refused: once is enough.
            log.log(
                logging.DEBUG if isinstance(exc, LoginPaused) else logging.INFO,
                "sync failed: %s",
                exc,
            )
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


CLOCK_SLACK = timedelta(minutes=5)  # a stored time this far ahead of now was not written now


def trusted_time(value: datetime | None, now: datetime, what: str) -> datetime | None:
    """A stored time, or None when it lies in the future: written while the clock was ahead,
    it would hide every warning that counts from it. Logged once per process and value."""
    if value is None or value <= now + CLOCK_SLACK:
        return value
    if (what, value) not in _DOUBTED:
        _DOUBTED.add((what, value))
        log.warning(
            "the %s is recorded as %s, in the future (was the clock ahead?); "
            "treating it as unknown",
            what,
            value.isoformat(timespec="seconds"),
        )
    return None


_DOUBTED: set[tuple[str, datetime]] = set()


def account_record(store: Store, name: str, now: datetime) -> AccountRecord:
    """The account's sync record with times in the future taken as unknown."""
    rec = store.account(name)
    return replace(
        rec,
        last_ok=trusted_time(rec.last_ok, now, f"last successful sync of {name}"),
        last_attempt=trusted_time(rec.last_attempt, now, f"last sync attempt of {name}"),
    )


def account_failing(rec: AccountRecord) -> bool:
    """The latest attempt failed (or none ever succeeded and one failed)."""
    return rec.last_error is not None and (
        rec.last_ok is None or rec.last_attempt is None or rec.last_attempt > rec.last_ok
    )


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
    unsure = unsure_requests(store, now - UNSURE_WINDOW)
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
        rec = account_record(store, account.name, now)
        failing = account_failing(rec)
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
    return Digest(
        now,
        states_sorted(states),
        tuple(health),
        since,
        tuple(unsure),
        own_addresses(config),
        new_points=tuple(new_points),
    )


def unsure_requests(store: Store, since: datetime | None = None) -> list[UnsureRequest]:
    """Sent messages the request model was unsure of and the user has not answered, newest
    first: no thread (and no follow-up) until the user tracks one."""
    from watcher.classify.features import sent_sample
    from watcher.digest import UnsureRequest

    return [
        UnsureRequest(m, confidence, sent_sample(m).text)
        for m, confidence in store.unsure_requests(since)
    ]


def _unchecked(state: ThreadState, account: str | None, unchecked: set[str]) -> ThreadState:
    """No ask is proposed for a thread whose answer may be sitting unread on the server."""
    if account not in unchecked or state.status != Label.NO_RESPONSE or state.gone_quiet:
        return state
    return replace(state, due=None, due_since=None, next_due=None, unchecked=account)
