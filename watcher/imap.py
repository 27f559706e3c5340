"""The IMAP adapter: the only module that talks to imapclient.

Every folder is opened with EXAMINE (read-only) and every body fetched with BODY.PEEK, so a
sync never sets \\Seen or changes anything else on the server.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from watcher.config import Account, is_loopback
from watcher.credentials import Secret
from watcher.errors import CredentialError, MailServerError
from watcher.mailsource import FetchedMessage, FolderStatus, SearchQuery, imap_criteria

log = logging.getLogger(__name__)

FETCH_CHUNK = 200  # UIDs per FETCH: big enough to amortise round trips, far below server limits


@dataclass
class TrafficStats:
    """IMAP commands sent and bytes moved, for benchmarks and debug logs."""

    commands: int = 0
    bytes_in: int = 0
    bytes_out: int = 0


def _count_traffic(imap, stats: TrafficStats) -> None:
    # imaplib reads and writes through these three methods; wrapping them on the instance
    # counts the wire bytes. It reaches into imapclient's private ``_imap``, so it is opt-in.
    read, readline, send = imap.read, imap.readline, imap.send

    def counted_read(size):
        data = read(size)
        stats.bytes_in += len(data)
        return data

    def counted_readline():
        data = readline()
        stats.bytes_in += len(data)
        return data

    def counted_send(data):
        stats.bytes_out += len(data)
        if data.endswith(b"\r\n"):
            stats.commands += 1
        return send(data)

    imap.read, imap.readline, imap.send = counted_read, counted_readline, counted_send


def _ssl_context(account: Account) -> ssl.SSLContext:
    ctx = (
        ssl.create_default_context(cafile=account.ca_file)
        if account.ca_file
        else ssl.create_default_context()
    )
    return ctx


class ImapSource:
    """One logged-in IMAP connection for one account."""

    def __init__(
        self,
        account: Account,
        secret: Secret,
        timeout: float = 60.0,
        *,
        count_traffic: bool = False,  # for benchmarks and tests: fills ``stats``
    ) -> None:
        self.account = account
        self.stats = TrafficStats() if count_traffic else None
        self._selected: str | None = None
        self._exists = 0
        self.client = self._connect(secret, timeout)

    def _connect(self, secret: Secret, timeout: float):
        from imapclient import IMAPClient
        from imapclient.exceptions import IMAPClientError, LoginError

        acc = self.account
        if acc.tls == "none" and not is_loopback(acc.host):
            raise MailServerError(f"account {acc.name}: refusing a plaintext login to {acc.host}")
        where = f"{acc.host}:{acc.port}"
        try:
            client = IMAPClient(
                acc.host,
                port=acc.port,
                ssl=acc.tls == "ssl",
                ssl_context=_ssl_context(acc),
                timeout=timeout,
            )
            if self.stats is not None:
                _count_traffic(client._imap, self.stats)
            if acc.tls == "starttls":
                client.starttls(_ssl_context(acc))
        except ssl.SSLCertVerificationError as exc:
            raise MailServerError(
                f"account {acc.name}: the certificate of {where} is not trusted "
                f"({exc.verify_message}); if it is your own server, set ca_file to its CA"
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise MailServerError(f"account {acc.name}: cannot connect to {where}: {exc}") from None
        except IMAPClientError as exc:
            # No STARTTLS on offer (or a man in the middle removed it), or a garbled greeting:
            # never fall back to logging in without encryption.
            raise MailServerError(
                f"account {acc.name}: {where} did not answer as an IMAP server should ({exc}); "
                "the password was not sent"
            ) from None
        try:
            if secret.oauth2:
                client.oauth2_login(acc.username, secret.value)
            else:
                client.login(acc.username, secret.value)
        except LoginError as exc:
            client.shutdown()
            if isinstance(exc.__context__, imaplib.IMAP4.abort):
                # imapclient turns a connection dropped mid-LOGIN into a LoginError too; telling
                # the user the password is wrong would send them to change a good one.
                raise MailServerError(
                    f"account {acc.name}: connection lost at login: {exc.__context__}"
                ) from None
            raise CredentialError(
                f"account {acc.name}: {where} refused the login for {acc.username}; "
                "check the username and password (Gmail and Outlook need an app password "
                "or OAuth2)"
            ) from None
        except (OSError, ssl.SSLError, IMAPClientError) as exc:
            # imaplib.abort (the connection dropped mid-login) is an IMAPClientError.
            raise MailServerError(f"account {acc.name}: connection lost at login: {exc}") from None
        return client

    def _call(self, what: str, fn, *args, **kwargs):
        from imapclient.exceptions import IMAPClientError

        try:
            return fn(*args, **kwargs)
        except (TimeoutError, OSError, ssl.SSLError, IMAPClientError) as exc:
            # imaplib.abort (a dropped connection) is a subclass of IMAPClientError's base.
            raise MailServerError(f"account {self.account.name}: {what} failed: {exc}") from None

    @property
    def capabilities(self) -> set[str]:
        return {c.decode() for c in self._call("CAPABILITY", self.client.capabilities)}

    def list_folders(self) -> list[tuple[Sequence[str], str | None, str]]:
        listed = self._call("LIST", self.client.list_folders)
        return [
            (tuple(f.decode() for f in flags), d.decode() if d else None, name)
            for flags, d, name in listed
        ]

    def status(self, folder: str) -> FolderStatus:
        st = self._call(
            f"STATUS {folder}",
            self.client.folder_status,
            folder,
            [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"],
        )
        return FolderStatus(int(st[b"UIDVALIDITY"]), int(st[b"UIDNEXT"]), int(st[b"MESSAGES"]))

    def _examine(self, folder: str) -> int:
        """Open the folder read-only (once); returns how many messages it had then."""
        if self._selected != folder:
            info = self._call(f"EXAMINE {folder}", self.client.select_folder, folder, readonly=True)
            self._selected = folder
            self._exists = int(info.get(b"EXISTS", 0))
        return self._exists

    def search(self, folder: str, query: SearchQuery) -> list[int]:
        if query.empty:
            return []
        self._examine(folder)
        uids = self._call(f"SEARCH in {folder}", self.client.search, imap_criteria(query))
        # "UID n:*" always matches the last message, even when its UID is below n.
        return sorted(u for u in uids if query.uid_min <= u <= query.uid_max)

    def latest_arrival(self, folder: str) -> datetime | None:
        """INTERNALDATE of the folder's last message (by sequence number: one small FETCH)."""
        exists = self._examine(folder)
        if not exists:
            return None
        self.client.use_uid = False
        try:
            data = self._call(f"FETCH in {folder}", self.client.fetch, [exists], ["INTERNALDATE"])
        finally:
            self.client.use_uid = True
        when = next(iter(data.values()), {}).get(b"INTERNALDATE")
        if when is not None and when.tzinfo is None:
            when = when.astimezone()
        return when

    def fetch(self, folder: str, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        self._examine(folder)
        uids = sorted(uids)
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            data = self._call(
                f"FETCH in {folder}", self.client.fetch, chunk, ["BODY.PEEK[]", "INTERNALDATE"]
            )
            for uid in chunk:
                item = data.get(uid)
                if item is None or b"BODY[]" not in item:
                    continue  # expunged meanwhile
                yield FetchedMessage(uid, item[b"BODY[]"], item.get(b"INTERNALDATE"))

    def idle_wait(self, folder: str, seconds: float) -> bool:
        """IMAP IDLE on a folder for up to ``seconds``; True when the server announced new mail."""
        self._examine(folder)
        self._call("IDLE", self.client.idle)
        try:
            responses = self._call("IDLE wait", self.client.idle_check, timeout=seconds)
        finally:
            self._call("DONE", self.client.idle_done)
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)

    def append(self, folder: str, raw: bytes, flags: Sequence[str]) -> None:
        """APPEND one message: the only write, for drafts and the digest the user opted in to."""
        self._call(
            f"APPEND to {folder}",
            self.client.append,
            folder,
            raw,
            flags=tuple(f.encode() for f in flags),
        )

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # noqa: BLE001 - the connection may already be gone; nothing to keep
            log.debug("logout failed", exc_info=True)
