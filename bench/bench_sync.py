"""IMAP sync benchmarks against a throwaway Dovecot: the no-change poll and the first sync.

(a) No-change poll: after a first sync, a second sync with nothing new. IMAP commands and bytes
    in both directions at two mailbox sizes. Target: the same small constant at both sizes.
(b) First sync of a big INBOX plus a Sent folder holding feedback requests, against a bare
    bulk fetch of every header (ENVELOPE + BODY.PEEK[HEADER]: SEARCH ALL, then FETCH in
    chunks of 2,000 UIDs, with imapclient) on the same server in the same run. Target: the
    sync at least 5x faster, and every planted reply found.
(c) ``--levels``: the first sync and the no-change poll at each rung of the search ladder
    (the account's plan set in the state before the first sync, as a server's refusals
    would leave it), beside the same bulk header fetch: what a server that refuses OR,
    parentheses or HEADER search costs.

The mailboxes come from ``mailgen`` (cached under /tmp/fw-bench) and are hard-linked into a
fresh Dovecot user for every trial; before timing, the user's folders are opened once, so
Dovecot's index exists (as on any live server) but its cache file is empty, and the message
files are in the page cache. The sync and the bulk fetch alternate which goes first. Each sync
loads the request model from a file (``modelcopy``: as a shipped model would be, never
rebuilt); scikit-learn is imported before timing. Run from the repository root:

    python bench/bench_sync.py --quick     # 200 and 1,000 messages, about a minute
    python bench/bench_sync.py             # 1,000 and 50,000 messages (first run generates
                                           # the 50,000-message mailbox: a few minutes)
    python bench/bench_sync.py --profile   # plus cProfile of the first sync's client side
    python bench/bench_sync.py --levels --inbox 10000   # (c) only, 10,000 messages
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import json
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for _p in (BENCH, REPO / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import mailgen  # noqa: E402
import modelcopy  # noqa: E402
from dovecot import PASSWORD, DovecotServer, dovecot_available  # noqa: E402

from watcher.config import Account  # noqa: E402
from watcher.credentials import Secret  # noqa: E402
from watcher.imap import ImapSource  # noqa: E402
from watcher.mailsource import FetchedMessage, SearchQuery  # noqa: E402
from watcher.service import lazy_request_detector  # noqa: E402
from watcher.storage import Store  # noqa: E402
from watcher.sync import AccountSync, SearchPlan  # noqa: E402

LOOKBACK_DAYS = 180
SPEEDUP_TARGET = 5.0
# UIDs per FETCH in the bulk baseline: imapclient cannot FETCH "1:*" (it turns the set into
# ints), and a list of 50,000 UIDs would pass Dovecot's 64 KB command-line limit.
BULK_CHUNK = 2000
QUICK = {
    "poll": [mailgen.Spec(200, 50, 5), mailgen.Spec(1000, 200, 15)],
    "first": mailgen.Spec(1000, 200, 15),
}
FULL = {
    "poll": [mailgen.Spec(1000, 200, 15), mailgen.Spec(50_000, 2000, 15)],
    "first": mailgen.Spec(50_000, 2000, 15),
}


@dataclass
class Phases:
    """Wall seconds spent in each kind of work during one sync."""

    connect: float = 0.0
    status: float = 0.0
    search: float = 0.0
    fetch: float = 0.0
    detect: float = 0.0
    each_search: list = field(default_factory=list)  # (folder, alternatives, since, seconds)


@dataclass
class Run:
    """One measured pass: a sync, or the bulk header fetch."""

    what: str
    wall: float
    client_cpu: float
    server_cpu: float
    commands: int
    bytes_in: int
    bytes_out: int
    searches: int = 0
    fetched: int = 0
    requests: int = 0
    replies_found: int = 0
    replies_planted: int = 0
    missing: list[str] = field(default_factory=list)  # planted replies not stored
    requests_planted: int = 0
    requests_missed: list[str] = field(default_factory=list)  # not judged requests
    sync_missed: list[str] = field(default_factory=list)  # missing though the request was found
    phases: Phases | None = None
    load: float = 0.0
    stored: int = 0  # messages in the state file after the pass
    state_bytes: int = 0  # its size, write-ahead log folded in
    headers_scanned: int = 0
    search_level: int = 0
    fact_searches: int = 0  # SEARCH commands of the recipient-facts lookup (beside searches)
    fact_headers: int = 0  # header blocks it read


# (c): the plans a server's answers can leave an account with, richest first: the rungs of
# the ladder, HEADER search refused (Yahoo) on two of them, and level 0 with both "match here"
# findings of the probe (Gmail's References, word-based FROM).
PLANS = [
    ("nested OR", SearchPlan()),
    ("flat OR", SearchPlan(level=1)),
    ("one key per SEARCH", SearchPlan(level=2)),
    ("nested OR, no HEADER search", SearchPlan(no_header=True)),
    ("one key per SEARCH, no HEADER search", SearchPlan(level=2, no_header=True)),
    ("headers only", SearchPlan(level=4)),
    ("nested OR, References and @domain here", SearchPlan(local_ids=True, local_domains=True)),
]


class TimedSource:
    """An ImapSource whose status, search and fetch calls are timed."""

    def __init__(self, inner: ImapSource, phases: Phases) -> None:
        self.inner = inner
        self.phases = phases

    def __getattr__(self, name: str):
        return getattr(self.inner, name)  # whatever else the sync asks of its source, untimed

    def status(self, folder: str):
        t = time.perf_counter()
        try:
            return self.inner.status(folder)
        finally:
            self.phases.status += time.perf_counter() - t

    def search(self, folder: str, query: SearchQuery, form: str = "nested") -> list[int]:
        t = time.perf_counter()
        try:
            return self.inner.search(folder, query, form)
        finally:
            took = time.perf_counter() - t
            self.phases.search += took
            alternatives = len(query.senders) + 2 * len(query.referenced_ids)
            self.phases.each_search.append((folder, alternatives, str(query.since), round(took, 3)))

    def fetch(self, folder: str, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        it = self.inner.fetch(folder, uids)
        while True:
            t = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                return
            finally:
                self.phases.fetch += time.perf_counter() - t
            yield item

    def close(self) -> None:
        self.inner.close()


def server_cpu(server: DovecotServer) -> float:
    """CPU seconds used so far by the Dovecot master and every child, live or reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    pid = server.process.pid
    total = 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # a live child: reaped ones are in the master's cutime
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _settle() -> None:
    time.sleep(0.3)  # let Dovecot reap the imap process that just logged out


