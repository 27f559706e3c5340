"""One read-only pass over an account: new mail the user sent, and replies that may answer it.

The cost of a pass follows new mail and the number of tracked requests, not the mailbox size:
a folder with nothing new costs one STATUS, and replies are found by server-side SEARCH (by
sender, by company domain, by In-Reply-To/References) instead of fetching every header.

Servers differ in what SEARCH they accept and how well it matches, so the search steps down a
ladder per account (remembered in the state, tried upward again after a day): nested ORs, flat
ORs, one key per command, and last no SEARCH for reply keys at all (threading headers fetched
and matched here). Apart from that ladder, a server that refuses HEADER keys (Yahoo) keeps its
OR search and has In-Reply-To/References matched here; so do servers known to under-match
(References on Gmail and Outlook.com), and "@domain" where search is word-based. A probe of one
key per SEARCH tells which of these an account's server does.

Nothing is lost quietly: a UID the server leaves out of a FETCH waits in `pending` and is asked
for again (a bounded number of times); a folder the server refuses is skipped with a log line
and the sync is reported partial; mail expunged on the server is marked gone, not deleted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from watcher.classify.features import RecipientFacts
from watcher.config import Account
from watcher.conversations import build_threads
from watcher.domains import AUTOMATED_SENDERS, company_domain, domain_of
from watcher.errors import Interrupted, ServerRefused
from watcher.folders import SKIPPED_ROLES, Folder, folder_choice
from watcher.hiringfacts import (
    FACT_CEILING,
    FACT_FLOOR,
    SeenFacts,
    Sighting,
    derive,
    fact_batches,
    fact_keys,
    first_recipient,
    lookup_terms,
    sighting,
    stale_keys,
)
from watcher.labels import RequestVerdict
from watcher.mail.messages import Message, ThreadingHeaders, parse_message, threading_headers
from watcher.mailsource import SEARCH_FORMS, MailSource, SearchQuery
from watcher.progress import Progress
from watcher.recipientfacts import (
    TERMS_PER_SEARCH,
    LookupCost,
    mailbox_facts,
    recipient_facts,
)
from watcher.storage import FolderRecord, Store

log = logging.getLogger(__name__)

STORE_BATCH = 100  # messages per SQLite transaction: a killed sync loses at most one batch
# Keys per SEARCH command: as many as fit a budget of bytes (a sender about its length, an id
# twice: In-Reply-To and References), far below servers' line limits (8 KB and up). Each
# SEARCH of a window costs a pass over its messages on the server (Dovecot: 0.12-0.15 s at
# 50,000 messages for the pass alone), so fewer, longer commands.
KEYS_PER_SEARCH = 100
SEARCH_KEY_BYTES = 6000
# Where each key costs a SEARCH of its own (no OR), a query with more keys than this is matched
# from fetched headers instead: one FETCH of the range against a round trip per key (126
# SEARCH commands for 15 requests, 2.8 s on loopback at 10,000 messages, against 1.2 s).
SINGLE_SEARCHES_MAX = 4
MAX_FETCH_TRIES = 5  # a UID the server keeps withholding is given up after this many syncs
RETRY_RICHER_SEARCH = timedelta(days=1)  # "NO ... try again later" may have been passing
REPROBE = timedelta(days=7)

# The rungs of the search ladder, richest first. Level 3 was "no HEADER search" (below one
# key per SEARCH) before that became SearchPlan.no_header, beside any rung.
LEVEL_NAMES = ("nested OR", "flat OR", "one key per SEARCH", "no HEADER search", "headers only")
LEVEL_SINGLE = 2
LEVEL_NO_HEADER = 3
LEVEL_HEADERS_ONLY = 4

# (messages, facts about their recipients, the user's addresses)
#   -> [(message key: the state id of a stored message, verdict, P(request))]
RequestDetector = Callable[
    [Sequence[Message], Mapping[str, RecipientFacts], frozenset[str]],
    list[tuple[int | str, RequestVerdict, float | None]],
]


@dataclass
class SyncReport:
    account: str
    folders: list[str] = field(default_factory=list)
    searches: int = 0
    fetched: int = 0
    new_messages: int = 0
    requests: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # folder -> the server's answer
    refused_roles: set[str] = field(default_factory=set)
    withheld: int = 0  # UIDs asked for and not delivered (fetched again next time)
    expunged: int = 0
    pruned: int = 0
    headers_scanned: int = 0
    search_level: int = 0
    # Looking into the mailbox for facts about new requests' recipients (not in ``searches``).
    fact_searches: int = 0
    fact_headers: int = 0

    @property
    def may_have_missed_mail(self) -> bool:
        """True when an answer may be on the server unread: a message withheld, or INBOX or
        the sent folder refused. (Another refused folder is reported, not held against the
        account's threads: an Exchange calendar refuses forever and holds no replies.)"""
        return bool(self.withheld or self.refused_roles & {"inbox", "sent", "all"})

    @property
    def partial(self) -> str | None:
        """What this pass could not read, in a few words, or None when it read everything."""
        parts = []
        if self.refused:
            parts.append(f"{len(self.refused)} folder(s) refused: " + ", ".join(self.refused))
        if self.withheld:
            parts.append(f"{self.withheld} message(s) withheld by the server")
        return "; ".join(parts) or None


@dataclass
class SearchPlan:
    """How this account's server is searched, as learnt from refusals and probes."""

    level: int = 0
    stepped_at: str | None = None  # when the level last went down (or no_header was set)
    no_header: bool = False  # the server refuses HEADER search: ids matched here
    local_ids: bool = False  # the server under-matches HEADER References: match here
    local_domains: bool = False  # the server under-matches FROM "@domain": match here
    probed_at: str | None = None

    @classmethod
    def load(cls, text: str | None) -> SearchPlan:
        try:
            data = json.loads(text) if text else {}
            plan = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except (ValueError, TypeError):
            return cls()
        if plan.level == LEVEL_NO_HEADER:  # as stored before no_header
            plan.level, plan.no_header = LEVEL_SINGLE, True
        return plan

    @property
    def name(self) -> str:
        return LEVEL_NAMES[self.level] + (", no HEADER search" if self.no_header else "")

    def dump(self) -> str:
        return json.dumps(asdict(self))


@dataclass(frozen=True)
class Position:
    """A folder's position before this pass, the top UID it reads to, and the reply keys it
    searched with: what moving the position mid-folder needs."""

    start: int
    top: int
    keys: set[str]


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


def _key_bytes(key: str) -> int:
    """About what a key adds to a SEARCH command: ``OR FROM "x"``, or the id under both
    ``HEADER In-Reply-To`` and ``HEADER References``."""
    if key.startswith("id:"):
        return 2 * (len(key) - 3 + 24)
    return len(key) - 5 + 12


def _chunks(keys: set[str], per: int, budget: int) -> list[list[str]]:
    out: list[list[str]] = []
    chunk: list[str] = []
    used = 0
    for key in sorted(keys):
        cost = _key_bytes(key)
        if chunk and (len(chunk) >= per or used + cost > budget):
            out.append(chunk)
            chunk, used = [], 0
        chunk.append(key)
        used += cost
    if chunk:
        out.append(chunk)
    return out


def _queries(
    lo: int, hi: int, since: date | None, keys: set[str], per: int, budget: int = SEARCH_KEY_BYTES
) -> list[SearchQuery]:
    out = []
    for chunk in _chunks(keys, per, budget):
        senders = tuple(k[5:] for k in chunk if k.startswith("from:"))
        ids = tuple(k[3:] for k in chunk if k.startswith("id:"))
        out.append(SearchQuery(lo, hi, since, senders, ids))
    return out


def matches_locally(headers: ThreadingHeaders, query: SearchQuery) -> bool:
    """What the server's SEARCH would answer for this message, decided from its headers."""
    if any(s.lower() in headers.sender for s in query.senders):
        return True
    return bool(headers.chain & set(query.referenced_ids))


@dataclass
class _Judging:
    """Sent mail judged once with what the state knows, waiting for the mailbox's facts."""

    messages: list[Message]
    facts: list[dict[str, RecipientFacts]]
    decisions: list[tuple[int | str, RequestVerdict, float | None]]
    candidates: list[int]  # positions whose verdict a fact can change
    keys: set[str]  # fact keys to look up in the mailbox (never checked, or not lately)


class _HeaderRefused(ServerRefused):
    """A SEARCH of one HEADER key was refused: HEADER search, not the form, is the matter."""


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
        self.new_refs: set[int] = set()
        # Set before the first new message is stored and cleared by the prune, so a pass killed
        # in between is pruned by the next one.
        self.prune_key = f"prune_due:{account.name}"
        self.plan_key = f"search_plan:{account.name}"
        self.plan = SearchPlan.load(store.get(self.plan_key))
        self._advanced: dict[str, int] = {}  # folder -> position moved to in this pass
        self._since_cache: dict[str, date] = {}
        self._incoming: list[tuple[str, int]] = []  # opened folders mail comes into, top UID
        # The lookup of recipient facts folded into a first pass's own-mail SEARCH: its FROM
        # terms, and what the incoming folders' headers showed (folder -> sightings).
        self._fold_terms: tuple[str, ...] = ()
        self._folded: dict[str, list[Sighting]] = {}
        self._fold_keys: set[str] = set()

    # -- the pass -------------------------------------------------------------------------
    def run(self) -> SyncReport:
        acc = self.account
        folders = self._choose_folders()
        self.report.folders = [f.name for f in folders]
        self.store.forget_folders(acc.name, self.report.folders)
        self._maybe_try_richer_search()
        opened = self._read_own_mail(folders)
        requests = self._judge_requests()
        self._maybe_probe()
        keys = reply_keys(requests, acc.own_addresses)
        earliest = min((m.date for m in requests), default=None)
        since = (earliest - timedelta(days=1)).date() if earliest else None
        for folder in folders:
            if folder.name not in opened:
                continue
            if self.should_stop():
                raise Interrupted("sync interrupted between folders")
            rec, top, count, uidnext = opened[folder.name]
            queries: list[SearchQuery] = []
            new_keys = keys - self.store.folder_keys(acc.name, folder.name)
            if new_keys and rec.scanned_uid:
                self.store.forget_passed_over(acc.name, folder.name)
                queries += self._split(1, rec.scanned_uid, since, new_keys)
            if keys and top > rec.scanned_uid:
                queries += self._split(rec.scanned_uid + 1, top, since, keys)
            try:
                uids = self._find(folder.name, queries)
                self._fetch_uids(folder.name, uids, Position(rec.scanned_uid, top, keys))
                self._check_expunged(folder.name, rec, count, uidnext)
            except ServerRefused as exc:
                self._refused(folder, exc)
                continue
            self.store.update_folder(
                acc.name,
                folder.name,
                scanned_uid=max(top, rec.scanned_uid),
                messages=count,
                uidnext=uidnext,
                keys=keys,
            )
        if self.store.get(self.prune_key):
            self._prune(requests)
            self.store.put(self.prune_key, "")
        if not self.report.refused:
            self.store.mark_gone(acc.name, self.now)
        self.report.requests = len(requests)
        self.report.search_level = self.plan.level
        self.store.put(self.plan_key, self.plan.dump())
        return self.report

    def _read_own_mail(
        self, folders: Sequence[Folder]
    ) -> dict[str, tuple[FolderRecord, int, int, int]]:
        """Open each folder and fetch the user's new own mail; on a first pass, sent mail is
        judged on the way (``_may_fold``). Returns the opened folders' records and STATUS."""
        opened: dict[str, tuple[FolderRecord, int, int, int]] = {}
        incoming = [f for f in folders if f.role != "sent" and f.role not in SKIPPED_ROLES]
        judging: _Judging | None = None
        if self._may_fold(folders, incoming):
            # A first pass: the sent folders first, judged, so that the lookup of recipient
            # facts rides on the incoming folders' own SEARCH of the look-back window (one
            # pass over it on the server instead of two).
            for folder in folders:
                if folder.role == "sent":
                    self._first_pass(folder, opened)
            judging = self._first_judgement()
            if judging is not None:
                self._fold_terms = self._fold_terms_for(judging.keys)
            for folder in folders:
                if folder.role != "sent":
                    self._first_pass(folder, opened)
        else:
            for folder in folders:
                self._first_pass(folder, opened)
        self._incoming = [(f.name, opened[f.name][1]) for f in incoming if f.name in opened]
        if judging is not None:
            self._finish_judgement(judging)
        return opened

    def _first_pass(
        self, folder: Folder, opened: dict[str, tuple[FolderRecord, int, int, int]]
    ) -> None:
        """Open a folder, find the user's own new mail in it and fetch it (with the folded
        lookup of recipient facts, when there is one)."""
        acc = self.account
        try:
            rec, top, count, uidnext = self._open(folder)
        except ServerRefused as exc:
            self._refused(folder, exc)
            return
        uids: set[int] = set(self._due_pending(folder.name))
        try:
            if top > rec.scanned_uid:
                own = tuple(sorted(acc.own_addresses))
                q = SearchQuery(rec.scanned_uid + 1, top, self._since(folder.name), own)
                folded = None
                if self._fold_terms and rec.scanned_uid == 0 and folder.role != "sent":
                    folded = self._folded_search(folder.name, q)
                uids |= folded if folded is not None else self._find(folder.name, [q])
            self._fetch_uids(folder.name, uids)
        except ServerRefused as exc:
            self._refused(folder, exc)
            return
        opened[folder.name] = (rec, top, count, uidnext)

    def _choose_folders(self) -> list[Folder]:
        """The folders to watch; a warning for each configured pattern that matches none."""
        acc = self.account
        listed = self.source.list_folders()
        choice = folder_choice(listed, acc.include_folders, acc.exclude_folders)
        warnings = choice.warnings(acc.name, [name for _, _, name in listed])
        for warning in warnings:
            log.warning("%s", warning)
        self.store.put(f"folder_warnings:{acc.name}", "\n".join(warnings))  # for `status`
        return choice.folders

    def _refused(self, folder: Folder, exc: ServerRefused) -> None:
        # One folder the server will not open (an Exchange calendar, a shared folder, one
        # deleted between LIST and STATUS) must not stop INBOX and Sent from advancing.
        log.warning("%s/%s: skipped: %s", self.account.name, folder.name, exc)
        self.report.refused[folder.name] = str(exc)
        self.report.refused_roles.add(folder.role)
        self.store.folder_refused(self.account.name, folder.name, folder.role, str(exc))

    def _since(self, folder: str) -> date:
        """The lookback's start, counted back from the folder's newest mail when that is older.

        For a mailbox in use the newest mail is today's; for an archive or a copied mailbox it
        may be months old, and "the last 180 days" then means the last 180 days of that mail.
        """
        if folder not in self._since_cache:
            latest = self.source.latest_arrival(folder)
            anchor = min(self.now, latest) if latest is not None else self.now
            self._since_cache[folder] = (anchor - self.lookback).date()
        return self._since_cache[folder]

    def _open(self, folder: Folder) -> tuple[FolderRecord, int, int, int]:
        acc = self.account.name
        status = self.source.status(folder.name)
        rec = self.store.folder(acc, folder.name)
        if rec is None or rec.uidvalidity != status.uidvalidity:
            if rec is not None and rec.uidvalidity:
                log.log(
                    logging.WARNING if status.uids_stable else logging.INFO,
                    "%s/%s: UIDVALIDITY changed; reading the folder again",
                    acc,
                    folder.name,
                )
            self.store.reset_folder(acc, folder.name, folder.role, status.uidvalidity)
            rec = self.store.folder(acc, folder.name)
            assert rec is not None
        return rec, status.uidnext - 1, status.messages, status.uidnext

    # -- finding ----------------------------------------------------------------------------
    def _split(self, lo: int, hi: int, since: date | None, keys: set[str]) -> list[SearchQuery]:
        return _queries(lo, hi, since, keys, KEYS_PER_SEARCH)

    def _find(self, folder: str, queries: list[SearchQuery]) -> set[int]:
        """UIDs matching any query: the server's SEARCH where it can be trusted, else here."""
        found: set[int] = set()
        local: list[SearchQuery] = []
        todo = [q for q in queries if not q.empty]
        while todo:
            server_q, local_q = self._divide(todo[0])
            try:
                if not server_q.empty:
                    found |= self._server_search(folder, server_q)
            except ServerRefused as exc:
                if not self._step_down(exc):
                    raise
                continue  # the same query again, divided for the next rung down
            if not local_q.empty:
                local.append(local_q)
            todo.pop(0)
        if local:
            found |= self._scan_headers(folder, local)
        return found

    def _divide(self, q: SearchQuery) -> tuple[SearchQuery, SearchQuery]:
        """Which keys go to the server and which are matched from fetched headers."""
        plan = self.plan
        if plan.level >= LEVEL_HEADERS_ONLY:
            return SearchQuery(q.uid_min, q.uid_max, q.since), q
        if plan.level >= LEVEL_SINGLE:
            ids = 0 if plan.local_ids or plan.no_header else len(q.referenced_ids)
            if len(q.senders) + ids * len(q.id_headers) > SINGLE_SEARCHES_MAX:
                return SearchQuery(q.uid_min, q.uid_max, q.since), q
        ids_here = plan.local_ids or plan.no_header
        domains_here = plan.local_domains
        server_senders = tuple(s for s in q.senders if not (domains_here and s.startswith("@")))
        local_senders = tuple(s for s in q.senders if s not in server_senders)
        server_ids = () if ids_here else q.referenced_ids
        local_ids = q.referenced_ids if ids_here else ()
        return (
            SearchQuery(q.uid_min, q.uid_max, q.since, server_senders, server_ids),
            SearchQuery(q.uid_min, q.uid_max, q.since, local_senders, local_ids),
        )

    def _server_search(self, folder: str, q: SearchQuery) -> set[int]:
        form = SEARCH_FORMS[min(self.plan.level, len(SEARCH_FORMS) - 1)]
        queries = [q]
        if form == "single":
            # One key per command: an id is two keys (In-Reply-To, References), asked apart,
            # so a server without OR keeps its HEADER search.
            queries = [SearchQuery(q.uid_min, q.uid_max, q.since, (s,)) for s in q.senders]
            queries += [
                SearchQuery(q.uid_min, q.uid_max, q.since, (), (i,), (h,))
                for i in q.referenced_ids
                for h in q.id_headers
            ]
        found: set[int] = set()
        for one in queries:
            self.report.searches += 1
            try:
                found.update(self.source.search(folder, one, form))
            except ServerRefused as exc:
                if form == "single" and one.referenced_ids:
                    raise _HeaderRefused(str(exc)) from None
                raise
        return found

    def _step_down(self, exc: ServerRefused) -> bool:
        """Search more simply after a refusal; False when there is nothing simpler.

        Down the ladder of forms; a refused HEADER key alone (one key per SEARCH) means HEADER
        search, and ids are matched here from then on; any other key refused alone, headers
        only.
        """
        plan = self.plan
        if plan.level >= LEVEL_HEADERS_ONLY:
            return False
        if isinstance(exc, _HeaderRefused) and not plan.no_header:
            plan.no_header = True
        elif plan.level >= LEVEL_SINGLE:
            plan.level = LEVEL_HEADERS_ONLY
        else:
            plan.level += 1
        plan.stepped_at = self.now.isoformat()
        log.warning(
            "%s: the server refused a search (%s); searching with %s from now on",
            self.account.name,
            exc,
            plan.name,
        )
        return True

    def _maybe_try_richer_search(self) -> None:
        plan = self.plan
        if (plan.level == 0 and not plan.no_header) or not plan.stepped_at:
            return
        try:
            stepped = datetime.fromisoformat(plan.stepped_at)
        except ValueError:
            stepped = self.now - RETRY_RICHER_SEARCH
        if self.now - stepped >= RETRY_RICHER_SEARCH:
            # Straight back to the top: a refusal costs one round trip, so a server that
            # still refuses is back on its rung within this pass.
            plan.level = 0
            plan.no_header = False
            plan.stepped_at = None
            log.info("%s: trying the full search again", self.account.name)

    def _scan_headers(self, folder: str, queries: list[SearchQuery]) -> set[int]:
        """Fetch the threading headers of each query's UID range and match them here."""
        found: set[int] = set()
        lo = min(q.uid_min for q in queries)
        hi = max(q.uid_max for q in queries)
        since = min((q.since for q in queries if q.since), default=None)
        if any(q.since is None for q in queries):
            since = None
        for uid, raw in self.source.header_scan(folder, lo, hi, since):
            self.report.headers_scanned += 1
            headers = threading_headers(raw)
            if any(q.uid_min <= uid <= q.uid_max and matches_locally(headers, q) for q in queries):
                found.add(uid)
        return found

    def _maybe_probe(self) -> None:
        """Learn from a message we already hold whether SEARCH finds what it should.

        Gmail and Outlook.com are reported to find nothing for HEADER References, and
        word-based search finds nothing for FROM "@domain"; a wrong empty answer would lose
        replies silently. The probe asks for one stored message by a key it is known to have,
        one key per SEARCH (no OR, no parentheses: only the key itself can be refused), and
        is done once it has answered, so that the next sync is a plain poll.
        """
        plan = self.plan
        if plan.level >= LEVEL_HEADERS_ONLY or self._probed_recently():
            return
        sample = self.store.probe_sample(self.account.name)
        if sample is None:
            return
        folder, uid, message = sample
        if message.references and not plan.no_header:
            # References alone: an In-Reply-To match would hide a References miss.
            q = SearchQuery(uid, uid, None, (), (message.references[-1],), ("References",))
            try:
                plan.local_ids = uid not in self.source.search(folder, q, "single")
            except ServerRefused as exc:
                # One HEADER key and nothing else: HEADER search is what the server refuses;
                # its OR may be fine, so the form stays.
                self._step_down(_HeaderRefused(str(exc)))
        sender = message.sender.email if message.sender else ""
        if "@" in sender:
            q = SearchQuery(uid, uid, None, ("@" + domain_of(sender),))
            try:
                plan.local_domains = uid not in self.source.search(folder, q, "single")
            except ServerRefused:
                plan.local_domains = True  # matching domains here is right on any server
        plan.probed_at = self.now.isoformat()
        if plan.local_ids or plan.local_domains:
            log.info(
                "%s: the server's search misses %s; matching those from headers",
                self.account.name,
                " and ".join(
                    w
                    for w, on in (("References", plan.local_ids), ("@domain", plan.local_domains))
                    if on
                ),
            )

    def _probed_recently(self) -> bool:
        if not self.plan.probed_at:
            return False
        try:
            return self.now - datetime.fromisoformat(self.plan.probed_at) < REPROBE
        except ValueError:
            return False

    # -- fetching ---------------------------------------------------------------------------
    def _due_pending(self, folder: str) -> set[int]:
        pending = self.store.pending(self.account.name, folder)
        given_up = {u for u, tries in pending.items() if tries >= MAX_FETCH_TRIES}
        if given_up:
            log.warning(
                "%s/%s: the server withheld UID %s %d times; giving up on it",
                self.account.name,
                folder,
                ",".join(map(str, sorted(given_up))),
                MAX_FETCH_TRIES,
            )
            self.store.drop_pending(self.account.name, folder, given_up)
        return set(pending) - given_up

    def _fetch_uids(self, folder: str, uids: set[int], position: Position | None = None) -> None:
        """Fetch and store these UIDs; with ``position`` (the reply pass, once every search
        of the folder is done), move the folder's position with each stored batch."""
        uids = uids - self.store.known_uids(self.account.name, folder)
        if not uids:
            return
        with Progress(f"{self.account.name}/{folder}", len(uids)) as progress:
            got = self._fetch_into(folder, sorted(uids), progress, position)
        missing = uids - got
        if missing:
            present = self.source.existing(folder, sorted(missing))
            if present:
                # The server said OK but left these out (or sent NIL): never skip past them.
                log.warning(
                    "%s/%s: the server did not deliver UID %s; asking again next sync",
                    self.account.name,
                    folder,
                    ",".join(map(str, sorted(present))),
                )
                self.store.add_pending(self.account.name, folder, present)
                self.report.withheld += len(present)
            gone = missing - present
            if gone:
                self.store.drop_pending(self.account.name, folder, gone)

    def _fetch_into(
        self, folder: str, uids: list[int], progress: Progress, position: Position | None = None
    ) -> set[int]:
        got: set[int] = set()
        done = 0  # uids[:done] are all stored
        batch: list[tuple[int, Message]] = []
        drafts: list[int] = []
        for fetched in self.source.fetch(folder, uids):
            progress.advance()
            got.add(fetched.uid)
            if fetched.draft:
                drafts.append(fetched.uid)  # never sent: neither an ask nor a reply
                continue
            internal = fetched.internaldate
            if internal is not None and internal.tzinfo is None:
                internal = internal.astimezone()  # imapclient gives local naive times
            if fetched.truncated:
                log.info(
                    "%s/%s: UID %d is large; read its first part only",
                    self.account.name,
                    folder,
                    fetched.uid,
                )
            batch.append((fetched.uid, parse_message(fetched.raw, internal)))
            if len(batch) >= STORE_BATCH:
                self._store(folder, batch)
                batch = []
                if position is not None:
                    while done < len(uids) and uids[done] in got:
                        done += 1
                    self._advance(folder, uids, done, position)
        if batch:
            self._store(folder, batch)
        if drafts:
            self.store.pass_over(self.account.name, folder, drafts)
        return got

    def _store(self, folder: str, batch: list[tuple[int, Message]]) -> None:
        if self.should_stop():
            # Between batches: everything stored so far is committed, and the next sync
            # resumes from it (the position moves with each stored batch of the reply pass).
            raise Interrupted("sync interrupted; what was fetched so far is saved")
        self.report.fetched += len(batch)
        if not self.new_refs:
            self.store.put(self.prune_key, "1")
        new = self.store.add_messages(self.account.name, folder, batch, self.account.own_addresses)
        self.new_refs.update(new)
        self.report.new_messages = len(self.new_refs)

    def _advance(self, folder: str, uids: list[int], done: int, position: Position) -> None:
        """Move the folder's position up to just below the first wanted UID not yet stored.

        Every search of the folder is done by now (own mail and replies, over the new range
        and, for new keys, the old one), and UIDs are fetched in ascending order; so every
        match at or below that point is stored, and a sync stopped here (a deadline, a kill)
        resumes above it instead of searching and fetching the whole range again. A UID the
        server left out stops the position below it; the end of the folder's pass settles it
        as before (pending or gone). STATUS's count and UIDNEXT are left for that end too.
        """
        safe = position.top if done >= len(uids) else uids[done] - 1
        safe = min(safe, position.top)
        if safe > max(position.start, self._advanced.get(folder, 0)):
            self._advanced[folder] = safe
            self.store.advance_folder(self.account.name, folder, safe, position.keys)

    def _check_expunged(self, folder: str, rec: FolderRecord, count: int, uidnext: int) -> None:
        """Drop the locations of stored messages the server no longer has.

        Only when the folder changed since the last pass (UIDNEXT or the count moved), so a
        quiet folder still costs one STATUS.
        """
        if not rec.uidnext or (rec.uidnext == uidnext and rec.messages == count):
            return
        known = self.store.known_uids(self.account.name, folder)
        if not known:
            return
        gone = known - self.source.existing(folder, sorted(known))
        if gone:
            self.store.drop_locations(self.account.name, folder, gone)
            self.report.expunged += len(gone)

    # -- deciding -----------------------------------------------------------------------------
    def _judge_requests(self) -> list[Message]:
        """Decide new sent mail; return every request (both are small SQL reads when idle)."""
        judging = self._first_judgement()
        if judging is not None:
            self._finish_judgement(judging)
        return self.store.messages(own=True, account=self.account.name, requests=True)

    def _first_judgement(self) -> _Judging | None:
        """Judge unjudged sent mail with what the state knows, and say which fact keys the
        mailbox should be asked about; None when nothing is left to judge."""
        account = self.account.name
        unjudged = self.store.messages(own=True, account=account, marked=False)
        # Mail sent in the user's name by a program (our own digest copy, auto-replies) asks
        # nothing of anyone.
        automatic = [m for m in unjudged if m.signals.automatic]
        if automatic:
            self.store.mark_requests((m.ref, False, "automatic", None) for m in automatic)
        unjudged = [m for m in unjudged if not m.signals.automatic]
        if not unjudged:
            return None
        own = self.account.own_addresses
        facts = recipient_facts(self.store, account, unjudged, own)
        decisions = self._detect(unjudged, facts)
        # Only messages whose verdict a fact can change (P(request) from FACT_FLOOR up to
        # FACT_CEILING), for keys no fresh fact covers yet.
        candidates = [
            i
            for i, (_, _, p) in enumerate(decisions)
            if p is not None and FACT_FLOOR <= p < FACT_CEILING
        ]
        firsts = {first_recipient(unjudged[i], own) for i in candidates} - {None}
        addresses = {a for a in firsts if a}
        keys: set[str] = set()
        if addresses:
            cached = self.store.seen_facts(account, {k for a in addresses for k in fact_keys(a)})
            keys = stale_keys(addresses, cached, self.now)
        return _Judging(unjudged, facts, decisions, candidates, keys)

    def _finish_judgement(self, judging: _Judging) -> None:
        """Judge again with what the mailbox shows about recipients; mark the verdicts."""
        self._judge_again_with_mailbox_facts(judging)
        # An unsure verdict is not tracked; its source lets the digest ask the user.
        self.store.mark_requests(
            (
                m.ref,
                verdict is RequestVerdict.YES,
                "model-unsure" if verdict is RequestVerdict.UNSURE else "model",
                p,
            )
            for m, (_, verdict, p) in zip(judging.messages, judging.decisions)
        )

    def _detect(
        self, messages: Sequence[Message], facts: Sequence[Mapping[str, RecipientFacts]]
    ) -> list[tuple[int | str, RequestVerdict, float | None]]:
        """The detector's answers, in order; messages that need different facts about the same
        address (before and after its first hiring mail) are judged in separate calls."""
        out: list[tuple[int | str, RequestVerdict, float | None]] = [
            (m.key, RequestVerdict.NO, None) for m in messages
        ]
        for positions, shared in fact_batches(facts):
            batch = [messages[i] for i in positions]
            answers = self.detect_requests(batch, shared, self.account.own_addresses)
            for i, answer in zip(positions, answers):
                out[i] = answer
        return out

    def _judge_again_with_mailbox_facts(self, judging: _Judging) -> None:
        """Look in the mailbox for what it shows about the first recipients of the candidates
        (``_first_judgement``); judge those messages again where their facts changed.
        ``judging.decisions`` is updated in place."""
        if not judging.keys or not self._incoming:
            return
        found = self._look_up(judging.keys)
        if not found:
            return
        account = self.account.name
        own = self.account.own_addresses
        messages, facts, decisions = judging.messages, judging.facts, judging.decisions
        candidates = judging.candidates
        self.store.put_seen_facts(account, found.values(), self.now)
        subset = [messages[i] for i in candidates]
        changed = [
            (i, f)
            for i, f in zip(candidates, recipient_facts(self.store, account, subset, own))
            if f != facts[i]
        ]
        if changed:
            again = self._detect([messages[i] for i, _ in changed], [f for _, f in changed])
            for (i, _), (key, verdict, p) in zip(changed, again):
                if verdict is RequestVerdict.YES and decisions[i][1] is not RequestVerdict.YES:
                    # The request model learnt hiring facts from simulated, rare ones
                    # (train.FACT_RATES), so a real fact lifts a scheduling reply to a recruiter
                    # as much as a first ask: until it learns from real ones, a fact may make
                    # the digest ask the user, not start a thread.
                    verdict = RequestVerdict.UNSURE
                decisions[i] = (key, verdict, p)

    # -- recipient facts folded into a first pass ------------------------------------------
    def _may_fold(self, folders: Sequence[Folder], incoming: Sequence[Folder]) -> bool:
        """A first pass of every incoming folder beside a sent folder, on a server searched
        with ORs (nested or flat) and trusted with "@domain"."""
        plan = self.plan
        if plan.level > 1 or plan.local_domains or not incoming:
            return False
        if not any(f.role == "sent" for f in folders):
            return False  # sent mail is found in the incoming folders (Gmail's All Mail)
        for f in incoming:
            rec = self.store.folder(self.account.name, f.name)
            if rec is not None and rec.scanned_uid:
                return False
        return True

    def _fold_terms_for(self, keys: set[str]) -> tuple[str, ...]:
        """The FROM terms of these fact keys, when they fit one SEARCH beside the user's own
        addresses; else () and the lookup searches apart."""
        if not keys:
            return ()
        terms = tuple(sorted(lookup_terms(keys)))
        if len(terms) + len(self.account.own_addresses) > TERMS_PER_SEARCH:
            return ()
        self._fold_keys = set(keys)
        return terms

    def _folded_search(self, folder: str, own_query: SearchQuery) -> set[int] | None:
        """The own-mail SEARCH of a first pass with the lookup's FROM terms beside the user's
        addresses, then the fact headers of what it found: the UIDs of the user's own mail
        (matched here from those headers), and the sightings kept for ``_folded_facts``.
        None when the server refuses either: the own search and the lookup then run apart,
        as without folding."""
        form = SEARCH_FORMS[min(self.plan.level, len(SEARCH_FORMS) - 1)]
        both = SearchQuery(
            own_query.uid_min,
            own_query.uid_max,
            own_query.since,
            own_query.senders + self._fold_terms,
        )
        own_uids: set[int] = set()
        answered: set[int] = set()
        sightings: list[Sighting] = []
        try:
            self.report.searches += 1
            matched = set(self.source.search(folder, both, form))
            for uid, raw in self.source.fact_headers(folder, sorted(matched)):
                self.report.fact_headers += 1
                answered.add(uid)
                if matches_locally(threading_headers(raw), own_query):
                    own_uids.add(uid)
                seen = sighting(raw)
                if seen is not None:
                    sightings.append(seen)
        except ServerRefused as exc:
            log.info(
                "%s/%s: the own-mail search with recipient facts was refused (%s); "
                "searching for each apart",
                self.account.name,
                folder,
                exc,
            )
            return None
        self._folded[folder] = sightings
        # A UID whose headers did not come is fetched as own mail would be (pending if the
        # server keeps withholding it), never skipped.
        return own_uids | (matched - answered)

    def _folded_facts(self, keys: set[str]) -> dict[str, SeenFacts] | None:
        """The facts of these keys from the folded searches, when every incoming folder had
        one that covered them; else None."""
        if not self._fold_terms or not keys <= self._fold_keys:
            return None
        if not all(name in self._folded or top < 1 for name, top in self._incoming):
            return None  # a folder searched apart (a refusal): the lookup searches them all
        sightings: list[Sighting] = []
        once: set[tuple[str, datetime | None]] = set()  # one message in two folders counts once
        for name, _ in self._incoming:
            for seen in self._folded.get(name, ()):
                if (seen.sender, seen.date) not in once:
                    once.add((seen.sender, seen.date))
                    sightings.append(seen)
        log.info(
            "%s: %d recipient key(s) looked up in the first pass's own-mail search",
            self.account.name,
            len(keys),
        )
        return derive(keys, sightings, self.account.own_addresses, self.now)

    def _look_up(self, keys: set[str]) -> dict[str, SeenFacts]:
        """What the incoming folders show about these fact keys; nothing when the server
        refuses the search (a log line, never the sync)."""
        folded = self._folded_facts(keys)
        if folded is not None:
            return folded
        plan = self.plan
        if plan.level >= LEVEL_HEADERS_ONLY:
            log.info(
                "%s: no search by sender on this server; no recipient facts", self.account.name
            )
            return {}
        cost = LookupCost()
        folders = [(name, top, self._since(name)) for name, top in self._incoming]
        try:
            found = mailbox_facts(
                self.source,
                folders,
                keys,
                self.account.own_addresses,
                self.now,
                form=SEARCH_FORMS[min(plan.level, len(SEARCH_FORMS) - 1)],
                domains_here=plan.local_domains,
                cost=cost,
            )
        except ServerRefused as exc:
            log.warning(
                "%s: the server refused a search by sender (%s); judging without what the "
                "mailbox shows about recipients",
                self.account.name,
                exc,
            )
            found = {}
        self.report.fact_searches += cost.searches
        self.report.fact_headers += cost.headers
        log.info(
            "%s: looked up %d recipient key(s): %d SEARCH, %d header block(s)",
            self.account.name,
            len(keys),
            cost.searches,
            cost.headers,
        )
        return found

    def _prune(self, requests: list[Message]) -> None:
        """Forget fetched mail that joins no request's thread (a newsletter from the company,
        a stranger on the same domain): the state keeps only what the digest can show."""
        acc = self.account
        incoming = self.store.messages(own=False, account=acc.name)
        threads = build_threads(
            requests, {m.message_id for m in requests}, incoming, acc.own_addresses
        )
        joined = {m.ref for t in threads for m in t.replies}
        keep = joined | set(self.store.corrections())
        drop = [m.ref for m in incoming if m.ref not in keep]
        if drop:
            self.store.forget_messages(drop)
            self.report.pruned += len(drop)
            # Counted as new when stored a moment ago; what is kept is what is new.
            self.new_refs -= set(drop)
            self.report.new_messages = len(self.new_refs)
