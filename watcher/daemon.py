"""The background service: a small loop that starts short-lived workers on schedule.

The loop itself holds no mail and no model: each sync and each digest runs in a child
process (``feedback-watcher sync`` / ``digest --deliver``), so scikit-learn's memory is given
back to the system as soon as a batch of new replies is classified, and a crash in one run
costs a log line and a retry, never the service.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from typing import Protocol

from watcher.errors import WatcherError

log = logging.getLogger(__name__)

BACKOFF_START = 30.0  # seconds before the first retry after a failed sync
BACKOFF_MAX = 1800.0
CLOCK_JUMP = 120.0  # wall clock ahead of the monotonic clock by this much: we were asleep
TICK = 30.0  # the loop never sleeps longer, so a resume is noticed within this
WORKER_FLAG = "FEEDBACK_WATCHER_WORKER"  # set for the workers: they log to the service's file
DEFAULT_DEADLINE_MINUTES = 10  # a poll with nothing new takes seconds; a first sync resumes
STOP_GRACE = 15.0  # seconds a worker asked to stop may take to commit before it is killed
KILL_GRACE = 10.0  # the same after its deadline: SIGTERM first, SIGKILL after this
EXIT_CREDENTIALS = 3


def digest_due(now: datetime, last_day: date | None, at: dtime) -> bool:
    """True once per day, at ``at`` or at the first chance after it (the laptop was asleep)."""
    if last_day is not None and last_day >= now.date():
        return False
    return now.time() >= at


def next_backoff(previous: float | None, rng: random.Random) -> float:
    """Exponential backoff with full jitter, capped."""
    base = BACKOFF_START if previous is None else min(previous * 2, BACKOFF_MAX)
    return base * (0.5 + rng.random() / 2)


@dataclass
class ClockWatch:
    """Notices the wall clock jumping against the monotonic clock (suspend, resume, NTP)."""

    wall: Callable[[], float] = time.time
    mono: Callable[[], float] = time.monotonic
    _last: tuple[float, float] | None = field(default=None)

    def jumped(self) -> bool:
        now = (self.wall(), self.mono())
        last, self._last = self._last, now
        if last is None:
            return False
        # During suspend the monotonic clock stops (CLOCK_MONOTONIC on Linux), the wall does not.
        return abs((now[0] - last[0]) - (now[1] - last[1])) > CLOCK_JUMP


@dataclass(frozen=True)
class Settings:
    """What the loop takes from the configuration (read again on SIGHUP)."""

    poll_minutes: int
    digest_time: dtime
    deadline_minutes: int = DEFAULT_DEADLINE_MINUTES


class WorkerProcess(Protocol):
    """What the loop needs of a started worker: subprocess.Popen, or a test's stand-in."""

    pid: int

    def wait(self, timeout: float | None = None) -> int: ...

    def poll(self) -> int | None: ...

    def send_signal(self, sig: int) -> None: ...


class LockCheck(Protocol):
    def still_ours(self) -> bool: ...


def _signal_group(child: WorkerProcess, sig: int) -> None:
    """Signal the worker's whole process group (it leads one: start_new_session)."""
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass


