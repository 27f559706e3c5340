"""The log: one format with control characters made visible, and a private file that follows
its path.

A log line quotes folder names and servers' answers; ``SafeFormatter`` writes their control and
bidi characters as escapes (``watcher.termsafe``), so ``journalctl`` or ``tail -f`` shows them
instead of obeying them, and a newline in a quoted value cannot forge a line of its own.

``PrivateLogFile`` is created mode 0600, and reopens its path when the file there is no longer
the one it writes to (the data directory was removed and made again, or the file was moved
aside), as ``logging.handlers.WatchedFileHandler`` does, rotating as ``RotatingFileHandler``.
"""

from __future__ import annotations

import io
import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from watcher.termsafe import visible

FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


class SafeFormatter(logging.Formatter):
    """Messages on one line each, control and bidi characters escaped; tracebacks keep theirs."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = visible(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: object) -> str:  # noqa: N802
        return visible(super().formatException(ei), "\n")  # type: ignore[arg-type]


class PrivateLogFile(RotatingFileHandler):
    """A rotating log file, mode 0600, reopened when its path points at another file."""

    def __init__(self, path: Path, max_bytes: int = 0, backups: int = 0) -> None:
        self._identity: tuple[int, int] | None = None
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, delay=False)

    def _open(self) -> io.TextIOWrapper:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        st = os.fstat(fd)
        if st.st_mode & 0o077:
            os.fchmod(fd, 0o600)
        self._identity = (st.st_dev, st.st_ino)
        return open(fd, "a", encoding="utf-8", errors="backslashreplace")

    def _moved(self) -> bool:
        try:
            st = os.stat(self.baseFilename)
        except FileNotFoundError:
            return True
        return (st.st_dev, st.st_ino) != self._identity

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is not None and self._moved():
            try:
                self.stream.close()
                self.stream = self._open()
            except OSError:
                self.handleError(record)
                return
        super().emit(record)