class Bench:
    """One Dovecot, fresh users hard-linked from generated mailboxes, and the measurements."""

    def __init__(
        self, server: DovecotServer, cache: Path, workdir: Path, model_every: int = 1
    ) -> None:
        self.server = server
        self.cache = cache
        self.workdir = workdir
        self.model = modelcopy.cached_model("request", cache, model_every)
        self._users = 0
        self._warm: set[str] = set()

    def account(self, user: str, address: str) -> Account:
        return Account(
            name="bench",
            host="127.0.0.1",
            port=self.server.port,
            tls="none",
            username=user,
            password_env="FW_BENCH_UNUSED",
            addresses=(address,),
        )

    def new_user(self, gen: mailgen.Generated) -> str:
        self._users += 1
        user = f"b{os.getpid()}u{self._users}"
        mailgen.install(gen, self.server.root / "mail" / user)
        if gen.spec.key not in self._warm:  # the message files into the page cache
            for dirpath, _, files in os.walk(gen.root):
                for name in files:
                    with open(os.path.join(dirpath, name), "rb") as f:
                        f.read()
            self._warm.add(gen.spec.key)
        client = self.server.client(user)  # Dovecot builds its index: a live server has one
        try:
            for folder in ("INBOX", "Sent"):
                client.select_folder(folder, readonly=True)
        finally:
            client.logout()
        return user

    def data_dir(self, user: str) -> Path:
        d = self.workdir / user
        modelcopy.install_personal(self.model, "request", d)
        return d

    def sync(
        self,
        gen: mailgen.Generated,
        user: str,
        data_dir: Path,
        what: str,
        profile: cProfile.Profile | None = None,
        plan: SearchPlan | None = None,
    ) -> Run:
        account = self.account(user, gen.address)
        if plan is not None:
            # As the server's refusals and the probe would have left it, and not due for a
            # retry or a probe during this run.
            plan = dataclasses.replace(
                plan, stepped_at=gen.anchor.isoformat(), probed_at=gen.anchor.isoformat()
            )
            store = Store.open(data_dir)
            store.put(f"search_plan:{account.name}", plan.dump())
            store.close()
        phases = Phases()
        load = os.getloadavg()[0]
        s0, c0, t0 = server_cpu(self.server), time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        source = ImapSource(account, Secret(PASSWORD), count_traffic=True)
        phases.connect = time.perf_counter() - t0
        detector = lazy_request_detector(data_dir)

        def detect(messages, facts, own):
            t = time.perf_counter()
            try:
                return detector(messages, facts, own)
            finally:
                phases.detect += time.perf_counter() - t

        store = Store.open(data_dir)
        try:
            report = AccountSync(
                TimedSource(source, phases),
                store,
                account,
                now=gen.anchor,
                lookback_days=LOOKBACK_DAYS,
                detect_requests=detect,
            ).run()
        finally:
            source.close()
            if profile:
                profile.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        _settle()
        st = source.stats
        assert st is not None
        run = Run(
            what,
            wall,
            cpu,
            server_cpu(self.server) - s0,
            st.commands,
            st.bytes_in,
            st.bytes_out,
            report.searches,
            report.fetched,
            report.requests,
            phases=phases,
            load=load,
            headers_scanned=report.headers_scanned,
            search_level=report.search_level,
            fact_searches=report.fact_searches,
            fact_headers=report.fact_headers,
        )
        replies = gen.replies
        run.replies_planted = len(replies)
        run.missing = [p.message_id for p in replies if not store.messages_with_id(p.message_id)]
        run.replies_found = len(replies) - len(run.missing)
        marks = store.request_marks()
        requested = {
            m.message_id
            for m in store.messages(own=True)
            if m.ref in marks and marks[m.ref].is_request
        }
        run.requests_missed = [p.message_id for p in gen.requests if p.message_id not in requested]
        run.stored = store.message_count()
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        run.state_bytes = (data_dir / "state.sqlite3").stat().st_size
        run.requests_planted = len(gen.requests)
        # A reply whose request the model missed is the model's miss, not the sync's.
        missed = set(run.requests_missed)
        run.sync_missed = [
            p.message_id
            for p in replies
            if p.message_id in run.missing and p.request_id not in missed
        ]
        store.close()
        return run

    def bulk_headers(self, gen: mailgen.Generated, user: str) -> Run:
        """What a naive client does: SEARCH ALL, then every header of every message."""
        load = os.getloadavg()[0]
        s0, c0, t0 = server_cpu(self.server), time.process_time(), time.perf_counter()
        source = ImapSource(self.account(user, gen.address), Secret(PASSWORD), count_traffic=True)
        fetched = 0
        try:
            client = source.client
            for folder in ("INBOX", "Sent"):
                client.select_folder(folder, readonly=True)
                uids = client.search(["ALL"])
                for i in range(0, len(uids), BULK_CHUNK):
                    data = client.fetch(uids[i : i + BULK_CHUNK], ["ENVELOPE", "BODY.PEEK[HEADER]"])
                    fetched += len(data)
        finally:
            source.close()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        _settle()
        st = source.stats
        assert st is not None
        return Run(
            "bulk headers",
            wall,
            cpu,
            server_cpu(self.server) - s0,
            st.commands,
            st.bytes_in,
            st.bytes_out,
            fetched=fetched,
            load=load,
        )


