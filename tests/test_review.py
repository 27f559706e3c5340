"""`feedback-watcher review` driven for real: a child process on a pseudo-terminal, fed keys."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from demostate import DEMO_NOW, DemoState

from watcher import review
from watcher.cli import main

REPO = Path(__file__).resolve().parent.parent


class Pty:
    """`feedback-watcher ARGV` with a pseudo-terminal as its controlling terminal and stdio."""

    def __init__(self, argv: list[str]) -> None:
        self.master, self.slave = os.openpty()
        self.initial = termios.tcgetattr(self.slave)
        env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120"}
        self.pid = os.fork()
        if self.pid == 0:  # the child: a new session whose terminal is the pty
            try:
                os.setsid()
                fcntl.ioctl(self.slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(self.slave, fd)
                os.execve(sys.executable, [sys.executable, "-m", "watcher", *argv], env)
            finally:
                os._exit(127)
        self.output = ""
        self.code: int | None = None

    def expect(self, pattern: str, timeout: float = 30) -> re.Match:
        """Read until ``pattern`` shows up in what the program printed since the start."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.output)
            if found:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} in:\n{self.output}")
            if select.select([self.master], [], [], min(left, 0.2))[0]:
                self.output += os.read(self.master, 65536).decode("utf-8", "replace")
            elif self.code is None and os.waitpid(self.pid, os.WNOHANG)[0]:
                self.code = -1  # exited: read what is left, then give up
                continue

    def raw_mode(self, timeout: float = 10) -> bool:
        """True once the program waits for a key in raw mode (no line editing, no echo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lflag = termios.tcgetattr(self.slave)[3]
            if not lflag & (termios.ICANON | termios.ECHO):
                return True
            time.sleep(0.02)
        return False

    def press(self, key: str) -> None:
        assert self.raw_mode(), "the program is not waiting for a key"
        os.write(self.master, key.encode())

    def wait(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    self.output += os.read(self.master, 65536).decode("utf-8", "replace")
                except OSError:
                    pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while select.select([self.master], [], [], 0.1)[0]:
                    chunk = os.read(self.master, 65536)
                    if not chunk:
                        break
                    self.output += chunk.decode("utf-8", "replace")
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError(f"still running:\n{self.output}")

    def settings_restored(self) -> bool:
        return termios.tcgetattr(self.slave) == self.initial

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def demo(tmp_path):
    demo = DemoState(tmp_path)
    demo.only_marked_unsure()
    return demo


def _review(demo) -> Pty:
    return Pty(demo.cli("review", "--now", DEMO_NOW))


def test_review_answers_unsure_requests_and_replies_one_key_each(demo):
    wonka = demo.mark_unsure("<s1@mail.example>", 0.35)  # 11 April
    cv = demo.mark_unsure("<s2@mail.example>", 0.45)  # 2 April
    globex = demo.set_label("<r3@globex-corp.example>", "rejection", 0.52)
    lumen = demo.set_label("<r8@lumen-conseil.example>", "feedback", 0.55)
    term = _review(demo)
    try:
        # Newest unsure request first, with its handle, recipient, subject and first lines.
        term.expect(r"\(1/4\) Did you ask for feedback here\?")
        block = term.expect(r"\(1/4\)[\s\S]*q = quit").group(0)
        assert f"[{wonka}] to recruiting@wonka-careers.example, Fri 11 Apr 2025" in block
        assert "Application - Junior Data Scientist" in block and "  | " in block
        assert "y = yes, track it   n = no, ignore it   s = skip   q = quit" in block
        term.press("n")
        term.expect(rf"\[{wonka}\] <s1@mail\.example>: ignored")
        block = term.expect(r"\(2/4\)[\s\S]*q = quit").group(0)
        assert f"[{cv}] to jamie.k@gmail.com" in block
        assert "  | hey Jamie, would you mind giving me some feedback on my CV" in block
        term.press("y")
        term.expect(rf"\[{cv}\] <s2@mail\.example>: tracked as a feedback request")
        block = term.expect(r"\(3/4\) Needs your eye: read as \w+, 5\d% sure[\s\S]*q = quit")
        third = int(re.search(r"\[(\d+)\] from ", block.group(0)).group(1))
        assert third in (globex, lumen)
        assert "f = feedback   r = rejection   n = no response   s = skip   q = quit" in (
            block.group(0)
        )
        term.press("x")  # not a key of this question: said so, and asked again
        term.expect(r"'x' is not one of the keys")
        term.press("F")
        term.expect(rf"\[{third}\] <r\d@[\w.-]+>: recorded as feedback")
        term.expect(r"\(4/4\) Needs your eye")
        term.press("s")
        assert term.wait() == 0
        assert "3 answered, 1 skipped\r\n" in term.output
        assert term.settings_restored()
    finally:
        term.close()
    store = demo.store()
    try:
        marks = store.request_marks()
        assert (marks[wonka].is_request, marks[wonka].source) == (False, "user")
        assert (marks[cv].is_request, marks[cv].source) == (True, "user")
        assert store.corrections() == {third: "feedback"}
        assert store.unsure_requests() == []
    finally:
        store.close()


def test_ctrl_c_keeps_what_was_answered_and_restores_the_terminal(demo):
    wonka = demo.mark_unsure("<s1@mail.example>")
    cv = demo.mark_unsure("<s2@mail.example>")
    term = _review(demo)
    try:
        term.expect(r"\(1/2\)[\s\S]*q = quit")
        term.press("y")
        term.expect(r"\(2/2\)[\s\S]*q = quit")
        term.press("\x03")  # in raw mode Ctrl-C is a character, not a signal
        assert term.wait() == 130
        assert "1 answered, 0 skipped, 1 left for another time (interrupted)" in term.output
        assert term.settings_restored()
    finally:
        term.close()
    store = demo.store()
    try:
        assert store.request_marks()[wonka].source == "user"
        assert [m.ref for m, _ in store.unsure_requests()] == [cv]
    finally:
        store.close()


def test_q_stops_and_nothing_to_review_says_so(demo):
    demo.mark_unsure("<s2@mail.example>")
    term = _review(demo)
    try:
        term.expect(r"\(1/1\)[\s\S]*q = quit")
        term.press("q")
        assert term.wait() == 0
        assert "0 answered, 0 skipped, 1 left for another time" in term.output
        assert term.settings_restored()
    finally:
        term.close()
    store = demo.store()
    store.mark_requests([(demo.ref("<s2@mail.example>"), False, "user", None)])
    store.close()
    term = _review(demo)
    try:
        assert term.wait() == 0
        assert "Nothing to review" in term.output
    finally:
        term.close()


def test_review_refuses_without_a_terminal(demo, capsys):
    demo.mark_unsure("<s2@mail.example>")
    assert main(demo.cli("review", "--now", DEMO_NOW), {}) == 2
    assert capsys.readouterr().err == (
        "feedback-watcher: error: review needs a terminal; use track, ignore and label instead\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "watcher", *demo.cli("review")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "feedback-watcher: error: review needs a terminal; use track, ignore and label instead"
    ]


def test_the_loop_on_plain_keys():
    """The loop alone: end of input stops it, unknown keys ask again, the tally adds up."""
    from test_unsure import _unsure

    questions = review.items([_unsure(1), _unsure(2), _unsure(3)], [])
    said: list[str] = []
    keys = iter(["?", "y", "s", ""])
    tally = review.run(
        questions, lambda: next(keys), said.append, lambda i, a: f"{a} {i.message.ref}"
    )
    assert tally.summary() == "1 answered, 1 skipped, 1 left for another time"
    assert "  track 101" in said and "  skipped" in said and "  stopped" in said
    assert any("'?' is not one of the keys" in s for s in said)


def test_what_mail_says_reaches_the_terminal_as_plain_lines():
    from test_unsure import _unsure

    item = review.items(
        [_unsure(1, subject="CV \x1b]0;owned\x07please", body="Hi,\nLine one\x1b[2J\nTwo\n")], []
    )[0]
    shown = review.show(item, 1, 1)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "  | Line one [2J\n  | Two\n" in shown
