"""Orchestration: adapters in, core called. One sync of every account; one digest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from watcher.config import Account, Config
from watcher.credentials import get_secret
from watcher.errors import Interrupted, StorageError, WatcherError
from watcher.mailsource import MailSource
from watcher.storage import Store
from watcher.sync import AccountSync, RequestDetector, SyncReport

log = logging.getLogger(__name__)

SourceFactory = Callable[[Account], MailSource]


def mail_source_factory(environ: Mapping[str, str]) -> SourceFactory:
    def open_source(account: Account) -> MailSource:
        if account.maildir:
            from watcher.localmail import MaildirSource

            return MaildirSource(account.maildir)
        from watcher.imap import ImapSource

        return ImapSource(account, get_secret(account, environ))

    return open_source


class LazyRequestDetector:
    """Loads the request model (and scikit-learn) only when there is sent mail to judge."""

    def __init__(self, data_dir) -> None:
        self.data_dir = data_dir
        self._detector = None

    def __call__(self, messages):
        if not messages:
            return []
        if self._detector is None:
            from watcher.classifier import RequestDetector

            self._detector = RequestDetector(self.data_dir)
        return self._detector(messages)


@dataclass
class AccountResult:
    account: str
    report: SyncReport | None
    error: str | None


def sync_accounts(config: Config, store: Store, open_source: SourceFactory,
                  detect_requests: RequestDetector, now: datetime,
                  should_stop=lambda: False) -> list[AccountResult]:
    """Sync every account; one failing account is logged and never stops the others."""
    results = []
    for account in config.accounts:
        try:
            source = open_source(account)
            try:
                report = AccountSync(source, store, account, now=now,
                                     lookback_days=config.lookback_days,
                                     detect_requests=detect_requests,
                                     should_stop=should_stop).run()
            finally:
                source.close()
        except (Interrupted, StorageError):
            raise  # the state file is shared by every account: nothing more can be saved
        except WatcherError as exc:
            log.error("%s", exc)
            store.record_sync(account.name, now, error=str(exc))
            results.append(AccountResult(account.name, None, str(exc)))
            continue
        log.info("%s: %d folders, %d searches, %d messages fetched (%d new), %d requests",
                 account.name, len(report.folders), report.searches, report.fetched,
                 report.new_messages, report.requests)
        store.record_sync(account.name, now)
        results.append(AccountResult(account.name, report, None))
    return results


class LazyReplyClassifier:
    """Loads the reply model only when there are unlabeled replies."""

    def __init__(self, data_dir) -> None:
        self.data_dir = data_dir
        self._classifier = None

    def __call__(self, messages):
        if not messages:
            return []
        if self._classifier is None:
            from watcher.classifier import ReplyClassifier

            self._classifier = ReplyClassifier(self.data_dir)
        return [(v.label, v.confidence, self._classifier.model.name)
                for v in self._classifier.classify(messages)]


def own_addresses(config: Config) -> frozenset[str]:
    out: set[str] = set()
    for account in config.accounts:
        out |= account.own_addresses
    return frozenset(out)


def thread_states(config: Config, store: Store, classify, now: datetime):
    """Threads from stored mail, their replies classified (once, cached), then assessed."""
    from watcher.conversations import build_threads
    from watcher.features import reply_text
    from watcher.followups import assess

    own = own_addresses(config)
    marks = store.request_marks()
    request_ids = {mid for mid, (is_request, _) in marks.items() if is_request}
    threads = build_threads(store.messages(own=True), request_ids, store.messages(own=False), own)
    replies = [r for t in threads for r in t.replies]
    labels = store.labels()
    unlabeled = [m for m in replies if m.message_id not in labels]
    if unlabeled:
        new = classify(unlabeled)
        store.set_labels((m.message_id, lab, conf, model)
                         for m, (lab, conf, model) in zip(unlabeled, new))
        labels = store.labels()
    corrections = store.corrections()
    merged = {mid: (corrections[mid], 1.0, True) if mid in corrections else (lab, conf, False)
              for mid, (lab, conf, _) in labels.items()}
    texts = {m.message_id: reply_text(m) for m in replies}
    return [assess(t, merged, texts, config.followup, now, config.confidence_threshold)
            for t in threads]


def make_digest(config: Config, store: Store, classify, now: datetime, since=None):
    from watcher.digest import AccountHealth, Digest, states_sorted

    states = thread_states(config, store, classify, now)
    health = []
    for account in config.accounts:
        rec = store.account(account.name)
        health.append(AccountHealth(account.name, rec.last_ok, rec.last_error))
    return Digest(now, states_sorted(states), tuple(health), since)