def _import_models() -> None:
    # The first sync of a real run pays this once per process; here no trial should.
    import sklearn.feature_extraction.text  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.pipeline  # noqa: F401

    import watcher.classify.classifier  # noqa: F401


def bench_poll(bench: Bench, specs: list[mailgen.Spec], repeat: int) -> dict:
    out: dict = {}
    for spec in specs:
        gen = mailgen.ensure(spec, bench.cache)
        runs = []
        for _ in range(repeat):
            user = bench.new_user(gen)
            data_dir = bench.data_dir(user)
            bench.sync(gen, user, data_dir, "first sync")
            runs.append(bench.sync(gen, user, data_dir, "no-change poll"))
        out[spec.inbox] = {"spec": asdict(spec), "runs": [asdict(r) for r in runs]}
    return out


def bench_first(
    bench: Bench, spec: mailgen.Spec, repeat: int, profile: cProfile.Profile | None = None
) -> dict:
    gen = mailgen.ensure(spec, bench.cache)
    syncs, bulks = [], []
    for t in range(repeat):
        order = ("sync", "bulk") if t % 2 == 0 else ("bulk", "sync")
        for what in order:
            user = bench.new_user(gen)
            if what == "sync":
                syncs.append(
                    bench.sync(
                        gen, user, bench.data_dir(user), "first sync", profile if t == 0 else None
                    )
                )
            else:
                bulks.append(bench.bulk_headers(gen, user))
    return {
        "spec": asdict(spec),
        "sizes": gen.sizes,
        "sync": [asdict(r) for r in syncs],
        "bulk": [asdict(r) for r in bulks],
    }


