"""What the sync needs from a mail store, whatever holds the mail (IMAP server or local Maildir).

Pure types and the search-criteria builder; the adapters (imap, localmail) implement MailSource.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

# Bodies are read up to this size: the text a reply carries sits before its attachments, and
# a 20 MB attachment is never read (measured: 20 such messages peaked at 1.27 GB RSS when read
# whole, 200 to a FETCH).
MAX_MESSAGE_BYTES = 512 * 1024


@dataclass(frozen=True)
class FolderStatus:
    """A folder's identity and size, as STATUS tells it."""

    uidvalidity: int
    uidnext: int
    messages: int
    # False where UIDs are positions that shift when mail is removed (a local Maildir): the
    # UIDVALIDITY then changes with the folder's content, and a re-read is routine.
    uids_stable: bool = True


@dataclass(frozen=True)
class SearchQuery:
    """Messages in a UID range that match any of the senders or referenced ids."""

    uid_min: int
    uid_max: int
    since: date | None = None
    senders: tuple[str, ...] = ()  # substrings of From: an address, or "@domain"
    referenced_ids: tuple[str, ...] = ()  # Message-IDs found in In-Reply-To or References
    id_headers: tuple[str, ...] = ("In-Reply-To", "References")  # where to look for them

    @property
    def empty(self) -> bool:
        return self.uid_max < self.uid_min or not (self.senders or self.referenced_ids)


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    internaldate: datetime | None
    truncated: bool = False  # read up to a size cap: attachments past it were never fetched
    # Flagged \Draft: never sent, so neither an ask nor a reply; ``raw`` may be empty. Gmail
    # shows drafts in All Mail beside the mail that was sent.
    draft: bool = False


class MailSource(Protocol):
    """A read-only view of one account's folders.

    Folder-level commands raise ``ServerRefused`` when the server answers NO or BAD (the
    connection is still usable) and ``MailServerError`` when the connection is lost.
    """

    def list_folders(self) -> list[tuple[Sequence[str], str | None, str]]: ...

    def status(self, folder: str) -> FolderStatus: ...

    def search(self, folder: str, query: SearchQuery, form: str = "nested") -> list[int]: ...

    def existing(self, folder: str, uids: Sequence[int]) -> set[int]: ...

    def header_scan(
        self, folder: str, uid_min: int, uid_max: int, since: date | None
    ) -> Iterator[tuple[int, bytes]]: ...

    def fetch(self, folder: str, uids: Sequence[int]) -> Iterator[FetchedMessage]: ...

    def fact_headers(self, folder: str, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """The header fields ``hiringfacts.FACT_FIELDS`` names (or the whole header block,
        where reading it costs nothing more) of these UIDs: never a body, never \\Seen."""
        ...

    def latest_arrival(self, folder: str) -> datetime | None: ...

    def close(self) -> None: ...


# How a SEARCH is written, richest first. A server that refuses one form gets the next:
# "nested" ORs in parentheses (a balanced tree), "flat" prefix ORs without parentheses
# (Exchange rejects some parenthesised forms), "single" one key per command.
SEARCH_FORMS = ("nested", "flat", "single")


def imap_criteria(query: SearchQuery, form: str = "nested") -> list:
    """IMAP SEARCH criteria (as imapclient takes them) for a query."""
    alternatives: list[list] = [["FROM", s] for s in query.senders]
    for mid in query.referenced_ids:
        alternatives += [["HEADER", name, mid] for name in query.id_headers]
    criteria: list = ["UID", f"{query.uid_min}:{query.uid_max}"]
    if query.since:
        criteria += ["SINCE", query.since]
    if form == "nested":
        return criteria + _any_of(alternatives)
    # Prefix OR needs no parentheses: OR a OR b c.
    flat: list = []
    for alt in alternatives[:-1]:
        flat += ["OR", *alt]
    return criteria + flat + alternatives[-1]


def _any_of(alternatives: list[list]) -> list:
    # A balanced tree of binary ORs keeps the nesting shallow for long lists.
    if len(alternatives) == 1:
        return alternatives[0]
    half = len(alternatives) // 2
    return ["OR", _any_of(alternatives[:half]), _any_of(alternatives[half:])]


def uid_set(uids: Sequence[int]) -> str:
    """An IMAP sequence set, runs compressed: [1, 2, 3, 7] -> "1:3,7"."""
    ordered = sorted(set(uids))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}:{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def byte_batches(
    uids: Sequence[int], sizes: Mapping[int, int], cap: int, budget: int
) -> Iterator[list[int]]:
    """UIDs grouped so that each group's bodies, each read up to ``cap``, fit ``budget``.

    A UID of unknown size counts as ``cap``.
    """
    batch: list[int] = []
    total = 0
    for uid in uids:
        cost = min(sizes.get(uid, cap), cap)
        if batch and total + cost > budget:
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += cost
    if batch:
        yield batch
