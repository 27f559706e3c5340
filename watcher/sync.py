"""One read-only pass over an account: new mail the user sent, and replies that may answer it.

The cost of a pass follows new mail and the number of tracked requests, not the mailbox size:
a folder with nothing new costs one STATUS, and replies are found by server-side SEARCH (by
sender, by company domain, by In-Reply-To/References) instead of fetching every header.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from watcher.config import Account
from watcher.domains import AUTOMATED_SENDERS, company_domain
from watcher.errors import Interrupted
from watcher.folders import Folder, choose_folders
from watcher.mail.messages import Message, parse_message
from watcher.mailsource import MailSource, SearchQuery
from watcher.progress import Progress
from watcher.storage import FolderRecord, Store

log = logging.getLogger(__name__)

STORE_BATCH = 100  # messages per SQLite transaction: a killed sync loses at most one batch
KEYS_PER_SEARCH = 40  # alternatives per SEARCH command, to stay far below line-length limits

# (messages) -> [(message_id, is_request, confidence)]
RequestDetector = Callable[[Sequence[Message]], list[tuple[str, bool, float | None]]]


@dataclass
class SyncReport:
    account: str
    folders: list[str] = field(default_factory=list)
    searches: int = 0
    fetched: int = 0
    new_messages: int = 0
    requests: int = 0


def reply_keys(requests: Iterable[Message], own: frozenset[str]) -> set[str]:
    """What identifies a possible reply to these requests: senders, domains, message ids."""
    keys: set[str] = set()
    for m in requests:
        keys.add("id:" + m.message_id)
        for addr in m.recipients:
            if addr.email in own:
                continue
            keys.add("from:" + addr.email)
            domain = company_domain(addr.email)
            if domain:
                keys.add("from:@" + domain)
    if keys:
        keys.update("from:" + s for s in AUTOMATED_SENDERS)  # bounces of the requests
    return keys


def _queries(lo: int, hi: int, since, keys: set[str]) -> list[SearchQuery]:
    ordered = sorted(keys)
    out = []
    for i in range(0, len(ordered), KEYS_PER_SEARCH):
        chunk = ordered[i : i + KEYS_PER_SEARCH]
        senders = tuple(k[5:] for k in chunk if k.startswith("from:"))
        ids = tuple(k[3:] for k in chunk if k.startswith("id:"))
        out.append(SearchQuery(lo, hi, since, senders, ids))
    return out


class AccountSync:
    """Runs one pass for one account over a MailSource into the Store."""

    def __init__(
        self,
        source: MailSource,
        store: Store,
        account: Account,
        *,
        now: datetime,
        lookback_days: int,
        detect_requests: RequestDetector,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.source = source
        self.store = store
        self.account = account
        self.now = now
        self.lookback = timedelta(days=lookback_days)
        self.detect_requests = detect_requests
        self.should_stop = should_stop
        self.report = SyncReport(account.name)

    def run(self) -> SyncReport:
        acc = self.account
        folders = choose_folders(
            self.source.list_folders(), acc.include_folders, acc.exclude_folders
        )
        self.report.folders = [f.name for f in folders]
        self.store.forget_folders(acc.name, self.report.folders)
        tops: dict[str, tuple[FolderRecord, int, int]] = {}
        for folder in folders:
            rec, top, count = self._open(folder)
            tops[folder.name] = (rec, top, count)
            if top > rec.scanned_uid:
                own = tuple(sorted(acc.own_addresses))
                q = SearchQuery(rec.scanned_uid + 1, top, self._since(folder.name), own)
                self._fetch_matching(folder.name, [q])
        requests = self._judge_requests()
        keys = reply_keys(requests, acc.own_addresses)
        earliest = min((m.date for m in requests), default=None)
        since = (earliest - timedelta(days=1)).date() if earliest else None
        for folder in folders:
            if self.should_stop():
                raise Interrupted("sync interrupted between folders")
            rec, top, count = tops[folder.name]
            queries: list[SearchQuery] = []
            new_keys = keys - self.store.folder_keys(acc.name, folder.name)
            if new_keys and rec.scanned_uid:
                queries += _queries(1, rec.scanned_uid, since, new_keys)
            if keys and top > rec.scanned_uid:
                queries += _queries(rec.scanned_uid + 1, top, since, keys)
            self._fetch_matching(folder.name, queries)
            self.store.update_folder(
                acc.name,
                folder.name,
                scanned_uid=max(top, rec.scanned_uid),
                messages=count,
                keys=keys,
            )
        self.report.requests = len(requests)
        return self.report

    def _since(self, folder: str):
        """The lookback's start, counted back from the folder's newest mail when that is older.

        For a mailbox in use the newest mail is today's; for an archive or a copied mailbox it
        may be months old, and "the last 180 days" then means the last 180 days of that mail.
        """
        latest = self.source.latest_arrival(folder)
        anchor = min(self.now, latest) if latest is not None else self.now
        return (anchor - self.lookback).date()

    def _open(self, folder: Folder) -> tuple[FolderRecord, int, int]:
        acc = self.account.name
        status = self.source.status(folder.name)
        rec = self.store.folder(acc, folder.name)
        if rec is None or rec.uidvalidity != status.uidvalidity:
            if rec is not None:
                log.warning(
                    "%s/%s: UIDVALIDITY changed; reading the folder again", acc, folder.name
                )
            self.store.reset_folder(acc, folder.name, folder.role, status.uidvalidity)
            rec = self.store.folder(acc, folder.name)
            assert rec is not None
        return rec, status.uidnext - 1, status.messages

    def _fetch_matching(self, folder: str, queries: list[SearchQuery]) -> None:
        uids: set[int] = set()
        for q in queries:
            if not q.empty:
                self.report.searches += 1
                uids.update(self.source.search(folder, q))
        uids -= self.store.known_uids(self.account.name, folder)
        if not uids:
            return
        with Progress(f"{self.account.name}/{folder}", len(uids)) as progress:
            self._fetch_into(folder, sorted(uids), progress)

    def _fetch_into(self, folder: str, uids: list[int], progress: Progress) -> None:
        batch: list[tuple[int, Message]] = []
        for fetched in self.source.fetch(folder, uids):
            progress.advance()
            internal = fetched.internaldate
            if internal is not None and internal.tzinfo is None:
                internal = internal.astimezone()  # imapclient gives local naive times
            batch.append((fetched.uid, parse_message(fetched.raw, internal)))
            if len(batch) >= STORE_BATCH:
                self._store(folder, batch)
                batch = []
        if batch:
            self._store(folder, batch)

    def _store(self, folder: str, batch: list[tuple[int, Message]]) -> None:
        if self.should_stop():
            # Between batches: everything stored so far is committed, and the next sync
            # resumes from it (folder positions move only after a folder is complete).
            raise Interrupted("sync interrupted; what was fetched so far is saved")
        self.report.fetched += len(batch)
        self.report.new_messages += self.store.add_messages(
            self.account.name, folder, batch, self.account.own_addresses
        )

    def _judge_requests(self) -> list[Message]:
        """Decide new sent mail; return every request (both are small SQL reads when idle)."""
        account = self.account.name
        unjudged = self.store.messages(own=True, account=account, marked=False)
        # Mail sent in the user's name by a program (our own digest copy, auto-replies) asks
        # nothing of anyone.
        automatic = [m for m in unjudged if m.signals.automatic]
        if automatic:
            self.store.mark_requests((m.message_id, False, "automatic", None) for m in automatic)
        unjudged = [m for m in unjudged if not m.signals.automatic]
        if unjudged:
            decisions = self.detect_requests(unjudged)
            self.store.mark_requests((mid, ok, "model", conf) for mid, ok, conf in decisions)
        return self.store.messages(own=True, account=account, requests=True)