def bench_levels(bench: Bench, spec: mailgen.Spec, repeat: int) -> dict:
    """(c) The first sync and the no-change poll at each search plan, and the bulk fetch."""
    gen = mailgen.ensure(spec, bench.cache)
    out: dict = {"spec": asdict(spec), "sizes": gen.sizes, "plans": {}, "bulk": []}
    for _ in range(repeat):
        for name, plan in PLANS:
            user = bench.new_user(gen)
            data_dir = bench.data_dir(user)
            first = bench.sync(gen, user, data_dir, "first sync", plan=plan)
            poll = bench.sync(gen, user, data_dir, "no-change poll")
            entry = out["plans"].setdefault(name, {"first": [], "poll": []})
            entry["first"].append(asdict(first))
            entry["poll"].append(asdict(poll))
        out["bulk"].append(asdict(bench.bulk_headers(gen, bench.new_user(gen))))
    return out


@contextlib.contextmanager
def running_bench(server: DovecotServer | None, cache: Path, model_every: int) -> Iterator[Bench]:
    """A Bench in a fresh temporary directory, on ``server`` or on a Dovecot of its own
    (started here, stopped on the way out)."""
    _import_models()
    own = server is None
    root = Path(tempfile.mkdtemp(prefix="fw-bench-"))
    os.chmod(root, 0o755)  # Dovecot's mail processes run as nobody
    if server is None:
        server = DovecotServer(root / "dovecot")
        server.setup()
        server.start()
    try:
        yield Bench(server, cache, root / "data", model_every)
    finally:
        if own:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def run_levels(
    repeat: int = 1,
    cache: Path = mailgen.DEFAULT_CACHE,
    inbox: int = 10_000,
    model_every: int = 1,
    server: DovecotServer | None = None,
) -> dict:
    with running_bench(server, cache, model_every) as bench:
        return {
            "repeat": repeat,
            "machine": machine_note(),
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "levels": bench_levels(bench, mailgen.Spec(inbox, 2000, 15), repeat),
        }


def report_levels(results: dict) -> str:
    lv = results["levels"]
    spec = lv["spec"]
    bulk_wall = statistics.median(r["wall"] for r in lv["bulk"])
    lines = [
        f"machine: {results['machine']}",
        "",
        f"(c) search levels: {spec['inbox']:,} INBOX + {spec['sent']:,} sent "
        f"({spec['requests']} requests) over {spec['span_days']} days; medians of "
        f"{results['repeat']} trial(s)",
        f"  {'plan':<40}{'wall s':>7}{'cpu s':>7}{'cmds':>6}{'SEARCH':>7}{'headers':>8}"
        f"{'fetched':>8}{'in':>10}{'replies':>8}{'vs bulk':>8} | poll: cmds, bytes in/out, "
        "SEARCH, FETCH",
    ]
    for name, entry in lv["plans"].items():
        f, p = entry["first"], entry["poll"]

        def med(rows: list[dict], key: str) -> float:
            return statistics.median(r[key] for r in rows)

        wall = med(f, "wall")
        cpu = statistics.median(r["client_cpu"] + r["server_cpu"] for r in f)
        lines.append(
            f"  {name:<40}{wall:>7.2f}{cpu:>7.2f}{med(f, 'commands'):>6.0f}"
            f"{med(f, 'searches'):>7.0f}{med(f, 'headers_scanned'):>8.0f}"
            f"{med(f, 'fetched'):>8.0f}{_kb(med(f, 'bytes_in')):>10}"
            f"{min(r['replies_found'] for r in f):>5}/{f[0]['replies_planted']:<2}"
            f"{bulk_wall / wall if wall else 0:>7.1f}x | {med(p, 'commands'):.0f}, "
            f"{med(p, 'bytes_in'):,.0f}/{med(p, 'bytes_out'):,.0f}, {med(p, 'searches'):.0f}, "
            f"{med(p, 'fetched'):.0f}"
        )
    b = lv["bulk"]
    lines.append(
        f"  {'bulk header fetch (baseline)':<40}{bulk_wall:>7.2f}"
        f"{statistics.median(r['client_cpu'] + r['server_cpu'] for r in b):>7.2f}"
        f"{statistics.median(r['commands'] for r in b):>6.0f}{'':>7}"
        f"{statistics.median(r['fetched'] for r in b):>8.0f}{'':>8}"
        f"{_kb(statistics.median(r['bytes_in'] for r in b)):>10}"
    )
    return "\n".join(lines)


