"""Orchestration: adapters in, core called. One sync of every account; one digest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from watcher.config import Account, Config
from watcher.credentials import get_secret
from watcher.errors import WatcherError
from watcher.mailsource import MailSource
from watcher.storage import Store
from watcher.sync import AccountSync, RequestDetector, SyncReport

log = logging.getLogger(__name__)

SourceFactory = Callable[[Account], MailSource]


def imap_source_factory(environ: Mapping[str, str]) -> SourceFactory:
    def open_source(account: Account) -> MailSource:
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
                  detect_requests: RequestDetector, now: datetime) -> list[AccountResult]:
    """Sync every account; one failing account is logged and never stops the others."""
    results = []
    for account in config.accounts:
        try:
            source = open_source(account)
            try:
                report = AccountSync(source, store, account, now=now,
                                     lookback_days=config.lookback_days,
                                     detect_requests=detect_requests).run()
            finally:
                source.close()
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
