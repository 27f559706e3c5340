"""Bad input never escapes, server side: random and mutated IMAP answers through ImapSource.

A loopback server (tests/scriptedimap.py) answers each command as a sane server would, or,
as hypothesis draws it per command, with NO or BAD, a hang-up, random bytes, the sane answer
with bytes flipped, inserted, removed or cut, numbers past 64 bits, or folder names in broken
modified UTF-7. A whole sync runs against it (LIST, STATUS, EXAMINE, SEARCH, FETCH) into a
fresh state file: it may fail, but only as a WatcherError (one line and an exit code at the
CLI), never another exception (a traceback and exit 70).

The budget is fixed (``max_examples`` below, no deadline); examples and escapes are counted
and printed (``pytest -s tests/test_server_fuzz.py``).
"""

from __future__ import annotations

import re
import tempfile
import threading
import traceback
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scriptedimap import GREETING, ScriptedImap, canonical

from watcher.config import Account
from watcher.credentials import Secret
from watcher.errors import WatcherError
from watcher.imap import ImapSource
from watcher.labels import RequestVerdict
from watcher.storage import Store
from watcher.sync import AccountSync

pytestmark = pytest.mark.slow

BUDGET = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2025, 3, 10, tzinfo=timezone.utc)
COMMANDS = ("GREETING", "CAPABILITY", "LOGIN", "LIST", "STATUS", "EXAMINE", "UID SEARCH")
COMMANDS += ("UID FETCH", "FETCH", "LOGOUT")

EXAMPLES: Counter[str] = Counter()
ESCAPES: list[str] = []

HUGE = [b"0", b"4294967296", b"18446744073709551616", b"99999999999999999999999999", b"-1"]
BAD_UTF7 = [b"&", b"&Jjo", b"&AGE", b"&-&", b"&ZeVnLIqe", b"&Jjo!", b"&////-", b"&2D3dAA-"]


@st.composite
def mutation(draw) -> tuple:
    kind = draw(
        st.sampled_from(
            ["good", "good", "no", "bad", "close", "garbage", "mutate", "numbers", "utf7", "cut"]
        )
    )
    if kind == "garbage":
        lines = draw(st.lists(st.binary(min_size=0, max_size=60), min_size=1, max_size=4))
        return (kind, lines)
    if kind == "mutate":
        edits = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["flip", "insert", "delete"]),
                    st.floats(0, 1),
                    st.sampled_from([b"(", b")", b"{", b"}", b'"', b"\\", b" ", b"\r\n", b"\x00"])
                    | st.binary(min_size=1, max_size=3),
                ),
                min_size=1,
                max_size=4,
            )
        )
        return (kind, edits)
    if kind == "numbers":
        return (kind, draw(st.sampled_from(HUGE)))
    if kind == "utf7":
        return (kind, draw(st.sampled_from(BAD_UTF7)))
    if kind == "cut":
        return (kind, draw(st.floats(0, 1)))
    return (kind, None)


def _mutate(data: bytes, edits) -> bytes:
    buf = bytearray(data)
    for op, where, value in edits:
        at = int(where * len(buf))
        if op == "flip" and buf:
            buf[min(at, len(buf) - 1)] ^= value[0] or 1
        elif op == "insert":
            buf[at:at] = value
        elif buf:
            del buf[min(at, len(buf) - 1)]
    return bytes(buf)


def _apply(kind: str, arg, tag: bytes, good: list) -> list:
    data = b"".join(c for c in good if isinstance(c, bytes))
    fixed = {
        "good": good,
        "no": [tag + b" NO [UNAVAILABLE] try later\r\n"],
        "bad": [tag + b" BAD what?\r\n"],
        "close": [None],
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "cut":  # part of the answer, then a hang-up
        return [data[: int(arg * len(data))], None]
    if kind == "garbage":
        out = [line + b"\r\n" for line in arg]
    elif kind == "mutate":
        out = [_mutate(data, arg)]
    elif kind == "numbers":
        out = [re.sub(rb"(?<=[ (\[])\d+(?=[ )\]])", arg, data)]
    else:  # utf7
        out = [data.replace(b"INBOX", arg).replace(b"Sent", b"S" + arg)]
    if tag + b" " not in out[-1]:
        out.append(tag + b" OK done\r\n")
    return out + ([None] if None in good else [])


class Script:
    def __init__(self, plan: dict[str, tuple]) -> None:
        self.plan = plan

    def answer(self, tag: bytes, name: str, line: bytes) -> list:
        kind, arg = self.plan.get(name, ("good", None))
        return _apply(kind, arg, tag, canonical(tag, name, line))

    def greeting(self) -> bytes:
        kind, arg = self.plan.get("GREETING", ("good", None))
        out = _apply(kind, arg, b"*", [GREETING])
        return b"".join(c for c in out if isinstance(c, bytes)) or b"\r\n"


@pytest.fixture(scope="module")
def server():
    with ScriptedImap() as srv:
        yield srv
    print(f"\nserver fuzz examples run: {dict(EXAMPLES)}; escapes: {len(ESCAPES)}")


def _account(port: int) -> Account:
    return Account(
        name="fuzz",
        host="127.0.0.1",
        port=port,
        tls="none",
        username="sam",
        addresses=("sam@jobs.example",),
    )


def _sync_once(port: int) -> str:
    with tempfile.TemporaryDirectory(prefix="fw-fuzz-") as tmp:
        store = Store.open(Path(tmp))
        try:
            source = ImapSource(_account(port), Secret("pw"), timeout=0.5)
            # A hostile answer can keep one read going past every socket timeout (seen once in
            # a long run, not yet pinned down); the service's deadline kills such a worker, and
            # here a watchdog cuts the socket so the example ends as a WatcherError.
            watchdog = threading.Timer(20, source.client.shutdown)
            watchdog.start()
            try:
                AccountSync(
                    source,
                    store,
                    _account(port),
                    now=NOW,
                    lookback_days=365,
                    detect_requests=lambda ms, *_: [(m.ref, RequestVerdict.YES, 1.0) for m in ms],
                ).run()
            finally:
                watchdog.cancel()
                source.close()
        except WatcherError as exc:
            return type(exc).__name__
        finally:
            store.close()
    return "completed"


@BUDGET
@given(st.dictionaries(st.sampled_from(COMMANDS), mutation(), max_size=3))
def test_any_server_answer_is_a_watcher_error_or_a_sync(server, plan):
    script = Script(plan)
    server.answer = script.answer
    server.greeting = script.greeting()
    try:
        outcome = _sync_once(server.port)
    except Exception:  # noqa: BLE001 - what the test is looking for
        ESCAPES.append(f"{plan}\n{traceback.format_exc()}")
        raise
    EXAMPLES[outcome] += 1