def run(
    quick: bool = False,
    repeat: int = 2,
    cache: Path = mailgen.DEFAULT_CACHE,
    server: DovecotServer | None = None,
    profile: cProfile.Profile | None = None,
    model_every: int = 1,
    span_days: int | None = None,
    inbox: int | None = None,
) -> dict:
    """Both benchmarks; starts (and stops) a Dovecot of its own unless one is given.

    ``span_days`` replaces the first-sync mailbox's time span (730 days): 180 puts every
    message inside the sync's look-back window, the worst case for its searches.
    """
    sizes = dict(QUICK if quick else FULL)
    if inbox:  # one size for both benchmarks, e.g. the 10,000 messages issue 2 asks about
        sizes = {"poll": [mailgen.Spec(inbox, 2000, 15)], "first": mailgen.Spec(inbox, 2000, 15)}
    if span_days:
        sizes["first"] = dataclasses.replace(sizes["first"], span_days=span_days)
    with running_bench(server, cache, model_every) as bench:
        return {
            "quick": quick,
            "repeat": repeat,
            "machine": machine_note(),
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "poll": bench_poll(bench, sizes["poll"], repeat),
            "first": bench_first(bench, sizes["first"], repeat, profile),
        }


def machine_note() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load}"


# -- reporting -------------------------------------------------------------------------------


def _kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.0f} MB"


def summary(results: dict) -> dict:
    """The headline numbers: poll sizes and their ratio, first-sync speed-up, correctness."""
    poll = results["poll"]
    small, big = sorted(poll, key=int)[0], sorted(poll, key=int)[-1]

    def worst(size, key):
        return max(r[key] for r in poll[size]["runs"])

    first = results["first"]
    sync_wall = statistics.median(r["wall"] for r in first["sync"])
    bulk_wall = statistics.median(r["wall"] for r in first["bulk"])
    sync_cpu = statistics.median(r["client_cpu"] + r["server_cpu"] for r in first["sync"])
    bulk_cpu = statistics.median(r["client_cpu"] + r["server_cpu"] for r in first["bulk"])
    return {
        "poll_small": int(small),
        "poll_big": int(big),
        "poll_commands": (worst(small, "commands"), worst(big, "commands")),
        "poll_bytes_in": (worst(small, "bytes_in"), worst(big, "bytes_in")),
        "poll_bytes_out": (worst(small, "bytes_out"), worst(big, "bytes_out")),
        "poll_fetched": max(worst(small, "fetched"), worst(big, "fetched")),
        "poll_searches": max(worst(small, "searches"), worst(big, "searches")),
        "first_inbox": first["spec"]["inbox"],
        "sync_wall": sync_wall,
        "bulk_wall": bulk_wall,
        "speedup": bulk_wall / sync_wall if sync_wall else float("inf"),
        "sync_cpu": sync_cpu,
        "bulk_cpu": bulk_cpu,
        "cpu_speedup": bulk_cpu / sync_cpu if sync_cpu else float("inf"),
        "replies_found": min(r["replies_found"] for r in first["sync"]),
        "replies_planted": first["sync"][0]["replies_planted"],
        "missing": sorted({m for r in first["sync"] for m in r["missing"]}),
        "requests_detected": min(
            r["requests_planted"] - len(r["requests_missed"]) for r in first["sync"]
        ),
        "requests_planted": first["sync"][0]["requests_planted"],
        "sync_missed": sorted({m for r in first["sync"] for m in r["sync_missed"]}),
    }


def _phase_seconds(phases: dict) -> list[float]:
    return [v for v in phases.values() if isinstance(v, float)]


