"""The IMAP adapter: the only module that talks to imapclient.

Every folder is opened with EXAMINE (read-only) and every body fetched with BODY.PEEK, so a
sync never sets \\Seen or changes anything else on the server.
"""

from __future__ import annotations

import imaplib
import logging
import select
import socket
import ssl
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from watcher.config import Account, is_loopback
from watcher.credentials import Secret
from watcher.errors import (
    AuthenticationFailed,
    MailServerError,
    ServerRefused,
    UntrustedCertificate,
    WrongTlsMode,
)
from watcher.hiringfacts import FACT_FIELDS
from watcher.mailsource import (
    MAX_MESSAGE_BYTES,
    FetchedMessage,
    FolderStatus,
    SearchQuery,
    byte_batches,
    imap_criteria,
    uid_set,
)

if TYPE_CHECKING:
    from imapclient import IMAPClient

log = logging.getLogger(__name__)
_T = TypeVar("_T")

BATCH_BYTES = 2 * 1024 * 1024  # bytes of bodies per FETCH: memory stays flat, round trips few
MAX_NUMBER = (1 << 63) - 1  # what SQLite can keep; RFC 3501 numbers are 32-bit
# What imapclient raises when it cannot make sense of an answer (a folder name in broken
# modified UTF-7, a number where none fits, a response cut short): the server's fault, one line.
UNREADABLE = (ValueError, IndexError, KeyError, TypeError, AttributeError)
UID_SET_CHUNK = 500  # UIDs written out in one command (compressed to ranges where they run)
SEARCH_UID_SPAN = 50_000  # at most ~350 KB of answer: far below imaplib's 1 MB line limit
HEADER_CHUNK = 2000  # ~250 bytes each: half a megabyte an answer, a quarter of the round trips
# Only what the local match reads (sync.matches_locally): sender and thread ids.
HEADER_ITEM = "BODY.PEEK[HEADER.FIELDS (FROM IN-REPLY-TO REFERENCES)]"
MESSAGE_ID_ITEM = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
# What a fact about a recipient is read from (hiringfacts.sighting): sender, date, subject and
# the headers that say a list or a machine sent it.
FACT_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(FACT_FIELDS)})]"


_OPEN: weakref.WeakSet[ImapSource] = weakref.WeakSet()
_ABORTING = threading.Event()


def abort_connections() -> None:
    """Cut every open connection now: a blocked read returns at once (a server that drips a
    byte every few seconds never trips the read timeout), and ``close`` sends no LOGOUT.

    For a signal handler that must stop a sync without waiting for the server.
    """
    _ABORTING.set()
    for source in list(_OPEN):
        source.cut()


@dataclass
class TrafficStats:
    """IMAP commands sent and bytes moved, for benchmarks and debug logs."""

    commands: int = 0
    bytes_in: int = 0
    bytes_out: int = 0


def _count_traffic(imap: imaplib.IMAP4, stats: TrafficStats) -> None:
    # imaplib reads and writes through these three methods; wrapping them on the instance
    # counts the wire bytes. It reaches into imapclient's private ``_imap``, so it is opt-in.
    read, readline, send = imap.read, imap.readline, imap.send

    def counted_read(size: int) -> bytes:
        data = read(size)
        stats.bytes_in += len(data)
        return data

    def counted_readline() -> bytes:
        data = readline()
        stats.bytes_in += len(data)
        return data

    def counted_send(data: bytes) -> None:
        stats.bytes_out += len(data)
        if data.endswith(b"\r\n"):
            stats.commands += 1
        send(data)

    # Instance attributes shadow the methods; mypy models only class-level assignment.
    imap.read, imap.readline, imap.send = counted_read, counted_readline, counted_send  # type: ignore[method-assign,assignment]


# A plaintext IMAP server greets at once ("* OK ..."); a TLS server says nothing until the
# client's hello. So a silent port after this long is tried for TLS before waiting on.
GREETING_PEEK = 2.0
PROBE_TIMEOUT = 5.0


class TlsMismatch(Exception):
    """The port speaks the other kind of connection than the account's ``tls`` says."""

    def __init__(self, speaks: str) -> None:
        super().__init__(speaks)
        self.speaks = speaks  # "ssl": TLS from the first byte; "plain": a plaintext greeting


