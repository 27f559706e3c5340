"""An mbox file as a read-only MailSource: a Google Takeout export or a mail client's archive.

For backfilling history: `mbox = PATH` in an account reads one file (a folder named after it)
or every ``*.mbox`` file under a directory (Thunderbird keeps one per folder). The file is only
ever opened for reading. A Takeout export holds all of Gmail in one file and names each
message's labels in X-Gmail-Labels: messages labelled Spam or Trash are left out, as the IMAP
sync leaves out those folders.

UIDs are positions in the file. The UIDVALIDITY covers the file's "From " separator lines, so
an archive that was compacted or rewritten is read again instead of pointing at the wrong mail.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from watcher.errors import ConfigError
from watcher.mail.headers import parse_date, parse_ids
from watcher.mailsource import MAX_MESSAGE_BYTES, FetchedMessage, FolderStatus, SearchQuery

log = logging.getLogger(__name__)

_SEPARATOR = re.compile(rb"^From \S")
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.M)  # mboxrd: one ">" was added on export
_SKIPPED_LABELS = {"spam", "trash", "bin", "papierkorb", "corbeille", "papelera"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class _Entry:
    start: int  # offset of the message's first header byte (after the "From " line)
    end: int


class MboxSource:
    """Read-only access to one mbox file or a directory of them."""

    def __init__(self, path: Path) -> None:
        self.root = Path(path).expanduser()
        if not self.root.exists():
            raise ConfigError(f"mbox {self.root} does not exist")
        self._index: dict[str, tuple[list[_Entry], int]] = {}

    def _files(self) -> dict[str, Path]:
        if self.root.is_file():
            return {self.root.stem: self.root}
        return {
            str(p.relative_to(self.root).with_suffix("")): p
            for p in sorted(self.root.rglob("*.mbox"))
            if p.is_file()
        }

    def list_folders(self) -> list[tuple[Sequence[str], str | None, str]]:
        return [((), "/", name) for name in self._files()]

    def _entries(self, folder: str) -> list[_Entry]:
        if folder not in self._index:
            self._index[folder] = self._scan(self._files()[folder])
        return self._index[folder][0]

    def _scan(self, path: Path) -> tuple[list[_Entry], int]:
        """Offsets of every message, in one pass over the file; and a digest of separators."""
        entries: list[_Entry] = []
        digest = zlib.crc32(str(path.resolve()).encode("utf-8", "surrogateescape"))
        start = None
        offset = 0
        previous_blank = True
        with open(path, "rb") as f:
            for line in f:
                if previous_blank and _SEPARATOR.match(line):
                    if start is not None:
                        entries.append(_Entry(start, offset))
                    start = offset + len(line)
                    digest = zlib.crc32(line, digest)
                previous_blank = line in (b"\n", b"\r\n")
                offset += len(line)
        if start is not None:
            entries.append(_Entry(start, offset))
        return entries, digest or 1

    def status(self, folder: str) -> FolderStatus:
        self._index.pop(folder, None)  # read the file again: it may have grown
        entries = self._entries(folder)
        validity = self._index[folder][1]
        return FolderStatus(validity, len(entries) + 1, len(entries), uids_stable=False)

    def _read(self, folder: str, uid: int, limit: int | None = None) -> bytes:
        entry = self._entries(folder)[uid - 1]
        with open(self._files()[folder], "rb") as f:
            f.seek(entry.start)
            size = entry.end - entry.start
            data = f.read(size if limit is None else min(size, limit))
        return _ESCAPED_FROM.sub(rb"\1", data)

    def _head(self, folder: str, uid: int) -> bytes:
        data = self._read(folder, uid, 64 * 1024)
        cut = min(
            (i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0), default=len(data)
        )
        return data[:cut] + b"\n\n"

    def _uids(self, folder: str, lo: int, hi: int) -> range:
        return range(max(lo, 1), min(hi, len(self._entries(folder))) + 1)

    def _wanted(self, head: bytes) -> bool:
        labels = _header(head, b"x-gmail-labels")
        return not {x.strip().lower() for x in labels.split(",")} & _SKIPPED_LABELS

    def search(self, folder: str, query: SearchQuery, form: str = "nested") -> list[int]:
        if query.empty:
            return []
        senders = [s.lower() for s in query.senders]
        ids = set(query.referenced_ids)
        hits = []
        for uid in self._uids(folder, query.uid_min, query.uid_max):
            head = self._head(folder, uid)
            if not self._wanted(head):
                continue
            if query.since and _arrival(head) < query.since:
                continue
            sender = _header(head, b"from").lower()
            chain = set(parse_ids(_header(head, b"references"))) | set(
                parse_ids(_header(head, b"in-reply-to"))
            )
            if any(s in sender for s in senders) or chain & ids:
                hits.append(uid)
        return hits

    def existing(self, folder: str, uids: Sequence[int]) -> set[int]:
        return {u for u in uids if 1 <= u <= len(self._entries(folder))}

    def header_scan(
        self, folder: str, uid_min: int, uid_max: int, since: date | None
    ) -> Iterator[tuple[int, bytes]]:
        for uid in self._uids(folder, uid_min, uid_max):
            head = self._head(folder, uid)
            if self._wanted(head) and not (since and _arrival(head) < since):
                yield uid, head

    def fact_headers(self, folder: str, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """The header block of each of these UIDs (spam and trash left out, as by search)."""
        count = len(self._entries(folder))
        for uid in sorted(set(uids)):
            if 1 <= uid <= count:
                head = self._head(folder, uid)
                if self._wanted(head):
                    yield uid, head

    def latest_arrival(self, folder: str) -> datetime | None:
        entries = self._entries(folder)
        return _when(self._head(folder, len(entries))) if entries else None

    def fetch(self, folder: str, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        count = len(self._entries(folder))
        for uid in sorted(uids):
            if 1 <= uid <= count:
                raw = self._read(folder, uid, MAX_MESSAGE_BYTES + 1)
                yield FetchedMessage(
                    uid,
                    raw[:MAX_MESSAGE_BYTES],
                    _when(self._head(folder, uid)),
                    truncated=len(raw) > MAX_MESSAGE_BYTES,
                )

    def close(self) -> None:
        self._index.clear()


def _header(head: bytes, name: bytes) -> str:
    """One header's unfolded value (the first occurrence), as text."""
    match = re.search(rb"^" + re.escape(name) + rb":[ \t]*(.*(?:\r?\n[ \t].*)*)", head, re.I | re.M)
    if not match:
        return ""
    return re.sub(rb"\r?\n[ \t]+", b" ", match.group(1)).decode("utf-8", "replace").strip()


def _when(head: bytes) -> datetime | None:
    return parse_date(_header(head, b"date"))


def _arrival(head: bytes) -> date:
    # An mbox keeps no arrival time; the Date header stands in for IMAP's INTERNALDATE.
    when = _when(head)
    return (when or datetime(1970, 1, 1, tzinfo=timezone.utc)).date()
