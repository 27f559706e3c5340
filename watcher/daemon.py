"""The background service: a small loop that starts short-lived workers on schedule.

The loop itself holds no mail and no model: each sync and each digest runs in a child
process (``feedback-watcher sync`` / ``digest --deliver``), so scikit-learn's memory is given
back to the system as soon as a batch of new replies is classified, and a crash in one run
costs a log line and a retry, never the service.
"""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)

BACKOFF_START = 30.0  # seconds before the first retry after a failed sync
BACKOFF_MAX = 1800.0
CLOCK_JUMP = 120.0  # wall clock ahead of the monotonic clock by this much: we were asleep
TICK = 30.0  # the loop never sleeps longer, so a resume is noticed within this
WORKER_FLAG = "FEEDBACK_WATCHER_WORKER"  # set for the workers: they log to the service's file


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


class WorkerProcess(Protocol):
    """What the loop needs of a started worker: subprocess.Popen, or a test's stand-in."""

    def wait(self) -> int: ...

    def poll(self) -> int | None: ...

    def send_signal(self, sig: int) -> None: ...


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
        now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        clock: ClockWatch | None = None,
        run: Callable[..., WorkerProcess] = subprocess.Popen,
        rng: random.Random | None = None,
    ) -> None:
        import schedule

        self.worker = list(worker)
        self.worker_environ = dict(worker_environ)
        self.poll = poll_minutes * 60.0
        self.digest_time = digest_time
        self.last_digest_day = last_digest_day
        self.now = now
        self.clock = clock or ClockWatch()
        self.run_process = run
        self.rng = rng or random.Random()
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.child: WorkerProcess | None = None
        self.backoff: float | None = None
        self.retry_at: float | None = None
        self.scheduler = schedule.Scheduler()
        self.scheduler.every(poll_minutes).minutes.do(self.sync)

    def set_poll_seconds(self, seconds: float) -> None:
        """A shorter poll, for tests of the service."""
        self.scheduler.clear()
        self.poll = seconds
        # schedule annotates the interval as int, but only passes it to timedelta, which takes
        # the fractions of a second these tests poll at.
        self.scheduler.every(seconds).seconds.do(self.sync)  # type: ignore[arg-type]

    # -- jobs ---------------------------------------------------------------------------------
    def _run_worker(self, args: Sequence[str]) -> int:
        cmd = [*self.worker, *args]
        log.debug("starting worker: %s", " ".join(args))
        try:
            # The worker's summary line is logged too; stdout would only duplicate it.
            self.child = self.run_process(cmd, stdout=subprocess.DEVNULL, env=self.worker_environ)
            code = self.child.wait()
        except OSError as exc:
            log.error("cannot start a worker: %s", exc)
            return 70
        finally:
            self.child = None
        return code

    def sync(self) -> None:
        code = self._run_worker(["sync"])
        if code == 0 or self.stop_event.is_set():
            self.backoff = self.retry_at = None
            return
        self.backoff = next_backoff(self.backoff, self.rng)
        self.retry_at = time.monotonic() + self.backoff
        log.warning("sync failed (exit %d); retrying in %.0f s", code, self.backoff)

    def digest(self) -> None:
        code = self._run_worker(["digest", "--deliver"])
        if code != 0:
            log.error("digest failed (exit %d); will try again on the next tick", code)

    # -- the loop -------------------------------------------------------------------------------
    def request_stop(self, *_: object) -> None:
        """Signal handler: let the current worker finish its transaction, then exit."""
        self.stop_event.set()
        self.wake_event.set()
        child = self.child
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    def wake(self) -> None:
        """Sync now (new mail announced by IDLE, or a resume)."""
        self.wake_event.set()

    def tick(self) -> None:
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
            self.now(), self.last_digest_day(), self.digest_time
        ):
            self.digest()

    def run_forever(self) -> int:
        log.info(
            "service started: sync every %.0f min, digest daily at %s",
            self.poll / 60,
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