def report(results: dict) -> str:
    s = summary(results)
    lines = [f"machine: {results['machine']}", ""]
    lines.append(
        f"(a) no-change poll (a second sync, nothing new), worst of {results['repeat']} trials"
    )
    lines.append(f"  {'':<12}{s['poll_small']:>10,}{s['poll_big']:>10,}   ratio  target")
    for key, label in (
        ("poll_commands", "commands"),
        ("poll_bytes_in", "bytes in"),
        ("poll_bytes_out", "bytes out"),
    ):
        a, b = s[key]
        lines.append(f"  {label:<12}{a:>10,}{b:>10,}   {b / a if a else 0:5.2f}  same at both")
    lines.append(f"  searches {s['poll_searches']}, messages fetched {s['poll_fetched']}")
    for size, entry in sorted(results["poll"].items(), key=lambda kv: int(kv[0])):
        walls = ", ".join(f"{r['wall'] * 1000:.0f} ms" for r in entry["runs"])
        lines.append(f"  wall at {int(size):,}: {walls}")
    first = results["first"]
    lines += [
        "",
        f"(b) first sync: {first['spec']['inbox']:,} INBOX + {first['spec']['sent']:,} "
        f"sent ({first['spec']['requests']} requests) over "
        f"{first['spec']['span_days']} days; INBOX "
        f"{_kb(first['sizes']['inbox_bytes'])}, median message "
        f"{first['sizes']['inbox_median'] / 1024:.1f} KB",
    ]
    lines.append(
        f"  {'':<14}{'wall s':>8}{'client':>8}{'server':>8}{'cmds':>7}{'in':>10}"
        f"{'out':>10}{'fetched':>9}{'asks':>5}{'load':>6}"
    )
    for r in first["sync"] + first["bulk"]:
        lines.append(
            f"  {r['what']:<14}{r['wall']:>8.2f}{r['client_cpu']:>8.2f}"
            f"{r['server_cpu']:>8.2f}{r['commands']:>7}{_kb(r['bytes_in']):>10}"
            f"{_kb(r['bytes_out']):>10}{r['fetched']:>9}{r['requests']:>5}{r['load']:>6.1f}"
        )
    for r in first["sync"]:
        p = r["phases"]
        lines.append(
            f"  sync phases: connect {p['connect']:.2f} s, status {p['status']:.2f} s, "
            f"search {p['search']:.2f} s ({r['searches']} SEARCH + "
            f"{r.get('fact_searches', 0)} for recipient facts, "
            f"{r.get('fact_headers', 0)} header blocks), fetch "
            f"{p['fetch']:.2f} s, request model {p['detect']:.2f} s, rest (parse, "
            f"SQLite) {r['wall'] - sum(_phase_seconds(p)):.2f} s"
        )
        lines.append(
            "    each SEARCH (folder, alternatives, since, s): "
            + "; ".join(" ".join(str(x) for x in e) for e in p["each_search"])
        )
    lines.append(
        f"  speed-up (bulk / sync, medians): {s['speedup']:.1f}x   target >= "
        f"{SPEEDUP_TARGET:.0f}x   ratio {s['speedup'] / SPEEDUP_TARGET:.2f}"
    )
    lines.append(
        f"  CPU seconds, client + server (medians): sync {s['sync_cpu']:.1f}, bulk "
        f"{s['bulk_cpu']:.1f}: {s['cpu_speedup']:.1f}x (the load-proof figure)"
    )
    lines.append(
        f"  replies found: {s['replies_found']} of {s['replies_planted']} (requests "
        f"detected: {s['requests_detected']} of {s['requests_planted']})"
        + (f"   MISSING: {', '.join(s['missing'])}" if s["missing"] else "")
    )
    if s["sync_missed"]:
        lines.append(f"  MISSED BY THE SYNC (request detected): {', '.join(s['sync_missed'])}")
    sync0 = first["sync"][0]
    lines.append(
        f"  state file after the first sync: {sync0.get('stored', 0):,} messages, "
        f"{_kb(sync0.get('state_bytes', 0))}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 and 1,000 messages")
    ap.add_argument("--repeat", type=int, default=2, help="trials of each measurement")
    ap.add_argument(
        "--cache",
        type=Path,
        default=mailgen.DEFAULT_CACHE,
        help="where generated mailboxes and the model copy are kept",
    )
    ap.add_argument(
        "--span-days",
        type=int,
        help="days the first-sync mailbox spans (default 730; 180 = all of it "
        "inside the look-back window)",
    )
    ap.add_argument("--inbox", type=int, help="one INBOX size for both benchmarks (e.g. 10000)")
    ap.add_argument("--json", type=Path, help="also write every measurement here")
    ap.add_argument(
        "--levels",
        action="store_true",
        help="only (c): first sync and poll at each search level (--inbox, default 10000)",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the client side of the first measured first sync",
    )
    args = ap.parse_args(argv)
    if not dovecot_available():
        print("Dovecot is not installed (apt-get install dovecot-imapd)", file=sys.stderr)
        return 2
    if args.levels:
        results = run_levels(args.repeat, args.cache, args.inbox or 10_000)
        print(report_levels(results))
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
        return 0
    profile = cProfile.Profile() if args.profile else None
    results = run(
        args.quick,
        args.repeat,
        args.cache,
        profile=profile,
        span_days=args.span_days,
        inbox=args.inbox,
    )
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if profile:
        print()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
