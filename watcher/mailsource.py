"""What the sync needs from a mail store, whatever holds the mail (IMAP server or local Maildir).

Pure types and the search-criteria builder; the adapters (imap, localmail) implement MailSource.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class FolderStatus:
    """A folder's identity and size, as STATUS tells it."""

    uidvalidity: int
    uidnext: int
    messages: int


@dataclass(frozen=True)
class SearchQuery:
    """Messages in a UID range that match any of the senders or referenced ids."""

    uid_min: int
    uid_max: int
    since: date | None = None
    senders: tuple[str, ...] = ()  # substrings of From: an address, or "@domain"
    referenced_ids: tuple[str, ...] = ()  # Message-IDs found in In-Reply-To or References

    @property
    def empty(self) -> bool:
        return self.uid_max < self.uid_min or not (self.senders or self.referenced_ids)


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    internaldate: datetime | None


class MailSource(Protocol):
    """A read-only view of one account's folders."""

    def list_folders(self) -> list[tuple[Sequence[str], str | None, str]]: ...

    def status(self, folder: str) -> FolderStatus: ...

    def search(self, folder: str, query: SearchQuery) -> list[int]: ...

    def fetch(self, folder: str, uids: Sequence[int]) -> Iterator[FetchedMessage]: ...

    def latest_arrival(self, folder: str) -> datetime | None: ...

    def close(self) -> None: ...


def imap_criteria(query: SearchQuery) -> list:
    """IMAP SEARCH criteria (as imapclient takes them) for a query."""
    alternatives: list[list] = [["FROM", s] for s in query.senders]
    for mid in query.referenced_ids:
        alternatives.append(["HEADER", "In-Reply-To", mid])
        alternatives.append(["HEADER", "References", mid])
    criteria: list = ["UID", f"{query.uid_min}:{query.uid_max}"]
    if query.since:
        criteria += ["SINCE", query.since]
    return criteria + _any_of(alternatives)


def _any_of(alternatives: list[list]) -> list:
    # A balanced tree of binary ORs keeps the nesting shallow for long lists.
    if len(alternatives) == 1:
        return alternatives[0]
    half = len(alternatives) // 2
    return ["OR", _any_of(alternatives[:half]), _any_of(alternatives[half:])]
