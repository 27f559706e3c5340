"""A local Maildir as a read-only MailSource: mbsync/offlineimap copies, and the bundled demo.

Layout: Maildir++ (the root is INBOX, ``.Sent``, ``.Archive`` ... are folders) or a plain tree of
folders that each hold ``cur``/``new``. Messages get UIDs in file-name order, which for Maildir
names (they start with the delivery time) is arrival order.
"""

from __future__ import annotations

import email
import email.policy
import logging
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
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

    def _folder_dirs(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        if (self.root / "cur").is_dir() or (self.root / "new").is_dir():
            found["INBOX"] = self.root
        for sub in sorted(self.root.iterdir()):
            if not sub.is_dir() or sub.name in ("cur", "new", "tmp"):
                continue
            if (sub / "cur").is_dir() or (sub / "new").is_dir():
                name = sub.name[1:].replace(".", "/") if sub.name.startswith(".") else sub.name
                found["INBOX" if name.lower() == "inbox" else name] = sub
        return found

    def list_folders(self) -> list[tuple[Sequence[str], str | None, str]]:
        out = []
        for name in self._folder_dirs():
            flag = _SPECIAL.get(name.rsplit("/", 1)[-1].lower())
            out.append(((flag,) if flag else (), "/", name))
        return out

    def _list(self, folder: str) -> list[Path]:
        base = self._folder_dirs()[folder]
        files = [
            p
            for d in ("cur", "new")
            if (base / d).is_dir()
            for p in (base / d).iterdir()
            if p.is_file() and not p.name.startswith(".")
        ]
        # A file moved from new/ to cur/ keeps its base name; sort on that so UIDs stay put.
        files.sort(key=lambda p: p.name.split(":", 1)[0])
        self._files[folder] = files
        return files

    def status(self, folder: str) -> FolderStatus:
        files = self._list(folder)
        validity = zlib.crc32(str(self._folder_dirs()[folder].resolve()).encode()) or 1
        return FolderStatus(validity, len(files) + 1, len(files))

    def _headers(self, path: Path):
        with open(path, "rb") as f:
            head = b""
            for line in f:
                if line in (b"\n", b"\r\n"):
                    break
                head += line
        return email.message_from_bytes(head, policy=email.policy.compat32)

    def search(self, folder: str, query: SearchQuery) -> list[int]:
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
            chain = set(parse_ids(str(h.get("References", "")))) | set(
                parse_ids(str(h.get("In-Reply-To", "")))
            )
            if any(s in sender for s in senders) or chain & ids:
                hits.append(uid)
        return hits

    def _arrival(self, path: Path):
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
                    uid, raw, datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
                )

    def close(self) -> None:
        self._files.clear()
