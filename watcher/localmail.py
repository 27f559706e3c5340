"""A local Maildir as a read-only MailSource: mbsync/offlineimap copies, and the bundled demo.

Layout: Maildir++ (the root is INBOX, ``.Sent``, ``.Archive`` ... are folders) or a plain tree of
folders that each hold ``cur``/``new``. Messages get UIDs in file-name order, which for Maildir
names (they start with the delivery time) is arrival order.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import zlib
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path

from watcher.mail.headers import parse_ids
from watcher.mailsource import FetchedMessage, FolderStatus, SearchQuery

log = logging.getLogger(__name__)

_SPECIAL = {
    "sent": "\\Sent",
    "drafts": "\\Drafts",
    "trash": "\\Trash",
    "junk": "\\Junk",
    "spam": "\\Junk",
    "archive": "\\Archive",
}


class MaildirSource:
    """Read-only access to a Maildir tree; never renames, moves or flags a file."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            from watcher.errors import ConfigError

            raise ConfigError(f"maildir {self.root} does not exist")
        self._files: dict[str, list[Path]] = {}
        self._real_root = os.path.realpath(self.root)
        self._warned = False

    def _inside(self, path: Path) -> bool:
        """True when ``path`` (a symlink resolved) stays inside the Maildir: a link to
        /etc/passwd or to another user's mail is never read as a message or a folder."""
        real = os.path.realpath(path)
        inside = real == self._real_root or real.startswith(self._real_root + os.sep)
        if not inside and not self._warned:
            self._warned = True
            log.warning("maildir %s: not following %s, a link to outside it", self.root, path)
        return inside

    def _is_dir(self, path: Path) -> bool:
        return path.is_dir() and (not path.is_symlink() or self._inside(path))

    def _folder_dirs(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        if self._is_dir(self.root / "cur") or self._is_dir(self.root / "new"):
            found["INBOX"] = self.root
        for sub in sorted(self.root.iterdir()):
            if not self._is_dir(sub) or sub.name in ("cur", "new", "tmp"):
                continue
            if self._is_dir(sub / "cur") or self._is_dir(sub / "new"):
                name = sub.name[1:].replace(".", "/") if sub.name.startswith(".") else sub.name
                found["INBOX" if name.lower() == "inbox" else name] = sub
        return found

    def list_folders(self) -> list[tuple[Sequence[str], str | None, str]]:
        out: list[tuple[Sequence[str], str | None, str]] = []
        for name in self._folder_dirs():
            flag = _SPECIAL.get(name.rsplit("/", 1)[-1].lower())
            out.append(((flag,) if flag else (), "/", name))
        if not out:
            log.warning(
                "maildir %s holds no Maildir folder (no cur/ or new/ in it or in a folder "
                "below it): nothing to read there; check the path",
                self.root,
            )
        return out

    def _list(self, folder: str) -> list[Path]:
        base = self._folder_dirs()[folder]
        files = []
        for d in ("cur", "new"):
            if not self._is_dir(base / d):
                continue
            with os.scandir(base / d) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    path = Path(entry.path)
                    if entry.is_symlink() and not self._inside(path):
                        continue
                    if entry.is_file():
                        files.append(path)
        # A file moved from new/ to cur/ keeps its base name; sort on that so UIDs stay put.
        files.sort(key=lambda p: p.name.split(":", 1)[0])
        self._files[folder] = files
        return files

    def status(self, folder: str) -> FolderStatus:
        files = self._list(folder)
        # UIDs are positions in the folder: they stay put while mail is only added, and a
        # removed file shifts them. The validity covers the names, so any removal reads the
        # folder again (cheap for a local folder) instead of pointing at the wrong file.
        names = "\0".join(p.name.split(":", 1)[0] for p in files)
        path = str(self._folder_dirs()[folder].resolve())
        validity = zlib.crc32(f"{path}\0{names}".encode("utf-8", "surrogateescape")) or 1
        return FolderStatus(validity, len(files) + 1, len(files), uids_stable=False)

    def _headers(self, path: Path) -> email.message.Message:
        with open(path, "rb") as f:
            head = b""
            for line in f:
                if line in (b"\n", b"\r\n"):
                    break
                head += line
        return email.message_from_bytes(head, policy=email.policy.compat32)

    def search(self, folder: str, query: SearchQuery, form: str = "nested") -> list[int]:
        if query.empty:
            return []
        files = self._files.get(folder) or self._list(folder)
        senders = [s.lower() for s in query.senders]
        ids = set(query.referenced_ids)
        hits = []
        for uid in range(max(query.uid_min, 1), min(query.uid_max, len(files)) + 1):
            path = files[uid - 1]
            try:
                h = self._headers(path)
            except OSError:
                continue
            if query.since and self._arrival(path) < query.since:
                continue
            sender = str(h.get("From", "")).lower()
            chain = {i for name in query.id_headers for i in parse_ids(str(h.get(name, "")))}
            if any(s in sender for s in senders) or chain & ids:
                hits.append(uid)
        return hits

    def existing(self, folder: str, uids: Sequence[int]) -> set[int]:
        files = self._files.get(folder) or self._list(folder)
        return {u for u in uids if 1 <= u <= len(files)}

    def header_scan(
        self, folder: str, uid_min: int, uid_max: int, since: date | None
    ) -> Iterator[tuple[int, bytes]]:
        files = self._files.get(folder) or self._list(folder)
        for uid in range(max(uid_min, 1), min(uid_max, len(files)) + 1):
            path = files[uid - 1]
            try:
                if since and self._arrival(path) < since:
                    continue
                yield uid, self._head_bytes(path)
            except OSError:
                continue

    def fact_headers(self, folder: str, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """The header block of each of these UIDs (read up to its end, never the body)."""
        files = self._files.get(folder) or self._list(folder)
        for uid in sorted(set(uids)):
            if 1 <= uid <= len(files):
                try:
                    yield uid, self._head_bytes(files[uid - 1])
                except OSError:
                    continue

    def _head_bytes(self, path: Path) -> bytes:
        with open(path, "rb") as f:
            head = b""
            for line in f:
                if line in (b"\n", b"\r\n"):
                    break
                head += line
        return head + b"\n"

    def _arrival(self, path: Path) -> date:
        # Like IMAP SINCE, compare the arrival date: the Maildir file's time.
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date()

    def latest_arrival(self, folder: str) -> datetime | None:
        files = self._files.get(folder) or self._list(folder)
        if not files:
            return None
        return datetime.fromtimestamp(max(p.stat().st_mtime for p in files), timezone.utc)

    def fetch(self, folder: str, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        files = self._files.get(folder) or self._list(folder)
        for uid in sorted(uids):
            if 1 <= uid <= len(files):
                path = files[uid - 1]
                try:
                    raw = path.read_bytes()
                except OSError:
                    continue
                yield FetchedMessage(
                    uid,
                    raw,
                    datetime.fromtimestamp(path.stat().st_mtime, timezone.utc),
                    draft="D" in path.name.partition(":2,")[2],  # Maildir's Draft flag
                )

    def close(self) -> None:
        self._files.clear()