def speaks_tls(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether the port answers a TLS hello: its first bytes are a TLS handshake.

    Only to name a mistake: nothing is sent but the hello, and the certificate is not
    looked at (the real connection verifies it).
    """
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    probe.check_hostname = False
    probe.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with probe.wrap_socket(raw, server_hostname=host):
                return True
    except ssl.SSLError as exc:
        # An alert or a failed handshake is TLS speaking; bytes that are no TLS record are not.
        return exc.reason not in ("WRONG_VERSION_NUMBER", "UNEXPECTED_RECORD", "HTTP_REQUEST")
    except OSError:
        return False


def plain_greeting(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> bytes:
    """The first line a port sends without TLS ("* OK ..." from IMAP), or b"" for silence."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            return raw.recv(512).split(b"\r\n", 1)[0]
    except OSError:
        return b""


def _peeking_client_class() -> type:
    """IMAPClient whose plaintext connection checks for a greeting before waiting for one."""
    from imapclient import IMAPClient
    from imapclient.imap4 import IMAP4WithTimeout

    class PeekingIMAP4(IMAP4WithTimeout):
        def _create_socket(self, timeout: float | None = None) -> socket.socket:
            sock = super()._create_socket(timeout)
            ready, _, _ = select.select([sock], [], [], GREETING_PEEK)
            if not ready and speaks_tls(self.host, self.port):
                sock.close()
                raise TlsMismatch("ssl")
            return sock  # a slow server: imaplib waits for its greeting as before

    class PeekingClient(IMAPClient):
        def _create_IMAP4(self) -> imaplib.IMAP4:
            if self.ssl or self.stream:
                return super()._create_IMAP4()
            return PeekingIMAP4(self.host, self.port, getattr(self._timeout, "connect", None))

    return PeekingClient


def tls_advice(account: Account, speaks: str) -> str:
    """What to set when the port speaks the other kind of connection."""
    where = f"port {account.port} of {account.host}"
    if speaks == "ssl":
        return f'{where} speaks TLS directly: use tls = "ssl"'
    return f'{where} speaks plain IMAP: use tls = "starttls"'


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
        _OPEN.add(self)

    def _connect(self, secret: Secret, timeout: float) -> IMAPClient:
        from imapclient.exceptions import IMAPClientError, LoginError

        acc = self.account
        if acc.tls == "none" and not is_loopback(acc.host):
            raise MailServerError(f"account {acc.name}: refusing a plaintext login to {acc.host}")
        where = f"{acc.host}:{acc.port}"
        client = self._open(timeout)
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
            raise AuthenticationFailed(
                f"account {acc.name}: {where} refused the login for {acc.username}; "
                "check the username and password (Gmail and Outlook need an app password "
                "or OAuth2)"
            ) from None
        except (OSError, ssl.SSLError, IMAPClientError, *UNREADABLE) as exc:
            # imaplib.abort (the connection dropped mid-login) is an IMAPClientError.
            raise MailServerError(f"account {acc.name}: connection lost at login: {exc}") from None
        return client

    def _open(self, timeout: float) -> IMAPClient:
        """Connect and secure the connection as ``tls`` says; the mistakes named."""
        from imapclient.exceptions import IMAPClientError

        acc = self.account
        where = f"{acc.host}:{acc.port}"
        try:
            client = _peeking_client_class()(
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
        except TlsMismatch as exc:
            raise WrongTlsMode(
                f"account {acc.name}: {tls_advice(acc, exc.speaks)}", exc.speaks
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise UntrustedCertificate(
                f"account {acc.name}: the certificate of {where} is not trusted "
                f"({exc.verify_message}); if it is your own server, set ca_file to its CA"
            ) from None
        except ssl.SSLError as exc:
            if acc.tls == "ssl" and plain_greeting(acc.host, acc.port).startswith(b"* "):
                # "[SSL: WRONG_VERSION_NUMBER]": the bytes were an IMAP greeting, not TLS.
                raise WrongTlsMode(
                    f"account {acc.name}: {tls_advice(acc, 'plain')}", "plain"
                ) from None
            raise MailServerError(f"account {acc.name}: cannot connect to {where}: {exc}") from None
        except OSError as exc:
            raise MailServerError(f"account {acc.name}: cannot connect to {where}: {exc}") from None
        except (IMAPClientError, *UNREADABLE) as exc:
            # No STARTTLS on offer (or a man in the middle removed it), or a garbled greeting:
            # never fall back to logging in without encryption.
            raise MailServerError(
                f"account {acc.name}: {where} did not answer as an IMAP server should ({exc}); "
                "the password was not sent"
            ) from None
        return client

    def _call(self, what: str, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        from imapclient.exceptions import IMAPClientError

        try:
            return fn(*args, **kwargs)
        except imaplib.IMAP4.abort as exc:
            # The connection is gone (a subclass of IMAP4.error: test it first).
            raise MailServerError(f"account {self.account.name}: {what} failed: {exc}") from None
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            raise MailServerError(f"account {self.account.name}: {what} failed: {exc}") from None
        except IMAPClientError as exc:
            # NO or BAD to this one command: the connection is still good for the next.
            raise ServerRefused(f"account {self.account.name}: {what} refused: {exc}") from None
        except UNREADABLE as exc:
            raise self._unreadable(what, exc) from None

    def _unreadable(self, what: str, exc: Exception) -> MailServerError:
        log.debug("unreadable answer to %s", what, exc_info=True)
        return MailServerError(
            f"account {self.account.name}: the server's answer to {what} could not be read "
            f"({type(exc).__name__}: {str(exc)[:120]})"
        )

    @property
    def capabilities(self) -> set[str]:
        return {c.decode() for c in self._call("CAPABILITY", self.client.capabilities)}

    def list_folders(self) -> list[tuple[Sequence[str], str | None, str]]:
        listed = self._call("LIST", self.client.list_folders)
        out: list[tuple[Sequence[str], str | None, str]] = []
        for entry in listed:
            try:
                flags, d, name = entry
                out.append(
                    (
                        tuple(f.decode("ascii", "replace") for f in flags),
                        d.decode("ascii", "replace") if d else None,
                        name if isinstance(name, str) else name.decode("utf-8", "replace"),
                    )
                )
            except UNREADABLE as exc:
                raise self._unreadable("LIST", exc) from None
        return out

    def status(self, folder: str) -> FolderStatus:
        st = self._call(
            f"STATUS {folder}",
            self.client.folder_status,
            folder,
            [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"],
        )
        try:
            status = FolderStatus(
                int(st[b"UIDVALIDITY"]), int(st[b"UIDNEXT"]), int(st.get(b"MESSAGES", 0))
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ServerRefused(
                f"account {self.account.name}: STATUS {folder} answered without "
                "UIDVALIDITY or UIDNEXT"
            ) from None
        for key, value in (
            ("UIDVALIDITY", status.uidvalidity),
            ("UIDNEXT", status.uidnext),
            ("MESSAGES", status.messages),
        ):
            if not 0 <= value <= MAX_NUMBER:
                raise ServerRefused(
                    f"account {self.account.name}: STATUS {folder} answered {key} {value}, "
                    "which no IMAP server can mean (a 32-bit number)"
                )
        return status

    def _examine(self, folder: str) -> int:
        """Open the folder read-only (once); returns how many messages it had then."""
        if self._selected != folder:
            self._selected = None
            info = self._call(f"EXAMINE {folder}", self.client.select_folder, folder, readonly=True)
            try:
                exists = int(info.get(b"EXISTS", 0))
            except UNREADABLE as exc:
                raise self._unreadable(f"EXAMINE {folder}", exc) from None
            self._selected = folder
            self._exists = min(max(exists, 0), MAX_NUMBER)
        return self._exists

    def search(self, folder: str, query: SearchQuery, form: str = "nested") -> list[int]:
        if query.empty:
            return []
        self._examine(folder)
        found: list[int] = []
        # An answer of tens of thousands of UIDs can pass imaplib's 1 MB line limit: ask for
        # one span of UIDs at a time.
        for lo in range(query.uid_min, query.uid_max + 1, SEARCH_UID_SPAN):
            hi = min(lo + SEARCH_UID_SPAN - 1, query.uid_max)
            part = replace(query, uid_min=lo, uid_max=hi)
            uids = self._call(f"SEARCH in {folder}", self.client.search, imap_criteria(part, form))
            # "UID n:*" always matches the last message, even when its UID is below n.
            found += [u for u in uids if lo <= u <= hi]
        return sorted(found)

    def existing(self, folder: str, uids: Sequence[int]) -> set[int]:
        """Which of these UIDs the folder still holds (the rest were expunged)."""
        self._examine(folder)
        found: set[int] = set()
        ordered = sorted(set(uids))
        for start in range(0, len(ordered), UID_SET_CHUNK):
            chunk = ordered[start : start + UID_SET_CHUNK]
            hits = self._call(f"SEARCH in {folder}", self.client.search, ["UID", uid_set(chunk)])
            found.update(u for u in hits if u in set(chunk))
        return found

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
        item: object = next(iter(data.values()), {})
        when = item.get(b"INTERNALDATE") if isinstance(item, dict) else None
        if not isinstance(when, datetime):
            return None
        if when.tzinfo is None:
            when = when.astimezone()
        return when

    def header_scan(
        self,
        folder: str,
        uid_min: int,
        uid_max: int,
        since: date | None,
        item: str = HEADER_ITEM,
    ) -> Iterator[tuple[int, bytes]]:
        """The threading headers (or the header fields ``item`` names) of every message in a
        UID range, for servers whose SEARCH cannot be trusted: a few hundred bytes a message,
        matched by the caller."""
        if uid_max < uid_min:
            return
        self._examine(folder)
        criteria: list = ["UID", f"{uid_min}:{uid_max}"]
        if since:
            criteria += ["SINCE", since]
        try:
            uids = [
                u
                for u in self._call(f"SEARCH in {folder}", self.client.search, criteria)
                if uid_min <= u <= uid_max
            ]
        except ServerRefused:
            uids = list(range(uid_min, uid_max + 1))  # FETCH skips UIDs that do not exist
        yield from self._header_items(folder, sorted(uids), item)

    def fact_headers(self, folder: str, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """From, Date, Subject and the list and automatic-mail headers of these UIDs (a few
        hundred bytes each, BODY.PEEK: no \\Seen), for facts about a recipient."""
        self._examine(folder)
        yield from self._header_items(folder, sorted(set(uids)), FACT_ITEM)

    def _header_items(
        self, folder: str, uids: Sequence[int], item: str
    ) -> Iterator[tuple[int, bytes]]:
        for start in range(0, len(uids), HEADER_CHUNK):
            chunk = list(uids[start : start + HEADER_CHUNK])
            data = self._call(f"FETCH headers in {folder}", self.client.fetch, chunk, [item])
            for uid in chunk:
                answer = data.get(uid)
                if not isinstance(answer, dict):
                    continue
                raw = next(
                    (
                        v
                        for k, v in answer.items()
                        if isinstance(k, bytes) and k.startswith(b"BODY[HEADER")
                    ),
                    None,
                )
                if isinstance(raw, bytes) and raw:
                    yield uid, raw

    def fetch(self, folder: str, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        """Bodies, each read up to MAX_MESSAGE_BYTES, in FETCHes of at most BATCH_BYTES.

        A UID the server leaves out (or answers with NIL) is not yielded: the caller tells
        expunged from withheld. A draft (\\Draft) is yielded without its body.
        """
        self._examine(folder)
        wanted = sorted(set(uids))
        sizes: dict[int, int] = {}
        drafts: set[int] = set()
        for start in range(0, len(wanted), UID_SET_CHUNK):
            chunk = wanted[start : start + UID_SET_CHUNK]
            data = self._call(
                f"FETCH sizes in {folder}", self.client.fetch, chunk, ["RFC822.SIZE", "FLAGS"]
            )
            for uid, item in data.items():
                size = item.get(b"RFC822.SIZE") if isinstance(item, dict) else None
                if isinstance(size, int):
                    sizes[uid] = size
                if any(f.lower() == b"\\draft" for f in item.get(b"FLAGS") or ()):
                    drafts.add(uid)
        for uid in sorted(drafts & set(wanted)):
            yield FetchedMessage(uid, b"", None, draft=True)
        wanted = [u for u in wanted if u not in drafts]
        for batch in byte_batches(wanted, sizes, MAX_MESSAGE_BYTES, BATCH_BYTES):
            data = self._call(
                f"FETCH in {folder}",
                self.client.fetch,
                batch,
                [f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>", "INTERNALDATE"],
            )
            for uid in batch:
                item = data.get(uid)
                if not isinstance(item, dict):
                    continue  # left out, or not a FETCH answer at all: asked for again
                raw = next(
                    (
                        v
                        for k, v in item.items()
                        if isinstance(k, bytes) and (k == b"BODY[]" or k.startswith(b"BODY[]<"))
                    ),
                    None,
                )
                if not isinstance(raw, bytes) or not raw:
                    continue
                when = item.get(b"INTERNALDATE")
                yield FetchedMessage(
                    uid,
                    raw,
                    when if isinstance(when, datetime) else None,
                    truncated=sizes.get(uid, 0) > MAX_MESSAGE_BYTES,
                )
            del data  # one batch in memory at a time

    def holds_message_id(self, folder: str, message_id: str) -> bool:
        """True when the folder holds a message with this Message-ID (before a write, so a
        write repeated leaves one copy). By SEARCH HEADER, or where a server refuses that,
        by the headers of the folder's last two days."""
        self._examine(folder)
        try:
            return bool(
                self._call(
                    f"SEARCH in {folder}", self.client.search, ["HEADER", "Message-ID", message_id]
                )
            )
        except ServerRefused:
            pass
        top = self.status(folder).uidnext - 1
        since = date.today() - timedelta(days=2)
        wanted = message_id.encode("utf-8", "replace").lower()
        scan = self.header_scan(folder, 1, top, since, MESSAGE_ID_ITEM)
        return any(wanted in raw.lower() for _, raw in scan)

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

    def cut(self) -> None:
        try:
            self.client.socket().shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass  # already closed

    def close(self) -> None:
        _OPEN.discard(self)
        if _ABORTING.is_set():
            try:
                self.client.shutdown()
            except OSError:
                pass
            return
        try:
            self.client.logout()
        except Exception:  # noqa: BLE001 - the connection may already be gone; nothing to keep
            log.debug("logout failed", exc_info=True)
