"""The terminal: single keypresses in raw mode, the terminal's settings always put back.

Raw mode is on only while a key is awaited, so everything printed goes through the terminal's
normal line handling. In raw mode Ctrl-C arrives as a character, not a signal: it is turned
into KeyboardInterrupt after the settings are restored.
"""

from __future__ import annotations

import os
import select
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

CTRL_C, CTRL_D, ESC = "\x03", "\x04", "\x1b"


def is_terminal(stream: IO[Any] | None) -> bool:
    try:
        return stream is not None and os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):  # a stream with no file behind it
        return False


class KeyReader:
    """Reads one key at a time from a terminal's file descriptor."""

    def __init__(self, fd: int) -> None:
        import termios

        self.fd = fd
        self.saved = termios.tcgetattr(fd)

    def restore(self) -> None:
        import termios

        # TCSADRAIN: output finishes first, and keys typed ahead are kept.
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    def read_key(self) -> str:
        """One key ("" at end of input); Ctrl-C raises KeyboardInterrupt, Ctrl-D is the end."""
        import termios
        import tty

        try:
            tty.setraw(self.fd, termios.TCSANOW)  # TCSANOW: keys typed ahead are not dropped
            data = os.read(self.fd, 1)
            if data == ESC.encode():
                data += self._pending()  # an arrow or function key: one key, not three
        finally:
            self.restore()
        key = data.decode("utf-8", "replace")
        if key == CTRL_C:
            raise KeyboardInterrupt
        if key == CTRL_D:
            return ""
        return key if len(key) == 1 else ESC

    def _pending(self) -> bytes:
        out = b""
        while select.select([self.fd], [], [], 0.05)[0]:
            chunk = os.read(self.fd, 16)
            if not chunk:
                break
            out += chunk
        return out


@contextmanager
def keys(stream: IO[Any] | None = None) -> Iterator[KeyReader]:
    """A KeyReader on ``stream`` (stdin); the terminal's settings are put back however the
    block ends, a SIGTERM included."""
    stream = sys.stdin if stream is None else stream
    assert stream is not None
    reader = KeyReader(stream.fileno())

    def on_term(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield reader
    finally:
        reader.restore()
        signal.signal(signal.SIGTERM, previous)
