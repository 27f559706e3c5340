"""One service per data directory: locks the operating system releases when the process dies.

Two locks, both ``fcntl.flock`` on files opened for the life of ``run``, so a crash or a
SIGKILL leaves nothing to clean up and a stale pid file can never keep the service down:

* ``service.lock`` in the data directory. It catches every other ``run`` on the same
  directory whatever path or environment it was started with (a symlinked path, another
  ``$XDG_RUNTIME_DIR``), because the lock lives on the directory's own file.
* ``<runtime dir>/feedback-watcher/<hash of the data directory's absolute path>.lock``. A
  lock on a file only holds while the file is the one others open: when the data directory
  is removed and made again, a new ``run`` would find a new, unlocked ``service.lock``. The
  lock by path does not depend on the directory at all, so it still holds then. The runtime
  directory is ``$XDG_RUNTIME_DIR`` (private to the user, emptied at logout), else a private
  ``feedback-watcher-<uid>`` directory in the temporary directory.

Each tick the service also checks that ``service.lock`` is still the file it locked, and
locks the new one when the directory was made again.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from watcher.errors import AlreadyRunning

log = logging.getLogger(__name__)

LOCK_NAME = "service.lock"


def runtime_dir(environ: Mapping[str, str]) -> Path | None:
    """A directory only this user can write, for the lock by path; None when there is none."""
    xdg = environ.get("XDG_RUNTIME_DIR")
    candidates = [Path(xdg) / "feedback-watcher"] if xdg and os.path.isabs(xdg) else []
    candidates.append(Path(tempfile.gettempdir()) / f"feedback-watcher-{os.getuid()}")
    for path in candidates:
        try:
            path.mkdir(mode=0o700, exist_ok=True)
            st = path.lstat()
        except OSError:
            continue
        # Another user could have made it first in a shared /tmp: never trust that one.
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022:
            return path
    return None


def _lock(path: Path) -> int:
    """An open, exclusively locked descriptor of ``path``; AlreadyRunning names the holder."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
            raise AlreadyRunning(holder or "?") from None
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


class ServiceLock:
    """Held for the life of ``run``; ``acquire`` raises AlreadyRunning when another holds it."""

    def __init__(self, data_dir: Path, runtime: Path | None) -> None:
        self.data_dir = data_dir
        self.path = data_dir / LOCK_NAME
        key = hashlib.sha256(os.fsencode(os.path.abspath(data_dir))).hexdigest()[:24]
        self.by_path = runtime / f"{key}.lock" if runtime else None
        self._fds: list[int] = []
        self._dir_fd: int | None = None

    def acquire(self) -> None:
        try:
            if self.by_path is not None:
                self._fds.append(self._take(self.by_path))
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._dir_fd = self._take(self.path)
            self._fds.append(self._dir_fd)
        except BaseException:
            self.release()
            raise

    def _take(self, path: Path) -> int:
        try:
            return _lock(path)
        except AlreadyRunning as exc:
            raise AlreadyRunning(
                f"another feedback-watcher service (pid {exc}) is already running on "
                f"{self.data_dir}; stop it first (systemctl --user stop feedback-watcher, or "
                "kill that pid)"
            ) from None

    def still_ours(self) -> bool:
        """True while ``service.lock`` is the file we locked. When the data directory was
        removed or the file replaced, lock the new one (False if another process holds it)."""
        if self._dir_fd is None:
            return True
        mine = os.fstat(self._dir_fd)
        try:
            there = os.stat(self.path)
            if (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino):
                return True
        except FileNotFoundError:
            pass
        log.warning("%s was removed or replaced under the service; locking it again", self.path)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = self._take(self.path)
        except AlreadyRunning as exc:
            log.error("%s", exc)
            return False
        except OSError as exc:
            log.warning("cannot lock %s again: %s", self.path, exc.strerror)
            return True  # the lock by path still holds; try again next tick
        os.close(self._dir_fd)
        self._fds.remove(self._dir_fd)
        self._dir_fd = fd
        self._fds.append(fd)
        return True

    def release(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds.clear()
        self._dir_fd = None
