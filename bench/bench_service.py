"""The service's idle cost and its reaction time, against a throwaway Dovecot.

(d) idle RSS and CPU of `feedback-watcher run` over a window (default 600 s; --quick 30 s);
(e) time from a reply's arrival to its classification, with IMAP IDLE and with polling.

    python bench/bench_service.py            # the full 10-minute window
    python bench/bench_service.py --quick    # 30 s, for CI
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from dovecot import PASSWORD, DovecotServer  # noqa: E402
from mailfactory import make_message  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
NOW = datetime.now(timezone.utc)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime, stime, cutime, cstime: the service and the workers it waited for.
    return sum(int(f) for f in fields[11:15]) / TICKS


def _config(tmp: Path, server: DovecotServer, user: str, idle: bool) -> Path:
    path = tmp / f"{user}.toml"
    path.write_text(
        'digest_time = "23:59"\n[delivery]\nnotify = false\n'
        f'[[accounts]]\nname = "bench"\nhost = "127.0.0.1"\nport = {server.port}\n'
        f'tls = "none"\nusername = "{user}"\npassword_env = "FW_BENCH_PASSWORD"\n'
        f'addresses = ["{user}@jobs.example"]\nidle = {"true" if idle else "false"}\n'
    )
    path.chmod(0o600)
    return path


def _request(user: str) -> bytes:
    return make_message(
        sender=f"{user}@jobs.example",
        to="dana@acme.example",
        subject="Interview feedback",
        date=NOW - timedelta(days=2),
        message_id=f"<req.{user}@jobs.example>",
        body="Thanks for the interview. What could I have done better, and how did I compare "
        "with the other candidates?",
    )


def _reply(user: str, n: int) -> bytes:
    return make_message(
        sender="dana@acme.example",
        to=f"{user}@jobs.example",
        subject="Re: Interview feedback",
        date=NOW,
        message_id=f"<rep{n}.{user}@acme.example>",
        in_reply_to=f"<req.{user}@jobs.example>",
        body="Your coding was strong but the system design answer lacked depth on caching.",
    )


def _start(config: Path, data: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "FW_BENCH_PASSWORD": PASSWORD}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "watcher",
            "--config",
            str(config),
            "--data-dir",
            str(data),
            "run",
            *extra,
        ],
        env=env,
        stderr=subprocess.DEVNULL,
    )


def _label(data: Path, mid: str) -> str | None:
    try:
        with sqlite3.connect(data / "state.sqlite3") as conn:
            row = conn.execute(
                "SELECT l.label FROM labels l JOIN messages m ON m.id = l.msg "
                "WHERE m.message_id = ?",
                (mid,),
            ).fetchone()
        return row[0] if row else None
    except sqlite3.Error:
        return None


def _wait(check, timeout: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def idle_cost(server: DovecotServer, tmp: Path, window: float) -> dict:
    user = "idler"
    server.append("Sent", [_request(user)], user=user)
    data = tmp / "idle-data"
    proc = _start(_config(tmp, server, user, idle=True), data)
    try:
        time.sleep(15)  # the first sync (with its model load) is over; now it is idle
        rss, cpu0, t0 = [], cpu_seconds(proc.pid), time.monotonic()
        while time.monotonic() - t0 < window:
            rss.append(rss_kib(proc.pid))
            time.sleep(min(5.0, window / 10))
        cpu = cpu_seconds(proc.pid) - cpu0
        elapsed = time.monotonic() - t0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    return {
        "rss_mib_max": max(rss) / 1024,
        "rss_mib_median": sorted(rss)[len(rss) // 2] / 1024,
        "cpu_percent": 100 * cpu / elapsed,
        "window_s": elapsed,
    }


def arrival(server: DovecotServer, tmp: Path, idle: bool, rounds: int) -> list[float]:
    user = "idleuser" if idle else "polluser"
    server.append("Sent", [_request(user)], user=user)
    data = tmp / f"{user}-data"
    extra = () if idle else ("--poll-seconds", "5")
    proc = _start(_config(tmp, server, user, idle=idle), data, *extra)
    times = []
    try:
        time.sleep(15)
        for n in range(rounds):
            server.append("INBOX", [_reply(user, n)], user=user)
            took = _wait(lambda n=n: _label(data, f"<rep{n}.{user}@acme.example>"), 120)
            times.append(took if took is not None else float("inf"))
            time.sleep(2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 30 s window, one round each")
    parser.add_argument("--window", type=float, default=600.0, help="idle window in seconds")
    args = parser.parse_args()
    window = 30.0 if args.quick else args.window
    rounds = 1 if args.quick else 3
    tmp = Path(tempfile.mkdtemp(prefix="fw-bench-service-"))
    tmp.chmod(0o755)
    server = DovecotServer(tmp / "dovecot")
    server.setup()
    server.start()
    try:
        cost = idle_cost(server, tmp, window)
        with_idle = arrival(server, tmp, idle=True, rounds=rounds)
        polling = arrival(server, tmp, idle=False, rounds=rounds)
    finally:
        server.stop()
    print(
        f"(d) idle service over {cost['window_s']:.0f} s: RSS median "
        f"{cost['rss_mib_median']:.1f} MiB, max {cost['rss_mib_max']:.1f} MiB (target <= 60); "
        f"CPU {cost['cpu_percent']:.2f}% (target about 0%)"
    )
    print(
        "(e) arrival to classification with IDLE: "
        + ", ".join(f"{t:.1f} s" for t in with_idle)
        + " (target: seconds)"
    )
    print(
        "(e) arrival to classification polling every 5 s: "
        + ", ".join(f"{t:.1f} s" for t in polling)
        + " (target: within one poll + work)"
    )
    ok = cost["rss_mib_max"] <= 60 and all(t < 60 for t in with_idle + polling)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
