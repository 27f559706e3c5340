"""Peak memory of a sync that meets large messages: 20 replies of 20 MB each from a company.

A job seeker's recruiter may send a 20 MB offer pack or a colleague forward a deck; the sync
reads only what it needs (bodies capped, FETCHes sized by bytes), so its peak RSS must stay
flat. Against a throwaway Dovecot on 127.0.0.1; `feedback-watcher sync` runs as its own
process and its peak RSS is read from the kernel (ru_maxrss of the child). Run from the
repository root:

    python bench/bench_memory.py [--count 20] [--mb 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

for _p in (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from dovecot import PASSWORD, USER, DovecotServer, dovecot_available  # noqa: E402

TARGET_MB = 150.0
NOW = datetime.now(timezone.utc)


def _message(n: int, size_mb: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Colleague {n} <colleague{n}@acme.example>"
    msg["To"] = "seeker@jobs.example"
    msg["Subject"] = f"Re: Feedback on my interview ({n})"
    msg["Date"] = format_datetime(NOW - timedelta(days=2, minutes=n))
    msg["Message-ID"] = f"<big{n}@acme.example>"
    msg["In-Reply-To"] = "<req@jobs.example>"
    msg.set_content("Hi Sam, the deck from the panel is attached; your case study was strong.")
    msg.add_attachment(
        os.urandom(size_mb * 1024 * 1024),
        maintype="application",
        subtype="octet-stream",
        filename=f"deck{n}.bin",
    )
    return msg.as_bytes()


def _request() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Sam <seeker@jobs.example>"
    msg["To"] = "Dana <dana@acme.example>"
    msg["Subject"] = "Feedback on my interview"
    msg["Date"] = format_datetime(NOW - timedelta(days=3))
    msg["Message-ID"] = "<req@jobs.example>"
    msg.set_content(
        "Thanks for the interview. How do I stack up against the other candidates, "
        "and what could I have done better?"
    )
    return msg.as_bytes()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--mb", type=int, default=20)
    args = ap.parse_args(argv)
    if not dovecot_available():
        print("needs Dovecot (apt-get install dovecot-imapd)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.chmod(tmp, 0o755)  # Dovecot's mail processes run as nobody and must reach the maildir
        server = DovecotServer(tmp / "dovecot")
        server.setup()
        server.start()
        try:
            server.append("Sent", [_request()])
            for n in range(args.count):
                server.append("INBOX", [_message(n, args.mb)])
            data = tmp / "data"
            config = tmp / "config.toml"
            config.write_text(
                f'[[accounts]]\nname = "bench"\nhost = "127.0.0.1"\nport = {server.port}\n'
                f'tls = "none"\nusername = "{USER}"\npassword_env = "BENCH_PW"\n'
                'addresses = ["seeker@jobs.example"]\n'
            )
            os.chmod(config, 0o600)
            env = dict(os.environ, BENCH_PW=PASSWORD)
            start = time.perf_counter()
            # The sync reports its own high-water mark, VmHWM of its address space. Not
            # ru_maxrss: Linux carries that across fork and exec, so it would include this
            # benchmark process, which built the large messages.
            probe = (
                "import sys; from watcher.cli import main; code = main(sys.argv[1:]); "
                "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]; "
                "print('PEAK', hwm[0], file=sys.stderr); sys.exit(code)"
            )
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    probe,
                    "--config",
                    str(config),
                    "--data-dir",
                    str(data),
                    "sync",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            took = time.perf_counter() - start
            peak_kb = next(
                (
                    int(line.split()[1])
                    for line in done.stderr.splitlines()
                    if line.startswith("PEAK ")
                ),
                0,
            )
            peak_mb = peak_kb / 1024
        finally:
            server.stop()
    print(done.stdout.strip())
    print(
        f"{args.count} messages of {args.mb} MB: sync exit {done.returncode}, {took:.1f} s, "
        f"peak RSS {peak_mb:.0f} MB (target <= {TARGET_MB:.0f} MB)"
    )
    return 0 if done.returncode == 0 and peak_mb <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
