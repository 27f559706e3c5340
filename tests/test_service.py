"""The background service: scheduling rules on plain values, and the daemon against Dovecot."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime

import pytest
from mailfactory import make_message

from watcher.daemon import ClockWatch, Daemon, digest_due, next_backoff, worker_environ

# -- rules ------------------------------------------------------------------------------------


def test_digest_once_a_day_at_or_after_its_time():
    at = dtime(8, 0)
    monday_7 = datetime(2025, 4, 14, 7, 59)
    assert not digest_due(monday_7, None, at)
    assert digest_due(monday_7 + timedelta(minutes=1), None, at)
    assert digest_due(datetime(2025, 4, 14, 23, 0), date(2025, 4, 13), at)  # woke up late
    assert not digest_due(datetime(2025, 4, 14, 23, 0), date(2025, 4, 14), at)


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(1)
    waits, previous = [], None
    for _ in range(12):
        previous = next_backoff(previous, rng)
        waits.append(previous)
    assert 15 <= waits[0] <= 30
    assert waits[3] > waits[0]
    assert max(waits) <= 1800


def test_clock_jump_is_noticed():
    wall, mono = [1000.0], [50.0]
    watch = ClockWatch(lambda: wall[0], lambda: mono[0])
    assert not watch.jumped()
    wall[0] += 30
    mono[0] += 30
    assert not watch.jumped()
    wall[0] += 3600  # suspended for an hour: the monotonic clock stood still
    mono[0] += 5
    assert watch.jumped()


class FakeProcess:
    pid = 0

    def __init__(self, cmd, log):
        log.append(cmd[-1] if cmd[-1] != "--deliver" else "digest")

    def wait(self, timeout=None):
        return 0

    def poll(self):
        return 0


def test_service_syncs_after_a_clock_jump_and_delivers_the_digest_once():
    ran: list[str] = []
    envs: list[dict] = []
    wall, mono = [1000.0], [50.0]
    last_day: list[date | None] = [None]
    now = [datetime(2025, 4, 14, 9, 0, tzinfo=timezone.utc)]
    svc = Daemon(
        ["fw"],
        worker_environ({"HOME": "/home/sam"}),
        10,
        dtime(8, 0),
        lambda: last_day[0],
        now=lambda: now[0],
        clock=ClockWatch(lambda: wall[0], lambda: mono[0]),
        run=lambda cmd, **kw: envs.append(kw["env"]) or FakeProcess(cmd, ran),
    )
    svc.clock.jumped()
    svc.tick()
    assert ran == ["digest"]
    last_day[0] = now[0].date()
    ran.clear()
    svc.tick()
    assert ran == []
    wall[0] += 7200
    mono[0] += 1
    svc.tick()
    assert ran == ["sync"]
    # Workers get the service's environment explicitly, marked as workers.
    assert envs[-1] == {"HOME": "/home/sam", "FEEDBACK_WATCHER_WORKER": "1"}


# -- the daemon against a real Dovecot ------------------------------------------------------------

NOW = datetime.now(timezone.utc)


def _request(mb):
    return make_message(
        sender=f"Sam <{mb.address}>",
        to="Dana <dana@acme.example>",
        subject="Interview feedback",
        date=NOW - timedelta(days=3),
        message_id=f"<req.{mb.user}@jobs.example>",
        body="Thank you for the interview. Since I wasn't selected, could you tell me what I "
        "could have done better, and how I compared with the other candidates?",
    )


def _reply(mb, n=1):
    return make_message(
        sender="Dana <dana@acme.example>",
        to=mb.address,
        subject="Re: Interview feedback",
        date=NOW,
        message_id=f"<rep{n}.{mb.user}@acme.example>",
        in_reply_to=f"<req.{mb.user}@jobs.example>",
        body="Hi Sam, honestly your system design answer lacked depth on caching and you did "
        "not ask about scale. Your coding round was one of the best we saw.",
    )


@pytest.fixture(scope="module", autouse=True)
def warm_models():
    """Build (or load) both models once, so workers time the service, not a model rebuild."""
    from watcher.classify.classifier import load_classifier

    load_classifier("reply", None)
    load_classifier("request", None)


def _start(mb, *extra, verbose: tuple[str, ...] = ()):
    env = {**os.environ, **mb.environ}
    # Files, not pipes: nobody reads a pipe while the service runs, and a full one (-vv logs
    # whole IMAP conversations) would block the service mid-test.
    with open(mb.tmp / "service.out", "ab") as out, open(mb.tmp / "service.err", "ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "watcher", *verbose, *mb.cli("run", *extra)],
            env=env,
            stdout=out,
            stderr=err,
        )


def _log(mb) -> str:
    try:
        return (mb.data_dir / "logs" / "feedback-watcher.log").read_text()
    except FileNotFoundError:
        return ""


# The summary line each sync worker logs once an account is synced (watcher.service).
SYNCED = re.compile(r"^.* INFO watcher\.service: test: \d+ folders, ", re.MULTILINE)


def _syncs(mb, run: int = 1) -> int:
    """Syncs finished in the ``run``-th start of the service (counted from 1)."""
    runs = _log(mb).split("service started")
    return len(SYNCED.findall(runs[run])) if len(runs) > run else 0


def _wait_for(mb, proc, what: str, check, timeout: float = 90.0):
    """Poll ``check`` until it gives a true value, which is returned; fail saying ``what``.

    The deadline is generous because the machine may be busy; the interval is short because
    these waits are most of the test's time.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"the service exited ({proc.returncode}) before {what}\n{_output(mb)}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f} s\n{_output(mb)}")
        time.sleep(0.05)


