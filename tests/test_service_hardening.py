"""The service and the sync under hostile conditions, with real processes and signals.

One service per data directory (even when the directory is removed and made again); a data
directory removed under a running service costs no second digest; a worker past its deadline
is killed with its process group and the service goes on; SIGINT/SIGTERM stop a sync blocked
on a server that drips a byte at a time; SIGHUP reloads the configuration; a stored time in
the future is not trusted; a sync stopped mid-folder resumes above what it stored.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from importlib import resources
from pathlib import Path

import pytest
from conftest import REPO
from scriptedimap import ScriptedImap, canonical, drip

from watcher.daemon import Daemon
from watcher.labels import RequestVerdict

SYNCED = re.compile(r"INFO watcher\.service: demo: \d+ folders, ")
DEMO = Path(str(resources.files("watcher") / "demo" / "mailbox"))


@pytest.fixture(scope="module", autouse=True)
def warm_models():
    from watcher.classify.classifier import load_classifier

    load_classifier("reply", None)
    load_classifier("request", None)


class Service:
    """A config, a data directory and the ``run`` processes started on them."""

    def __init__(self, tmp: Path, account: str, top: str = "") -> None:
        self.tmp = tmp
        self.data = tmp / "data"
        self.config = tmp / "config.toml"
        self.config.write_text(f"{top}\n{account}")
        self.config.chmod(0o600)
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(tmp / "runtime"),
            "FW_TEST_PASSWORD": "pw",
        }
        (tmp / "runtime").mkdir(mode=0o700)
        self.procs: list[subprocess.Popen] = []

    def argv(self, *args: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "watcher",
            "--config",
            str(self.config),
            "--data-dir",
            str(self.data),
            *args,
        ]

    def start(self, *args: str) -> subprocess.Popen:
        with open(self.tmp / "out", "ab") as out, open(self.tmp / "err", "ab") as err:
            proc = subprocess.Popen(
                self.argv(*args), env=self.env, cwd=REPO, stdout=out, stderr=err
            )
        self.procs.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.argv(*args),
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def log(self) -> str:
        try:
            return (self.data / "logs" / "feedback-watcher.log").read_text()
        except FileNotFoundError:
            return ""

    def wait(self, proc: subprocess.Popen, what: str, check, timeout: float = 90.0):
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if proc.poll() is not None:
                pytest.fail(f"the service exited ({proc.returncode}) before {what}\n{self.tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} within {timeout:.0f} s\n{self.tail()}")
            time.sleep(0.05)

    def tail(self) -> str:
        err = (self.tmp / "err").read_text(errors="replace") if (self.tmp / "err").exists() else ""
        return f"log:\n{self.log()[-3000:]}\nstderr:\n{err[-2000:]}"

    def stop(self, proc: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
        proc.send_signal(sig)
        try:
            return proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)


DEMO_ACCOUNT = (
    f'[[accounts]]\nname = "demo"\nmaildir = "{DEMO}"\naddresses = ["alex.morgan@mail.example"]\n'
)


@pytest.fixture
def demo_service(tmp_path):
    svc = Service(
        tmp_path,
        DEMO_ACCOUNT,
        'lookback_days = 3650\ndigest_time = "00:00"\n[delivery]\nnotify = false\n',
    )
    yield svc
    svc.close()


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [x for x in stderr.splitlines() if x.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


# -- one service per data directory ---------------------------------------------------------------


def test_a_second_service_exits_at_once_even_after_the_directory_is_made_again(demo_service):
    svc = demo_service
    first = svc.start("run", "--poll-seconds", "3600")
    svc.wait(first, "start", lambda: "service started" in svc.log())
    second = svc.run("run", timeout=20)
    assert second.returncode == 75, second.stderr
    line = _one_line(second.stderr)
    assert "already running" in line and str(first.pid) in line
    # The directory removed under the running service, then made again by someone else.
    shutil.rmtree(svc.data)
    svc.data.mkdir(mode=0o700)
    third = svc.run("run", timeout=20)
    assert third.returncode == 75, third.stderr
    assert "already running" in _one_line(third.stderr)
    assert svc.stop(first) == 0
    # Released with the process: the next one starts.
    fourth = svc.start("run", "--poll-seconds", "3600")
    svc.wait(fourth, "restart", lambda: "service started" in svc.log())
    assert svc.stop(fourth) == 0


def test_a_killed_service_leaves_no_lock_behind(demo_service):
    svc = demo_service
    first = svc.start("run", "--poll-seconds", "3600")
    svc.wait(first, "start", lambda: "service started" in svc.log())
    first.kill()
    first.wait(10)
    again = svc.start("run", "--poll-seconds", "3600")
    svc.wait(again, "restart", lambda: svc.log().count("service started") >= 2)
    assert svc.stop(again) == 0


# -- the data directory removed while the service runs --------------------------------------------


def test_data_directory_removed_while_running_no_second_digest(demo_service):
    svc = demo_service
    proc = svc.start("run", "--poll-seconds", "1")
    svc.wait(proc, "digest", lambda: "digest delivered" in svc.log())
    svc.wait(proc, "a sync", lambda: len(SYNCED.findall(svc.log())) >= 1)
    shutil.rmtree(svc.data)
    # Workers make a new directory and state; the service checks the digest at every tick.
    svc.wait(proc, "three syncs in the new directory", lambda: len(SYNCED.findall(svc.log())) >= 3)
    log = svc.log()
    assert "digest delivered" not in log, log
    assert not (svc.data / "digests").exists()
    assert "service.lock was removed or replaced" in log
    assert svc.stop(proc) == 0


# -- the clock was ahead once ---------------------------------------------------------------------


def test_a_last_digest_day_in_the_future_is_unknown_and_said_once(caplog):
    ran: list[str] = []

    class Proc:
        pid = 0

        def __init__(self, cmd, **kw):
            ran.append(cmd[-1])

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    today = datetime(2025, 4, 14, 9, 0, tzinfo=timezone.utc)
    svc = Daemon(["fw"], {}, 10, dtime(8, 0), lambda: date(2026, 1, 1), now=lambda: today, run=Proc)
    with caplog.at_level(logging.WARNING):
        svc.tick()
        svc.tick()
        svc.tick()
    assert ran == ["--deliver"]  # once: delivered today is remembered even though the file lies
    assert sum("in the future" in r.message for r in caplog.records) == 1


def test_status_and_digest_do_not_trust_a_last_sync_in_the_future(tmp_path):
    from watcher.storage import Store

    svc = Service(tmp_path, DEMO_ACCOUNT)
    now = datetime.now(timezone.utc)
    store = Store.open(svc.data)
    store.record_sync("demo", now + timedelta(days=300))  # the clock was a year ahead
    store.record_sync("demo", now - timedelta(minutes=1), error="server unreachable")
    store.close()
    status = svc.run("status")
    assert status.returncode == 0, status.stderr
    assert "last attempt failed: server unreachable" in status.stdout
    assert "in the future" in status.stderr
    digest = svc.run("digest")
    assert "WARNING: demo has not synced" in digest.stdout and "server unreachable" in digest.stdout


# -- deadlines and signals ------------------------------------------------------------------------


def _imap_account(port: int) -> str:
    return (
        f'[[accounts]]\nname = "slow"\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\n'
        'username = "sam"\npassword_env = "FW_TEST_PASSWORD"\naddresses = ["sam@jobs.example"]\n'
        "idle = false\n"
    )


def _drip_on_status(tag: bytes, name: str, line: bytes):
    if name == "STATUS":
        return drip([b"* STATUS INBOX (MESSAGES 1"], 1.0)
    return canonical(tag, name, line)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent is dead for this purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _workers(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                out.append(int(entry.name))
    return out


def test_a_worker_past_its_deadline_is_killed_and_the_service_goes_on(tmp_path):
    with ScriptedImap(_drip_on_status) as server:
        svc = Service(tmp_path, _imap_account(server.port), 'digest_time = "23:59"')
        try:
            proc = svc.start("run", "--poll-seconds", "3600", "--deadline-seconds", "3")
            svc.wait(proc, "a worker", lambda: _workers(proc.pid))
            worker = _workers(proc.pid)[0]
            svc.wait(proc, "the deadline", lambda: "passed its deadline" in svc.log(), 60)
            svc.wait(proc, "the worker's end", lambda: not _alive(worker), 30)
            assert proc.poll() is None  # the service goes on
            proc.send_signal(signal.SIGHUP)  # and syncs again after a reload
            svc.wait(proc, "reload", lambda: "configuration reloaded" in svc.log(), 30)
            svc.wait(proc, "a second deadline", lambda: svc.log().count("passed its deadline") >= 2)
            assert svc.stop(proc) == 0
            assert not [p for p in _workers(proc.pid) if _alive(p)]
        finally:
            svc.close()


def test_sighup_with_a_broken_config_keeps_the_old_one(demo_service):
    svc = demo_service
    proc = svc.start("run", "--poll-seconds", "3600")
    svc.wait(proc, "start", lambda: "service started" in svc.log())
    svc.config.write_text("poll_minutes = 0\n" + DEMO_ACCOUNT)
    proc.send_signal(signal.SIGHUP)
    svc.wait(proc, "refusal", lambda: "not reloaded" in svc.log(), 30)
    assert "poll_minutes must be between" in svc.log()
    assert proc.poll() is None
    assert svc.stop(proc) == 0


def _start_sync(svc: Service) -> subprocess.Popen:
    return subprocess.Popen(
        svc.argv("sync"),
        env=svc.env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    "signals, within",
    [
        ((signal.SIGINT,), 15.0),  # waits for the batch a few seconds, then cuts
        ((signal.SIGINT, signal.SIGINT), 4.0),  # the second Ctrl-C stops at once
        ((signal.SIGTERM,), 15.0),
    ],
    ids=["ctrl-c", "ctrl-c twice", "sigterm"],
)
def test_signals_stop_a_sync_blocked_on_a_dripping_server(tmp_path, signals, within):
    with ScriptedImap(_drip_on_status) as server:
        svc = Service(tmp_path, _imap_account(server.port))
        proc = _start_sync(svc)
        try:
            deadline = time.monotonic() + 60
            while "STATUS" not in server.commands:
                assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
                time.sleep(0.05)
            time.sleep(0.5)  # in the dripping read
            sent = time.monotonic()
            for sig in signals:
                proc.send_signal(sig)
                time.sleep(0.3)
            out, err = proc.communicate(timeout=30)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err
    assert took < within, took
    assert "Traceback" not in err
    assert err.count("stopping after the current batch") == 1, err


# -- progress across deadlines --------------------------------------------------------------------


def test_a_sync_stopped_mid_folder_resumes_above_what_it_stored(tmp_path, monkeypatch):
    """The folder's position moves with each stored batch, so a sync stopped every few
    batches still gets through a large folder."""
    from mailfactory import make_message

    import watcher.sync as sync_mod
    from watcher.config import Account
    from watcher.errors import Interrupted
    from watcher.localmail import MaildirSource
    from watcher.storage import Store
    from watcher.sync import AccountSync

    monkeypatch.setattr(sync_mod, "STORE_BATCH", 10)
    root = tmp_path / "mail"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (root / sub).mkdir(parents=True)
    now = datetime(2025, 3, 10, tzinfo=timezone.utc)
    (root / ".Sent" / "cur" / "0001.req:2,S").write_bytes(
        make_message(
            sender="Sam <sam@jobs.example>",
            to="Dana <dana@acme.example>",
            subject="Interview feedback",
            date=now - timedelta(days=20),
            message_id="<req@jobs.example>",
            body="How do I stack up against the other candidates?",
        )
    )
    for i in range(95):
        (root / "cur" / f"{1000 + i:04d}.m:2,S").write_bytes(
            make_message(
                sender="Dana <dana@acme.example>",
                to="sam@jobs.example",
                subject=f"Re: Interview feedback {i}",
                date=now - timedelta(days=10, minutes=-i),
                message_id=f"<r{i}@acme.example>",
                in_reply_to="<req@jobs.example>",
                body=f"Reply number {i}.",
            )
        )
    account = Account(
        name="m", host="localhost", username="", maildir=str(root), addresses=("sam@jobs.example",)
    )
    store = Store.open(tmp_path / "data")
    positions = []
    for _ in range(20):
        batches = [0]

        def stop_after_three(batches=batches) -> bool:
            batches[0] += 1
            return batches[0] > 3

        try:
            AccountSync(
                MaildirSource(root),
                store,
                account,
                now=now,
                lookback_days=365,
                detect_requests=lambda ms, *_: [(m.ref, RequestVerdict.YES, 1.0) for m in ms],
                should_stop=stop_after_three,
            ).run()
            break
        except Interrupted:
            rec = store.folder("m", "INBOX")
            positions.append(rec.scanned_uid if rec else 0)
    else:
        pytest.fail(f"never finished; positions {positions}")
    assert positions == sorted(positions) and len(set(positions)) == len(positions), positions
    assert positions[0] > 0
    assert store.folder("m", "INBOX").scanned_uid == 95
    assert store.location_count("m", "INBOX") == 95
    store.close()


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if marker.encode() in cmdline and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def test_a_password_command_hanging_past_the_deadline_leaves_no_process(tmp_path):
    marker = "317.25"  # a sleep nobody else runs
    account = (
        '[[accounts]]\nname = "slow"\nhost = "127.0.0.1"\nport = 9\ntls = "none"\n'
        f'username = "sam"\npassword_command = "sleep {marker}"\nidle = false\n'
    )
    svc = Service(tmp_path, account, 'digest_time = "23:59"')
    try:
        proc = svc.start("run", "--poll-seconds", "3600", "--deadline-seconds", "2")
        svc.wait(proc, "the password command", lambda: _processes_with(marker), 60)
        svc.wait(proc, "the deadline", lambda: "passed its deadline" in svc.log(), 60)
        svc.wait(proc, "no process left", lambda: not _processes_with(marker), 30)
        assert svc.stop(proc) == 0
    finally:
        svc.close()
