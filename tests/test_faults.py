"""Faults during a sync: the server stops, the connection is cut, the process is killed, the
folder's UIDVALIDITY changes, the data directory is read-only or the disk is full.

Every test runs real ``feedback-watcher sync`` processes against a Dovecot of this module
holding a mailbox big enough (a few thousand messages from the counterparts of the tracked
requests) that a sync takes a few seconds, injects a fault, checks the error is one clear
line with the right exit code and the state file passes ``PRAGMA integrity_check``, then
syncs again and compares the stored message ids, their folders and ``digest --json`` with a
run without faults: nothing lost, nothing counted twice. Faults injected and survived are
counted and printed (``pytest -s tests/test_faults.py``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from conftest import REPO, Mailbox, _require_dovecot
from dovecot import DovecotServer
from faultproxy import FaultPlan, FaultProxy
from modelseed import build_seed, seed

from watcher.cli import main
from watcher.sync import STORE_BATCH

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
NOW_ARG = NOW.isoformat()
COMPANIES = 12
BULK = 3000  # messages from the counterparts' company domains: about 2 s of FETCH and parse
PER_APPEND = 100  # messages per MULTIAPPEND (RFC 3502), so loading takes seconds, not minutes
USER = "bulk"

TALLY: Counter[str] = Counter()


def _raw(
    sender: str,
    to: str,
    subject: str,
    body: str,
    date: datetime,
    mid: str,
    in_reply_to: str | None = None,
) -> bytes:
    # Written by hand: email.message.EmailMessage takes 5 ms a message, too slow for thousands.
    head = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {mid}",
    ]
    if in_reply_to:
        head += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    head += [
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    return ("\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()


FILLER = (
    "Our engineering team keeps growing: this month we write about our on-call rotation, "
    "the new design system, the offsite in Lisbon and the roles we are hiring for.\n"
) * 6


def _mailbox_messages() -> dict[str, list[bytes]]:
    me = f"{USER}@jobs.example"
    sent, inbox, archive = [], [], []
    for k in range(COMPANIES):
        asked = NOW - timedelta(days=20) + timedelta(hours=k)
        req = f"<req{k}.{USER}@jobs.example>"
        sent.append(
            _raw(
                f"Sam Seeker <{me}>",
                f"Dana {k} <dana@acme{k}.example>",
                f"Feedback on my interview at Acme {k}",
                "Thanks again for the interview. How do I stack up against the other "
                "candidates, and what could I have done better?",
                asked,
                req,
            )
        )
        if k % 3 == 0:
            body = (
                "Hi Sam, honestly your system design answer lacked depth on caching and you "
                "did not ask about scale. Your coding round was one of the best we saw."
            )
        elif k % 3 == 1:
            body = (
                "Thank you for your interest. Unfortunately we have decided to move forward "
                "with other candidates. We wish you every success in your search."
            )
        else:
            continue  # no answer: due for a second ask
        reply = _raw(
            f"Dana {k} <dana@acme{k}.example>",
            me,
            f"Re: Feedback on my interview at Acme {k}",
            body,
            asked + timedelta(days=2),
            f"<rep{k}.{USER}@acme{k}.example>",
            req,
        )
        (archive if k % 2 else inbox).append(reply)
    for i in range(BULK):
        k = i % COMPANIES
        # Dated before the requests: fetched (same company domain) but never part of a thread.
        inbox.append(
            _raw(
                f"Acme {k} News <news{i % 7}@acme{k}.example>",
                me,
                f"Acme {k} engineering update {i}",
                FILLER + f"Issue {i}.\n",
                NOW - timedelta(days=60, minutes=-i),
                f"<n{i}.{USER}@acme{k}.example>",
            )
        )
    return {"Sent": sent, "INBOX": inbox, "Archive": archive}


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    _require_dovecot()
    root = Path(tempfile.mkdtemp(prefix="fw-faults-"))
    srv = DovecotServer(root)
    srv.setup()
    srv.start()
    yield srv
    _crash(srv)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_seed(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def bulk(server, tmp_path_factory):
    """The big mailbox, loaded with MULTIAPPEND, and a config pointing at it."""
    client = server.client(USER)
    try:
        for folder, messages in _mailbox_messages().items():
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for start in range(0, len(messages), PER_APPEND):
                client.multiappend(folder, messages[start : start + PER_APPEND])
    finally:
        client.logout()
    return Mailbox(server, USER, tmp_path_factory.mktemp("bulk"))


@pytest.fixture(scope="module")
def baseline(bulk, models, tmp_path_factory):
    """The state after one sync without faults."""
    data_dir = tmp_path_factory.mktemp("baseline") / "data"
    seed(models, data_dir)
    done = _sync(bulk, data_dir)
    assert done.returncode == 0, done.stderr
    return {**_state(bulk, data_dir), "data_dir": data_dir}


@pytest.fixture(scope="module", autouse=True)
def report_tally():
    yield
    totals = ("injected", "survived")
    print(
        f"\nfaults injected: {TALLY['injected']}, survived: {TALLY['survived']} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(TALLY.items()) if k not in totals)})"
    )


# -- helpers ----------------------------------------------------------------------------------


def _crash(server: DovecotServer) -> int:
    """Kill Dovecot and every process of it, as a crash or a power cut of the server does.

    A clean stop is no good here: the master lets each logged-in imap process serve its client
    until that client leaves, and waits seconds for its helpers. Returns how many imap
    processes (open connections) died.
    """
    if server.process is not None:
        server.process.kill()
        server.process.wait(10)
        server.process = None
    imap = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            title = Path(entry.path, "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if title.startswith(f"dovecot-fwtest-{server.port}/".encode()):
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except ProcessLookupError:
                continue
            imap += title.endswith(b"/imap")
    return imap


def _env(mb: Mailbox) -> dict[str, str]:
    return {**os.environ, **mb.environ}


def _argv(mb: Mailbox, data_dir: Path, *args: str, config: Path | None = None) -> list[str]:
    return [
        sys.executable,
        "-m",
        "watcher",
        "--config",
        str(config or mb.config_path),
        "--data-dir",
        str(data_dir),
        *args,
    ]


def _sync(mb: Mailbox, data_dir: Path, config: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        _argv(mb, data_dir, "sync", "--now", NOW_ARG, config=config),
        env=_env(mb),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _start_sync(mb: Mailbox, data_dir: Path, config: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        _argv(mb, data_dir, "sync", "--now", NOW_ARG, config=config),
        env=_env(mb),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stored(data_dir: Path) -> int:
    """Messages committed so far (read by a second connection, as WAL allows)."""
    db = data_dir / "state.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _wait_stored(
    proc: subprocess.Popen, data_dir: Path, at_least: int, timeout: float = 60.0
) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        n = _stored(data_dir)
        if n >= at_least:
            return n
        time.sleep(0.01)
    return _stored(data_dir)


def _locations(data_dir: Path, folder: str) -> int:
    conn = sqlite3.connect(data_dir / "state.sqlite3")
    try:
        return conn.execute(
            "SELECT count(*) FROM locations WHERE folder = ?", (folder,)
        ).fetchone()[0]
    finally:
        conn.close()


def _integrity(data_dir: Path) -> str:
    conn = sqlite3.connect(data_dir / "state.sqlite3")
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _state(mb: Mailbox, data_dir: Path) -> dict:
    """What must not differ from a run without faults."""
    assert _integrity(data_dir) == "ok"
    conn = sqlite3.connect(data_dir / "state.sqlite3")
    try:
        ids = [r[0] for r in conn.execute("SELECT message_id FROM messages")]
        places = sorted(
            conn.execute(
                "SELECT l.folder, m.message_id FROM locations l JOIN messages m ON m.id = l.msg"
            ).fetchall()
        )
        labels = dict(
            conn.execute(
                "SELECT m.message_id, l.label FROM labels l JOIN messages m ON m.id = l.msg"
            ).fetchall()
        )
    finally:
        conn.close()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(_argv(mb, data_dir, "digest", "--json", "--now", NOW_ARG)[3:], mb.environ)
    assert code == 0
    return {
        "ids": sorted(ids),
        "places": places,
        "labels": labels,
        "digest": json.loads(out.getvalue()),
    }


def _same_as_baseline(mb: Mailbox, data_dir: Path, baseline: dict, kind: str) -> None:
    state = _state(mb, data_dir)
    assert len(state["ids"]) == len(set(state["ids"]))
    assert state["ids"] == baseline["ids"], "messages lost or added"
    assert state["places"] == baseline["places"], "a message stored in the wrong place or twice"
    assert state["labels"] == baseline["labels"]
    assert state["digest"] == baseline["digest"]
    # Every fault of this kind injected into this data directory is survived.
    TALLY[f"{kind}/survived"] = TALLY[f"{kind}/injected"]
    TALLY["survived"] = sum(v for k, v in TALLY.items() if k.endswith("/survived"))


def _injected(kind: str) -> None:
    TALLY["injected"] += 1
    TALLY[f"{kind}/injected"] += 1


def _one_clear_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


# -- the faults -------------------------------------------------------------------------------


def test_baseline_is_complete(baseline):
    # Every request and reply, and nothing else: the company's other mail matches the SEARCH
    # and is fetched, but joins no thread and is not kept.
    assert len(baseline["ids"]) == COMPANIES + 8
    assert len(baseline["places"]) == len(baseline["ids"])
    states = baseline["digest"]
    assert "feedback" in json.dumps(states) and "rejection" in json.dumps(states)


def test_server_stopped_mid_sync_then_restarted(bulk, baseline, models, tmp_path):
    data_dir = tmp_path / "data"
    seed(models, data_dir)
    proc = _start_sync(bulk, data_dir)
    try:
        # After the Sent folder (12) and the first INBOX batch: in the middle of the FETCHes.
        stored = _wait_stored(proc, data_dir, COMPANIES + 100)
        # Frozen while the server goes down, so the crash lands mid-sync however fast it runs.
        proc.send_signal(signal.SIGSTOP)
        assert proc.poll() is None, "the sync ended before the fault: make the mailbox bigger"
        assert _crash(bulk.server) >= 1  # the sync's connection was dropped
        _injected("server stop")
        proc.send_signal(signal.SIGCONT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        bulk.server.start()
    assert proc.returncode == 4, err
    assert "Traceback" not in err and "test: sync failed" in err
    assert 0 < stored < len(baseline["ids"]) + BULK  # cut partway: not every candidate
    assert _integrity(data_dir) == "ok"
    done = _sync(bulk, data_dir)
    assert done.returncode == 0, done.stderr
    _same_as_baseline(bulk, data_dir, baseline, "server stop")


def test_connection_cut_mid_fetch(bulk, baseline, models, tmp_path):
    data_dir = tmp_path / "data"
    seed(models, data_dir)
    config = tmp_path / "proxied.toml"
    plan = FaultPlan(trigger=b"FETCH", cut_after=900_000, cuts=1)
    with FaultProxy(bulk.server.port, plan) as proxy:
        config.write_text(
            bulk.config_path.read_text().replace(
                f"port = {bulk.server.port}", f"port = {proxy.port}"
            )
        )
        os.chmod(config, 0o600)
        first = _sync(bulk, data_dir, config)
        assert proxy.log.cut == 1
        _injected("cut mid-FETCH")
        assert first.returncode == 4, first.stderr
        assert "Traceback" not in first.stderr and "FETCH in" in first.stderr
        assert 0 < _stored(data_dir) < len(baseline["ids"]) + BULK
        assert _integrity(data_dir) == "ok"
        again = _sync(bulk, data_dir, config)
        assert again.returncode == 0, again.stderr
    _same_as_baseline(bulk, data_dir, baseline, "cut mid-FETCH")


# The server's answer to each of these commands is cut off before its first byte.
CUT_AT = {
    b"CAPABILITY": "did not answer as an IMAP server should",
    b"LOGIN": "connection lost",
    b"LIST": "LIST failed",
    b"STATUS": "STATUS",
    b"SEARCH": "SEARCH in",
    b"EXAMINE": "EXAMINE",
}


def test_connection_cut_at_every_step_then_a_clean_sync(bulk, baseline, models, tmp_path):
    data_dir = tmp_path / "data"
    seed(models, data_dir)
    config = tmp_path / "proxied.toml"
    for trigger, says in CUT_AT.items():
        with FaultProxy(bulk.server.port, FaultPlan(trigger=trigger, cuts=1)) as proxy:
            config.write_text(
                bulk.config_path.read_text().replace(
                    f"port = {bulk.server.port}", f"port = {proxy.port}"
                )
            )
            os.chmod(config, 0o600)
            failed = _sync(bulk, data_dir, config)
            assert proxy.log.cut == 1, trigger
        _injected("cut at a command")
        assert failed.returncode == 4, failed.stderr
        assert "Traceback" not in failed.stderr and says in failed.stderr, (trigger, failed.stderr)
        assert "check the username and password" not in failed.stderr
        assert _integrity(data_dir) == "ok"
    done = _sync(bulk, data_dir)
    assert done.returncode == 0, done.stderr
    _same_as_baseline(bulk, data_dir, baseline, "cut at a command")


def _writing(data_dir: Path) -> bool:
    """True while another process holds the write lock: it is inside a transaction."""
    conn = sqlite3.connect(data_dir / "state.sqlite3", timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _kill_inside_a_transaction(proc: subprocess.Popen, data_dir: Path, tries: int = 400) -> bool:
    """SIGKILL the sync while it holds the write lock (frozen, then checked); True if it did."""
    for _ in range(tries):
        proc.send_signal(signal.SIGSTOP)
        if proc.poll() is not None:
            return False
        if _writing(data_dir):
            proc.send_signal(signal.SIGKILL)
            return True
        proc.send_signal(signal.SIGCONT)
        time.sleep(0.003)
    proc.send_signal(signal.SIGKILL)
    return False


def test_sync_killed_mid_transaction_and_started_again(bulk, baseline, models, tmp_path):
    data_dir = tmp_path / "data"
    seed(models, data_dir)
    total = len(baseline["ids"])
    previous, inside = 0, 0
    for n, fraction in enumerate((0.15, 0.45, 0.75)):
        proc = _start_sync(bulk, data_dir)
        stored = _wait_stored(proc, data_dir, max(previous + 1, int(total * fraction)))
        inside += _kill_inside_a_transaction(proc, data_dir)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, f"kill {n} came too late: {out}{err}"
        _injected("SIGKILL")
        assert _integrity(data_dir) == "ok"
        now_stored = _stored(data_dir)
        # Committed batches survive the kill; the batch being written is rolled back whole.
        assert now_stored >= stored >= previous
        assert _locations(data_dir, "INBOX") % STORE_BATCH == 0
        previous = now_stored
    assert inside >= 2, "most kills should land while a batch is being written"
    TALLY["SIGKILL inside a write transaction"] += inside
    done = _sync(bulk, data_dir)
    assert done.returncode == 0, done.stderr
    _same_as_baseline(bulk, data_dir, baseline, "SIGKILL")


def test_uidvalidity_change_reads_again_without_duplicates(bulk, baseline, models, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(baseline["data_dir"], data_dir)
    bulk.server.reset_uidvalidity("INBOX", user=USER)
    _injected("UIDVALIDITY")
    done = _sync(bulk, data_dir)
    assert done.returncode == 0, done.stderr
    assert "UIDVALIDITY changed" in done.stderr
    inbox = sum(folder == "INBOX" for folder, _ in baseline["places"])
    assert f"{inbox} messages fetched, 0 new" in done.stdout  # read again, stored once
    _same_as_baseline(bulk, data_dir, baseline, "UIDVALIDITY")


# -- the data directory -------------------------------------------------------------------------


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")


def _remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_read_only_data_directory_is_one_clear_line(bulk, baseline, models, tmp_path):
    mount = tmp_path / "ro"
    _mount_tmpfs(mount, "64m")
    try:
        data_dir = mount / "data"
        shutil.copytree(baseline["data_dir"], data_dir)
        _remount(mount, "ro")
        _injected("read-only data dir")
        for target in (data_dir, mount / "never-created"):
            failed = _sync(bulk, target)
            line = _one_clear_line(failed.stderr)
            assert failed.returncode == 5, failed.stderr
            assert line.startswith("feedback-watcher: error:") and str(target) in line
        _remount(mount, "rw")
        assert _integrity(data_dir) == "ok"
        again = _sync(bulk, data_dir)
        assert again.returncode == 0, again.stderr
        _same_as_baseline(bulk, data_dir, baseline, "read-only data dir")
    finally:
        _umount(mount)


def test_full_disk_is_one_clear_line_and_no_corruption(bulk, baseline, models, tmp_path):
    mount = tmp_path / "full"
    # Room for the two models and the empty database, not for the mail (about 6 MB).
    room = sum(f.stat().st_size for f in models.rglob("*") if f.is_file()) + 400_000
    _mount_tmpfs(mount, f"{room // 1024}k")
    try:
        data_dir = mount / "data"
        seed(models, data_dir)
        failed = _sync(bulk, data_dir)
        _injected("disk full")
        line = _one_clear_line(failed.stderr)
        assert failed.returncode == 5, failed.stderr
        assert "full" in line
        assert _integrity(data_dir) == "ok"
        stored = _stored(data_dir)
        _remount(mount, "size=64m")  # the user frees some space
        again = _sync(bulk, data_dir)
        assert again.returncode == 0, again.stderr
        assert _stored(data_dir) > stored
        _same_as_baseline(bulk, data_dir, baseline, "disk full")
    finally:
        _umount(mount)