def _output(mb) -> str:
    err = mb.tmp / "service.err"
    stderr = err.read_text(errors="replace")[-3000:] if err.exists() else ""
    return f"log (tail):\n{_log(mb)[-3000:]}\nstderr (tail):\n{stderr}"


def _query(mb, sql, arg):
    """One value from the service's state file, read-only: the test never creates the file."""
    db = mb.data_dir / "state.sqlite3"
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute(sql, (arg,)).fetchone()
    except sqlite3.OperationalError:  # not created yet, or not migrated yet
        return None
    return row[0] if row else None


def _label(mb, mid):
    return _query(
        mb,
        "SELECT l.label FROM labels l JOIN messages m ON m.id = l.msg WHERE m.message_id = ?",
        mid,
    )


def _kv(mb, key):
    return _query(mb, "SELECT value FROM kv WHERE key = ?", key)


def _time_to_label(mb, proc, ready: str, is_ready) -> tuple[str, float]:
    """Once ``is_ready``, append a reply and time how long the service takes to label it."""
    _wait_for(mb, proc, ready, is_ready)
    mb.append("INBOX", _reply(mb))
    arrived = time.monotonic()
    label = _wait_for(
        mb, proc, "label for the reply", lambda: _label(mb, f"<rep1.{mb.user}@acme.example>")
    )
    return label, time.monotonic() - arrived


def _stop(proc) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.dovecot
def test_reply_arriving_while_running_is_classified_within_one_poll(mailbox):
    mailbox.write_config("idle = false", 'digest_time = "23:59"')
    mailbox.append("Sent", _request(mailbox))
    proc = _start(mailbox, "--poll-seconds", "2")
    try:
        # After the first sync, so the reply arrives while the service is running.
        label, took = _time_to_label(mailbox, proc, "first sync", lambda: _syncs(mailbox) >= 1)
        assert label == "feedback"
        print(f"arrival to classification (polling every 2 s): {took:.1f} s")
    finally:
        assert _stop(proc) == 0


@pytest.mark.dovecot
def test_idle_picks_up_a_reply_within_seconds(mailbox):
    mailbox.write_config("idle = true", 'digest_time = "23:59"')
    mailbox.append("Sent", _request(mailbox))
    # -vv: the IMAP conversation is logged, so the test sees when the server starts idling.
    proc = _start(mailbox, "--poll-seconds", "3600", verbose=("-vv",))
    try:
        # Not before the first sync (it would pick the reply up without IDLE) and the server's
        # "+ idling" (a reply appended before the IDLE would not be announced).
        label, took = _time_to_label(
            mailbox,
            proc,
            "first sync and IDLE",
            lambda: _syncs(mailbox) >= 1 and "+ idling" in _log(mailbox),
        )
        assert label == "feedback"
        assert took < 30
        print(f"arrival to classification with IDLE: {took:.1f} s")
    finally:
        assert _stop(proc) == 0


@pytest.mark.dovecot
def test_server_restart_while_running_loses_nothing(own_dovecot, tmp_path):
    from conftest import Mailbox

    mb = Mailbox(own_dovecot, "restarter", tmp_path)
    mb.write_config("idle = false", 'digest_time = "23:59"')
    mb.append("Sent", _request(mb))
    proc = _start(mb, "--poll-seconds", "1")
    try:
        _wait_for(mb, proc, "first sync", lambda: _syncs(mb) >= 1)
        failed_before = _log(mb).count("sync failed")
        own_dovecot.stop()
        _wait_for(
            mb,
            proc,
            "failed sync while the server is down",
            lambda: _log(mb).count("sync failed") > failed_before,
        )
        own_dovecot.start()
        mb.append("INBOX", _reply(mb, 2))
        label = _wait_for(
            mb,
            proc,
            "label for the reply",
            lambda: _label(mb, f"<rep2.{mb.user}@acme.example>"),
            timeout=120,
        )
        assert label == "feedback"
        assert proc.poll() is None  # the service survived
    finally:
        assert _stop(proc) == 0


@pytest.mark.dovecot
def test_digest_is_delivered_once_per_day_across_restarts(mailbox):
    mailbox.write_config("idle = false", 'digest_time = "00:00"\n[delivery]\nnotify = false')
    mailbox.append("Sent", _request(mailbox))
    log_file = mailbox.data_dir / "logs" / "feedback-watcher.log"
    # The first run delivers today's digest.
    proc = _start(mailbox, "--poll-seconds", "3600")
    try:
        _wait_for(mailbox, proc, "digest", lambda: "digest delivered" in _log(mailbox))
        assert _kv(mailbox, "last_digest_day")
    finally:
        assert _stop(proc) == 0
    # The second, the same day, must not. Polling every second, each pass of the loop (each
    # with its digest check) leaves a sync line in the log. The first sync runs before the
    # loop, and the loop's first pass may run the second before it checks the digest; so by
    # the third sync that check is done, and any digest it started has finished (workers run
    # one at a time).
    proc = _start(mailbox, "--poll-seconds", "1")
    try:
        _wait_for(mailbox, proc, "third sync of the second run", lambda: _syncs(mailbox, 2) >= 3)
    finally:
        assert _stop(proc) == 0
    digests = sorted((mailbox.data_dir / "digests").glob("digest-*.md"))
    assert len(digests) == 1
    assert log_file.read_text().count("digest delivered") == 1, log_file.read_text()