class Daemon:
    """Runs syncs every poll interval and the digest once a day, until told to stop."""

    def __init__(
        self,
        worker: Sequence[str],
        worker_environ: Mapping[str, str],
        poll_minutes: int,
        digest_time: dtime,
        last_digest_day: Callable[[], date | None],
        *,
        deadline_minutes: int = DEFAULT_DEADLINE_MINUTES,
        now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        clock: ClockWatch | None = None,
        run: Callable[..., WorkerProcess] = subprocess.Popen,
        rng: random.Random | None = None,
        lock: LockCheck | None = None,
        reload: Callable[[], Settings] | None = None,
    ) -> None:
        import schedule

        self.worker = list(worker)
        self.worker_environ = dict(worker_environ)
        self.last_digest_day = last_digest_day
        self.now = now
        self.clock = clock or ClockWatch()
        self.run_process = run
        self.rng = rng or random.Random()
        self.lock = lock
        self.reload = reload
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.reload_event = threading.Event()
        self.child: WorkerProcess | None = None
        self.backoff: float | None = None
        self.retry_at: float | None = None
        self.delivered_day: date | None = None  # remembered here too: the file may be replaced
        self.last_code = 0
        self._doubted: set[date] = set()
        self.poll_override: float | None = None
        self.deadline_override: float | None = None  # seconds, for tests of the service
        self.scheduler = schedule.Scheduler()
        self.apply(Settings(poll_minutes, digest_time, deadline_minutes))

    def apply(self, settings: Settings) -> None:
        self.settings = settings
        self.digest_time = settings.digest_time
        self.deadline = self.deadline_override or settings.deadline_minutes * 60.0
        self.scheduler.clear()
        if self.poll_override is not None:
            self.set_poll_seconds(self.poll_override)
            return
        self.poll = settings.poll_minutes * 60.0
        self.scheduler.every(settings.poll_minutes).minutes.do(self.sync)

    def set_poll_seconds(self, seconds: float) -> None:
        """A shorter poll, for tests of the service."""
        self.scheduler.clear()
        self.poll = self.poll_override = seconds
        # schedule annotates the interval as int, but only passes it to timedelta, which takes
        # the fractions of a second these tests poll at.
        self.scheduler.every(seconds).seconds.do(self.sync)  # type: ignore[arg-type]

    # -- jobs ---------------------------------------------------------------------------------
    def _run_worker(self, args: Sequence[str]) -> tuple[int, bool]:
        """Run one worker to its end; (exit code, whether it was stopped at its deadline)."""
        cmd = [*self.worker, *args]
        log.debug("starting worker: %s", " ".join(args))
        try:
            # Its own session, so its whole process group can be killed at the deadline, and
            # Ctrl-C at the terminal reaches the service only (which then stops the worker).
            # The worker's summary line is logged too; stdout would only duplicate it.
            self.child = self.run_process(
                cmd, stdout=subprocess.DEVNULL, env=self.worker_environ, start_new_session=True
            )
            return self._wait(self.child, args[0])
        except OSError as exc:
            log.error("cannot start a worker: %s", exc)
            return 70, False
        finally:
            self.child = None

    def _wait(self, child: WorkerProcess, what: str) -> tuple[int, bool]:
        started = time.monotonic()
        stop_seen: float | None = None
        while True:
            try:
                return child.wait(timeout=0.5), False
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if now - started > self.deadline:
                log.warning(
                    "%s worker passed its deadline of %.0f min; stopping it (what it saved "
                    "stays, the next run goes on from there)",
                    what,
                    self.deadline / 60,
                )
                return self._end(child), True
            if self.stop_event.is_set():
                stop_seen = stop_seen or now
                if now - stop_seen > STOP_GRACE:
                    log.warning(
                        "%s worker did not stop within %.0f s; killing it", what, STOP_GRACE
                    )
                    _signal_group(child, signal.SIGKILL)
                    return child.wait(), False

    def _end(self, child: WorkerProcess) -> int:
        """SIGTERM to the worker's group (it commits and stops), SIGKILL if it does not."""
        _signal_group(child, signal.SIGTERM)
        try:
            code = child.wait(timeout=KILL_GRACE)
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            code = child.wait()
        _signal_group(child, signal.SIGKILL)  # what it left behind in its group
        return code

    def sync(self) -> None:
        code, late = self._run_worker(["sync"])
        previous, self.last_code = self.last_code, code
        if code == 0 or late or self.stop_event.is_set():
            # A worker stopped at its deadline saved what it had: the next poll goes on.
            self.backoff = self.retry_at = None
            return
        self.backoff = next_backoff(self.backoff, self.rng)
        self.retry_at = time.monotonic() + self.backoff
        # A refused login is said once: the worker waits for a new password by itself.
        quiet = code == EXIT_CREDENTIALS and previous == EXIT_CREDENTIALS
        log.log(
            logging.DEBUG if quiet else logging.WARNING,
            "sync failed (exit %d); retrying in %.0f s",
            code,
            self.backoff,
        )

    def digest(self) -> None:
        code, _ = self._run_worker(["digest", "--deliver"])
        if code == 0:
            self.delivered_day = self.now().date()
        else:
            log.error("digest failed (exit %d); will try again on the next tick", code)

    def last_day(self) -> date | None:
        """The last digest day: the state's (unless in the future) or this run's own."""
        stored = self.last_digest_day()
        today = self.now().date()
        if stored is not None and stored > today:
            if stored not in self._doubted:
                self._doubted.add(stored)
                log.warning(
                    "the last digest is dated %s, in the future (was the clock ahead?); "
                    "treating it as unknown",
                    stored.isoformat(),
                )
            stored = None
        known = [d for d in (stored, self.delivered_day) if d is not None]
        return max(known) if known else None

    # -- the loop -------------------------------------------------------------------------------
    def request_stop(self, *_: object) -> None:
        """Signal handler: let the current worker finish its transaction, then exit."""
        self.stop_event.set()
        self.wake_event.set()
        child = self.child
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    def request_reload(self, *_: object) -> None:
        """SIGHUP: read the configuration again between jobs."""
        self.reload_event.set()
        self.wake_event.set()

    def wake(self) -> None:
        """Sync now (new mail announced by IDLE, or a resume)."""
        self.wake_event.set()

    def _reload(self) -> None:
        self.reload_event.clear()
        if self.reload is None:
            return
        try:
            settings = self.reload()
        except WatcherError as exc:
            log.error("SIGHUP: configuration not reloaded, keeping the old one: %s", exc)
            return
        self.apply(settings)
        log.info(
            "SIGHUP: configuration reloaded: sync every %.0f min, digest daily at %s",
            self.poll / 60,
            self.digest_time.strftime("%H:%M"),
        )
        self.wake_event.set()  # a changed account or password: try it now

    def tick(self) -> None:
        if self.lock is not None and not self.lock.still_ours():
            self.stop_event.set()
            return
        if self.reload_event.is_set():
            self._reload()
        if self.clock.jumped():
            log.info("clock jumped (suspend/resume or network change): syncing now")
            self.backoff = self.retry_at = None
            self.wake_event.set()
        if self.wake_event.is_set() and not self.stop_event.is_set():
            self.wake_event.clear()
            self.sync()
        elif self.retry_at is not None and time.monotonic() >= self.retry_at:
            self.retry_at = None
            self.sync()
        if not self.stop_event.is_set():
            self.scheduler.run_pending()
        if not self.stop_event.is_set() and digest_due(
            self.now(), self.last_day(), self.digest_time
        ):
            self.digest()

    def run_forever(self) -> int:
        log.info(
            "service started: sync every %.0f min (deadline %.0f min), digest daily at %s",
            self.poll / 60,
            self.deadline / 60,
            self.digest_time.strftime("%H:%M"),
        )
        self.clock.jumped()
        self.sync()
        while not self.stop_event.is_set():
            self.tick()
            wait = min(TICK, max(self.scheduler.idle_seconds or TICK, 1.0))
            if self.retry_at is not None:
                wait = min(wait, max(self.retry_at - time.monotonic(), 1.0))
            self.wake_event.wait(wait)
        log.info("service stopped")
        return 0


def worker_command(config_path: str | None, data_dir: str | None, verbose: int) -> list[str]:
    cmd = [sys.executable, "-m", "watcher"]
    if config_path:
        cmd += ["--config", config_path]
    if data_dir:
        cmd += ["--data-dir", data_dir]
    if verbose:
        cmd.append("-" + "v" * verbose)
    return cmd


def worker_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The service's environment, marked so that each worker knows it is one."""
    return {**environ, WORKER_FLAG: "1"}


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
