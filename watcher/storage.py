"""The SQLite state file: synced messages, folder positions, labels and the user's corrections.

One connection per process, WAL journal, one transaction per batch, forward-only migrations
numbered by PRAGMA user_version.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from watcher.errors import StorageError
from watcher.hiringfacts import SeenFacts
from watcher.labels import Label
from watcher.mail.autosignals import AutoSignals
from watcher.mail.headers import Address
from watcher.mail.messages import Message, content_key, fingerprint

log = logging.getLogger(__name__)

DB_NAME = "state.sqlite3"

# Each entry moves the schema one version forward; never edit a released entry, add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        last_ok TEXT,
        last_attempt TEXT,
        last_error TEXT
    );
    CREATE TABLE folders (
        account TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        scanned_uid INTEGER NOT NULL DEFAULT 0,
        messages INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, name)
    );
    CREATE TABLE folder_keys (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (account, folder, key)
    );
    CREATE TABLE messages (
        message_id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        own INTEGER NOT NULL,
        date TEXT NOT NULL,
        sender TEXT,
        sender_name TEXT,
        to_addrs TEXT NOT NULL,
        cc_addrs TEXT NOT NULL,
        reply_to TEXT NOT NULL,
        subject TEXT NOT NULL,
        normalized_subject TEXT NOT NULL,
        in_reply_to TEXT,
        refs TEXT NOT NULL,
        signals TEXT NOT NULL,
        body_text TEXT NOT NULL,
        body_html TEXT
    );
    CREATE INDEX messages_by_sender ON messages (sender);
    CREATE TABLE locations (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uid INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        PRIMARY KEY (account, folder, uid)
    );
    CREATE TABLE request_marks (
        message_id TEXT PRIMARY KEY,
        is_request INTEGER NOT NULL,
        source TEXT NOT NULL,
        confidence REAL
    );
    CREATE TABLE labels (
        message_id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        confidence REAL NOT NULL,
        model TEXT NOT NULL
    );
    CREATE TABLE corrections (
        message_id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: a message is identified by its content, not its Message-ID (clients and ATS systems
    # reuse ids); marks, labels and corrections follow the new id. Folders remember UIDNEXT and
    # why a server refused them; UIDs the server left out wait in `pending`.
    "python:identity_by_content",
    # 3: the feedback journal. Points extracted from a reply (keyed by the reply's ref), which
    # replies were read for points and by which model, and the user's corrections of points.
    # AUTOINCREMENT: a point's id is its handle ("p17"), never handed to another point.
    """
    CREATE TABLE points (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        msg INTEGER NOT NULL,
        start INTEGER NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL,
        theme TEXT NOT NULL,
        confidence REAL NOT NULL,
        model TEXT NOT NULL,
        UNIQUE (msg, text)
    );
    CREATE TABLE point_scans (
        msg INTEGER PRIMARY KEY,
        model TEXT NOT NULL
    );
    CREATE TABLE point_corrections (
        point INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        theme TEXT NOT NULL,
        at TEXT NOT NULL
    )
    """,
    # 4: what the mailbox showed about the people the user writes to (hiringfacts.SeenFacts):
    # derived facts only, keyed by an address or "@domain", never the messages they came from.
    """
    CREATE TABLE recipient_facts (
        account TEXT NOT NULL,
        key TEXT NOT NULL,
        first_hiring TEXT,
        latest_hiring TEXT,
        messages INTEGER NOT NULL DEFAULT 0,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (account, key)
    )
    """,
)


def _identity_by_content(conn: sqlite3.Connection) -> None:
    statements = """
    CREATE TABLE messages_v2 (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        message_id TEXT NOT NULL,
        account TEXT NOT NULL,
        own INTEGER NOT NULL,
        date TEXT NOT NULL,
        sender TEXT,
        sender_name TEXT,
        to_addrs TEXT NOT NULL,
        cc_addrs TEXT NOT NULL,
        reply_to TEXT NOT NULL,
        subject TEXT NOT NULL,
        normalized_subject TEXT NOT NULL,
        in_reply_to TEXT,
        refs TEXT NOT NULL,
        signals TEXT NOT NULL,
        body_text TEXT NOT NULL,
        body_html TEXT,
        gone_at TEXT,
        UNIQUE (account, fingerprint)
    );
    CREATE TABLE locations_v2 (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uid INTEGER NOT NULL,
        msg INTEGER NOT NULL,
        PRIMARY KEY (account, folder, uid)
    );
    CREATE TABLE request_marks_v2 (
        msg INTEGER PRIMARY KEY,
        is_request INTEGER NOT NULL,
        source TEXT NOT NULL,
        confidence REAL
    );
    CREATE TABLE labels_v2 (
        msg INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        confidence REAL NOT NULL,
        model TEXT NOT NULL
    );
    CREATE TABLE corrections_v2 (
        msg INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE pending (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uid INTEGER NOT NULL,
        tries INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, folder, uid)
    );
    ALTER TABLE folders ADD COLUMN uidnext INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE folders ADD COLUMN error TEXT;
    ALTER TABLE accounts ADD COLUMN partial TEXT
    """
    for statement in statements.split(";"):
        if statement.strip():
            conn.execute(statement)
    rows = conn.execute(
        "SELECT message_id, account, own, date, sender, sender_name, to_addrs, cc_addrs, "
        "reply_to, subject, normalized_subject, in_reply_to, refs, signals, body_text, body_html "
        "FROM messages"
    ).fetchall()
    for row in rows:
        mid, when, sender, subject, body = row[0], row[3], row[4], row[9], row[14]
        conn.execute(
            "INSERT INTO messages_v2 (fingerprint, message_id, account, own, date, sender, "
            "sender_name, to_addrs, cc_addrs, reply_to, subject, normalized_subject, in_reply_to, "
            "refs, signals, body_text, body_html) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?)",
            (fingerprint(mid, when, sender or "", subject, body), *row),
        )
    for table, columns in (
        ("locations", "account, folder, uid"),
        ("request_marks", "is_request, source, confidence"),
        ("labels", "label, confidence, model"),
        ("corrections", "label, at"),
    ):
        old = ", ".join(f"o.{c.strip()}" for c in columns.split(","))
        conn.execute(
            f"INSERT INTO {table}_v2 ({columns}, msg) SELECT {old}, m.id FROM {table} o "
            "JOIN messages_v2 m ON m.message_id = o.message_id"
        )
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE {table}_v2 RENAME TO {table}")
    conn.execute("DROP TABLE messages")
    conn.execute("ALTER TABLE messages_v2 RENAME TO messages")
    conn.execute("CREATE INDEX messages_by_sender ON messages (sender)")
    conn.execute("CREATE INDEX messages_by_message_id ON messages (message_id)")
    conn.execute("CREATE INDEX locations_by_msg ON locations (msg)")


_PYTHON_MIGRATIONS = {"python:identity_by_content": _identity_by_content}


@dataclass(frozen=True)
class FolderRecord:
    account: str
    name: str
    role: str
    uidvalidity: int
    scanned_uid: int
    messages: int
    uidnext: int = 0  # as STATUS said at the last complete pass: unchanged means nothing new
    error: str | None = None  # why the server refused the folder at the last sync


@dataclass(frozen=True)
class StoredLabel:
    """The model's label for one reply, and which model gave it."""

    label: Label
    confidence: float
    model: str


# The request model's mark for a sent message it could not decide (is_request 0): the digest
# asks the user, and nothing is proposed for it until they answer with track or ignore.
UNSURE_SOURCE = "model-unsure"
USER_SOURCE = "user"


@dataclass(frozen=True)
class RequestMark:
    """Whether a sent message is a feedback request, and who decided (model, model-unsure, user,
    automatic); ``confidence`` is the model's probability that it is one, when a model said."""

    is_request: bool
    source: str
    confidence: float | None = None

    @property
    def unsure(self) -> bool:
        return self.source == UNSURE_SOURCE and not self.is_request


@dataclass(frozen=True)
class StoredPoint:
    """A point extracted from a stored reply, with the user's correction applied."""

    id: int  # the handle: "p17"
    msg: int  # the reply's ref
    start: int  # offset in the reply's visible text
    text: str
    kind: str  # "strength", "improvement", "comparison"; "none" when the user said not a point
    theme: str
    confidence: float
    model: str
    corrected: bool = False

    @property
    def handle(self) -> str:
        return f"p{self.id}"


@dataclass(frozen=True)
class AccountRecord:
    name: str
    last_ok: datetime | None
    last_attempt: datetime | None
    last_error: str | None
    partial: str | None = None  # what the last sync could not read (folders, messages)


def _addrs_json(addrs: Iterable[Address]) -> str:
    return json.dumps([[a.email, a.name] for a in addrs], ensure_ascii=False)


def _addrs(text: str) -> tuple[Address, ...]:
    return tuple(Address(e, n) for e, n in json.loads(text))


def _signals_json(s: AutoSignals) -> str:
    d = asdict(s)
    d["return_date"] = s.return_date.isoformat() if s.return_date else None
    d["bounced_recipients"] = list(s.bounced_recipients)
    return json.dumps(d)


def _signals(text: str) -> AutoSignals:
    d = json.loads(text)
    known = AutoSignals.__dataclass_fields__
    d = {k: v for k, v in d.items() if k in known}
    if d.get("return_date"):
        d["return_date"] = date.fromisoformat(d["return_date"])
    d["bounced_recipients"] = tuple(d.get("bounced_recipients") or ())
    return AutoSignals(**d)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


TABLES = frozenset(
    {
        "accounts",
        "folders",
        "folder_keys",
        "messages",
        "locations",
        "request_marks",
        "labels",
        "corrections",
        "kv",
        "pending",
        "recipient_facts",
    }
)


def rebuild_advice(path: Path) -> str:
    return (
        f"the state can be rebuilt from your mailbox: move {path} aside and run "
        "'feedback-watcher sync'; your corrections and marks are in it, so keep the old file"
    )


def storage_error(exc: sqlite3.DatabaseError, path: Path) -> StorageError:
    """One line saying what went wrong with the state file and what to do about it."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StorageError(
            f"the state database {path} is busy: another feedback-watcher command holds it "
            f"({text}); try again when it is done"
        )
    damaged = type(exc) is sqlite3.DatabaseError or any(
        k in text for k in ("malformed", "not a database", "no such table", "no such column")
    )
    if damaged:
        return StorageError(
            f"the state database {path} is damaged ({text}); {rebuild_advice(path)}"
        )
    return StorageError(f"cannot use the state database in {path.parent}: {text}")


def _is_bug(exc: sqlite3.DatabaseError) -> bool:
    # A broken constraint or a misused API is this program's mistake, for the error boundary
    # to report with its traceback; everything else is about the file or the disk.
    return isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError))


class _Cursor(sqlite3.Cursor):
    """A cursor whose every call maps SQLite's errors to StorageError (reads included)."""

    def _fail(self, exc: sqlite3.DatabaseError) -> StorageError:
        conn = self.connection
        return storage_error(exc, conn.path if isinstance(conn, _Connection) else Path("?"))

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.DatabaseError as exc:
            if _is_bug(exc):
                raise
            raise self._fail(exc) from None

    def executemany(self, sql: str, seq: Iterable[Any], /) -> _Cursor:
        try:
            return super().executemany(sql, seq)
        except sqlite3.DatabaseError as exc:
            if _is_bug(exc):
                raise
            raise self._fail(exc) from None

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.DatabaseError as exc:
            raise self._fail(exc) from None


class _Connection(sqlite3.Connection):
    """The one error boundary for SQLite: every statement and every row read goes through
    ``_Cursor``, so a damaged or missing table is one line with what to do, never a traceback."""

    path: Path = Path("?")

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        cur: _Cursor = self.cursor()
        return cur.execute(sql, parameters)

    def executemany(self, sql: str, seq: Iterable[Any], /) -> _Cursor:
        cur: _Cursor = self.cursor()
        return cur.executemany(sql, seq)


def _connect(path: Path) -> _Connection:
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, factory=_Connection)
    except sqlite3.DatabaseError as exc:
        raise storage_error(exc, path) from None
    assert isinstance(conn, _Connection)
    conn.path = path
    return conn


def _private(path: Path) -> None:
    """The state file and its WAL and shared-memory files: 0600 (SQLite gives the latter two the
    mode of the first when it makes them)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except FileNotFoundError:
            pass


def _create(path: Path) -> None:
    """A new state file, made whole beside its place and linked in: so a file of 0 bytes or
    without tables at ``path`` never comes from us, and is an error, not a fresh start. Of two
    commands creating it at once, the second finds the first's file and uses it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    tmp.unlink(missing_ok=True)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        conn = _connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            Store(conn, tmp)._migrate()
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:
            # A file system without hard links (some network and FUSE mounts): a rename,
            # which could replace a file another command made a moment ago, empty as ours.
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            p.unlink(missing_ok=True)


def _check_file(path: Path) -> None:
    if path.is_symlink() and not path.exists():
        raise StorageError(
            f"the state file {path} is a symbolic link to {os.readlink(path)}, which does not "
            "exist: restore its target, or remove the link to start with an empty state"
        )
    if path.is_file() and path.stat().st_size == 0:
        raise StorageError(
            f"the state file {path} is empty (0 bytes): it was truncated; {rebuild_advice(path)}"
        )


def peek(data_dir: Path, key: str) -> str | None:
    """One kv value, read through a connection opened and closed for it, read-only.

    The service's way to read the state: it holds no connection across jobs, so a state file
    removed or replaced while it runs is read anew, and it never creates one itself.
    """
    path = data_dir / DB_NAME
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            row = conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        log.warning("cannot read %s from %s: %s", key, path, exc)
        return None
    return str(row[0]) if row else None


class Store:
    """The state database of one data directory."""

    def __init__(self, conn: _Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Open (creating when needed) the state file in data_dir, kept private (0700, 0600)."""
        path = data_dir / DB_NAME
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            if data_dir.stat().st_mode & 0o077:
                os.chmod(data_dir, 0o700)
            _check_file(path)
            if not path.exists() and not path.is_symlink():
                _create(path)
            conn = _connect(path)
            store = cls(conn, path)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                _private(path)
                store._migrate()
                store._check_tables()
            except BaseException:
                conn.close()
                raise
        except OSError as exc:
            raise StorageError(
                f"cannot use data directory {data_dir}: {exc.strerror}; "
                "pass --data-dir PATH to a writable directory"
            ) from None
        return store

    def _check_tables(self) -> None:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        missing = TABLES - {r[0] for r in rows}
        if missing:
            raise StorageError(
                f"the state database {self.path} is damaged (no table {', '.join(sorted(missing))}"
                f"); {rebuild_advice(self.path)}"
            )

    def quick_check(self) -> str:
        """SQLite's quick integrity check: "ok", or the first problem it found."""
        row = self.conn.execute("PRAGMA quick_check(1)").fetchone()
        return str(row[0]) if row else "no answer"

    def close(self) -> None:
        self.conn.close()

    def _migrate(self) -> None:
        """Bring the schema up to date: under an exclusive lock, the version read inside it.

        Several commands may start at once on a new data directory; the first migrates and the
        others then find the schema current.
        """
        if self.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
            return
        self.conn.execute("BEGIN EXCLUSIVE")
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StorageError(
                    f"{self.path} was written by a newer feedback-watcher (schema {version}); "
                    "upgrade feedback-watcher"
                )
            for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
                if step in _PYTHON_MIGRATIONS:
                    _PYTHON_MIGRATIONS[step](self.conn)
                else:
                    for statement in step.split(";"):
                        if statement.strip():
                            self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")
                log.info("state database migrated to schema %d", number)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                with suppress(StorageError):
                    self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic batch: all of it lands, or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            # SQLite has already rolled back after some errors (a full disk at COMMIT), and a
            # failing ROLLBACK must not hide the error that made it necessary.
            if self.conn.in_transaction:
                with suppress(StorageError):
                    self.conn.execute("ROLLBACK")
            raise

    # -- accounts -------------------------------------------------------------------------
    def account(self, name: str) -> AccountRecord:
        row = self.conn.execute(
            "SELECT name, last_ok, last_attempt, last_error, partial FROM accounts WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            return AccountRecord(name, None, None, None)
        return AccountRecord(row[0], _time(row[1]), _time(row[2]), row[3], row[4])

    def record_sync(
        self, name: str, when: datetime, error: str | None = None, partial: str | None = None
    ) -> None:
        """Record a sync's outcome: complete, partial (some folders or messages unread), failed."""
        with self.transaction() as c:
            c.execute("INSERT OR IGNORE INTO accounts (name) VALUES (?)", (name,))
            if error is None:
                c.execute(
                    "UPDATE accounts SET last_ok = ?, last_attempt = ?, last_error = NULL, "
                    "partial = ? WHERE name = ?",
                    (when.isoformat(), when.isoformat(), partial, name),
                )
            else:
                c.execute(
                    "UPDATE accounts SET last_attempt = ?, last_error = ? WHERE name = ?",
                    (when.isoformat(), error, name),
                )

    # -- folders --------------------------------------------------------------------------
    _FOLDER_COLUMNS = "account, name, role, uidvalidity, scanned_uid, messages, uidnext, error"

    def folders(self, account: str) -> list[FolderRecord]:
        rows = self.conn.execute(
            f"SELECT {self._FOLDER_COLUMNS} FROM folders WHERE account = ? ORDER BY name",
            (account,),
        )
        return [FolderRecord(*r) for r in rows]

    def folder(self, account: str, name: str) -> FolderRecord | None:
        row = self.conn.execute(
            f"SELECT {self._FOLDER_COLUMNS} FROM folders WHERE account = ? AND name = ?",
            (account, name),
        ).fetchone()
        return FolderRecord(*row) if row else None

    def reset_folder(self, account: str, name: str, role: str, uidvalidity: int) -> None:
        """Forget what we knew of a folder's UIDs (new folder, or its UIDVALIDITY changed)."""
        with self.transaction() as c:
            for table in ("locations", "folder_keys", "pending"):
                c.execute(f"DELETE FROM {table} WHERE account = ? AND folder = ?", (account, name))
            c.execute(
                "INSERT OR REPLACE INTO folders (account, name, role, uidvalidity, scanned_uid, "
                "messages, uidnext) VALUES (?, ?, ?, ?, 0, 0, 0)",
                (account, name, role, uidvalidity),
            )

    def update_folder(
        self,
        account: str,
        name: str,
        *,
        scanned_uid: int,
        messages: int,
        uidnext: int = 0,
        keys: Iterable[str] = (),
    ) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE folders SET scanned_uid = ?, messages = ?, uidnext = ?, error = NULL "
                "WHERE account = ? AND name = ?",
                (scanned_uid, messages, uidnext, account, name),
            )
            c.executemany(
                "INSERT OR IGNORE INTO folder_keys (account, folder, key) VALUES (?, ?, ?)",
                [(account, name, k) for k in keys],
            )

    def advance_folder(
        self, account: str, name: str, scanned_uid: int, keys: Iterable[str]
    ) -> None:
        """Move a folder's position forward mid-pass (never back); the count and UIDNEXT of
        the last complete pass stay, so the expunge check still compares with them."""
        with self.transaction() as c:
            c.execute(
                "UPDATE folders SET scanned_uid = max(scanned_uid, ?) "
                "WHERE account = ? AND name = ?",
                (scanned_uid, account, name),
            )
            c.executemany(
                "INSERT OR IGNORE INTO folder_keys (account, folder, key) VALUES (?, ?, ?)",
                [(account, name, k) for k in keys],
            )

    def folder_refused(self, account: str, name: str, role: str, error: str) -> None:
        """Remember that the server refused a folder; what we knew of it stays."""
        with self.transaction() as c:
            c.execute(
                "INSERT OR IGNORE INTO folders (account, name, role, uidvalidity) "
                "VALUES (?, ?, ?, 0)",
                (account, name, role),
            )
            c.execute(
                "UPDATE folders SET error = ? WHERE account = ? AND name = ?",
                (error, account, name),
            )

    def forget_folders(self, account: str, keep: Iterable[str]) -> None:
        """Drop folders no longer watched (deleted on the server or excluded)."""
        keep = set(keep)
        for rec in self.folders(account):
            if rec.name not in keep:
                with self.transaction() as c:
                    for table, col in (
                        ("locations", "folder"),
                        ("folder_keys", "folder"),
                        ("pending", "folder"),
                        ("folders", "name"),
                    ):
                        c.execute(
                            f"DELETE FROM {table} WHERE account = ? AND {col} = ?",
                            (account, rec.name),
                        )

    def folder_keys(self, account: str, folder: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT key FROM folder_keys WHERE account = ? AND folder = ?", (account, folder)
        )
        return {r[0] for r in rows}

    def known_uids(self, account: str, folder: str) -> set[int]:
        rows = self.conn.execute(
            "SELECT uid FROM locations WHERE account = ? AND folder = ?", (account, folder)
        )
        return {r[0] for r in rows}

    def location_count(self, account: str, folder: str) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM locations WHERE account = ? AND folder = ? AND msg != 0",
            (account, folder),
        ).fetchone()[0]

    def forget_passed_over(self, account: str, folder: str) -> None:
        """Let mail judged not to matter be judged again (a new request may want it)."""
        with self.transaction() as c:
            c.execute(
                "DELETE FROM locations WHERE account = ? AND folder = ? AND msg = 0",
                (account, folder),
            )

    def pass_over(self, account: str, folder: str, uids: Iterable[int]) -> None:
        """Mark UIDs as seen and not kept (drafts), so they are not fetched again."""
        with self.transaction() as c:
            c.executemany(
                "INSERT OR IGNORE INTO locations (account, folder, uid, msg) VALUES (?, ?, ?, 0)",
                [(account, folder, u) for u in uids],
            )

    def drop_locations(self, account: str, folder: str, uids: Iterable[int]) -> None:
        """The server no longer has these UIDs (expunged, or moved to another folder)."""
        with self.transaction() as c:
            c.executemany(
                "DELETE FROM locations WHERE account = ? AND folder = ? AND uid = ?",
                [(account, folder, u) for u in uids],
            )

    # -- UIDs the server left out of a FETCH ---------------------------------------------------
    def pending(self, account: str, folder: str) -> dict[int, int]:
        """UIDs to fetch again, with how often they were asked for already."""
        rows = self.conn.execute(
            "SELECT uid, tries FROM pending WHERE account = ? AND folder = ?", (account, folder)
        )
        return dict(rows.fetchall())

    def add_pending(self, account: str, folder: str, uids: Iterable[int]) -> None:
        with self.transaction() as c:
            for uid in uids:
                c.execute(
                    "INSERT INTO pending (account, folder, uid, tries) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT (account, folder, uid) DO UPDATE SET tries = tries + 1",
                    (account, folder, uid),
                )

    def drop_pending(self, account: str, folder: str, uids: Iterable[int]) -> None:
        with self.transaction() as c:
            c.executemany(
                "DELETE FROM pending WHERE account = ? AND folder = ? AND uid = ?",
                [(account, folder, u) for u in uids],
            )

    # -- messages -------------------------------------------------------------------------
    def add_messages(
        self,
        account: str,
        folder: str,
        batch: Iterable[tuple[int, Message]],
        own: frozenset[str],
    ) -> list[int]:
        """Store one fetched batch and where each message lives; returns the new messages' ids.

        The same message in a second folder is stored once (same content); a different message
        that reuses a Message-ID is stored beside the first.
        """
        new: list[int] = []
        with self.transaction() as c:
            for uid, m in batch:
                sender = m.sender.email if m.sender else None
                key = content_key(m)
                cur = c.execute(
                    "INSERT OR IGNORE INTO messages (fingerprint, message_id, account, own, date, "
                    "sender, sender_name, to_addrs, cc_addrs, reply_to, subject, "
                    "normalized_subject, in_reply_to, refs, signals, body_text, body_html) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        m.message_id,
                        account,
                        int(sender in own),
                        m.date.isoformat(),
                        sender,
                        m.sender.name if m.sender else None,
                        _addrs_json(m.to),
                        _addrs_json(m.cc),
                        _addrs_json(m.reply_to),
                        m.subject,
                        m.normalized_subject,
                        m.in_reply_to,
                        json.dumps(list(m.references)),
                        _signals_json(m.signals),
                        m.body_text,
                        m.body_html,
                    ),
                )
                ref = c.execute(
                    "SELECT id FROM messages WHERE account = ? AND fingerprint = ?", (account, key)
                ).fetchone()[0]
                if cur.rowcount:
                    new.append(ref)
                c.execute("UPDATE messages SET gone_at = NULL WHERE id = ?", (ref,))
                c.execute(
                    "INSERT OR REPLACE INTO locations (account, folder, uid, msg) "
                    "VALUES (?, ?, ?, ?)",
                    (account, folder, uid, ref),
                )
                c.execute(
                    "DELETE FROM pending WHERE account = ? AND folder = ? AND uid = ?",
                    (account, folder, uid),
                )
        return new

    def mark_gone(self, account: str, when: datetime) -> int:
        """Messages of the account found in no folder are gone from the server (deleted).

        They stay, with their labels: a rejection deleted after reading still answers the
        request. Returns how many were newly marked.
        """
        with self.transaction() as c:
            cur = c.execute(
                "UPDATE messages SET gone_at = ? WHERE account = ? AND gone_at IS NULL "
                "AND id NOT IN (SELECT msg FROM locations WHERE account = ?)",
                (when.isoformat(), account, account),
            )
            return cur.rowcount

    def gone_count(self, account: str) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM messages WHERE account = ? AND gone_at IS NOT NULL", (account,)
        ).fetchone()[0]

    def forget_messages(self, refs: Iterable[int]) -> None:
        """Delete stored messages that turned out not to matter (no thread took them).

        Their locations stay as markers (msg 0), so the same UIDs are not fetched again.
        """
        with self.transaction() as c:
            for ref in refs:
                c.execute("UPDATE locations SET msg = 0 WHERE msg = ?", (ref,))
                for table, col in (("labels", "msg"), ("request_marks", "msg"), ("messages", "id")):
                    c.execute(f"DELETE FROM {table} WHERE {col} = ?", (ref,))
                self._forget_points(c, ref)

    _COLUMNS = (
        "id, message_id, date, sender, sender_name, to_addrs, cc_addrs, reply_to, subject, "
        "normalized_subject, in_reply_to, refs, signals, body_text, body_html"
    )

    @staticmethod
    def _message(row: tuple) -> Message:
        (
            ref,
            mid,
            when,
            sender,
            sender_name,
            to,
            cc,
            reply_to,
            subject,
            nsubj,
            irt,
            refs,
            signals,
            body,
            html,
        ) = row
        return Message(
            message_id=mid,
            in_reply_to=irt,
            references=tuple(json.loads(refs)),
            sender=Address(sender, sender_name or "") if sender else None,
            to=_addrs(to),
            cc=_addrs(cc),
            reply_to=_addrs(reply_to),
            date=datetime.fromisoformat(when),
            subject=subject,
            normalized_subject=nsubj,
            body_text=body,
            body_html=html,
            signals=_signals(signals),
            ref=ref,
        )

    def messages(
        self,
        *,
        own: bool | None = None,
        account: str | None = None,
        marked: bool | None = None,
        requests: bool = False,
    ) -> list[Message]:
        """Stored messages, oldest first.

        ``marked``: only messages with (True) or without (False) a request decision;
        ``requests``: only the messages decided to be feedback requests.
        """
        sql = f"SELECT {self._COLUMNS} FROM messages WHERE 1=1"
        args: list = []
        if marked is not None:
            sql += " AND id " + ("IN" if marked else "NOT IN") + " (SELECT msg FROM request_marks)"
        if requests:
            sql += " AND id IN (SELECT msg FROM request_marks WHERE is_request)"
        if own is not None:
            sql += " AND own = ?"
            args.append(int(own))
        if account is not None:
            sql += " AND account = ?"
            args.append(account)
        return [self._message(r) for r in self.conn.execute(sql + " ORDER BY date, id", args)]

    def message(self, ref: int) -> Message | None:
        """One stored message by the state's own id."""
        row = self.conn.execute(
            f"SELECT {self._COLUMNS} FROM messages WHERE id = ?", (ref,)
        ).fetchone()
        return self._message(row) if row else None

    def messages_with_id(self, message_id: str, own: bool | None = None) -> list[Message]:
        """Every stored message carrying this Message-ID (usually one)."""
        sql = f"SELECT {self._COLUMNS} FROM messages WHERE message_id = ?"
        args: list = [message_id]
        if own is not None:
            sql += " AND own = ?"
            args.append(int(own))
        rows = self.conn.execute(sql + " ORDER BY date, id", args)
        return [self._message(r) for r in rows]

    def probe_sample(self, account: str) -> tuple[str, int, Message] | None:
        """A stored message of the user's and where it lives, one with a References header
        when there is one: what a search probe can ask for."""
        columns = ", ".join("m." + c.strip() for c in self._COLUMNS.split(","))
        row = self.conn.execute(
            f"SELECT l.folder, l.uid, {columns} "
            "FROM locations l JOIN messages m ON m.id = l.msg "
            "WHERE l.account = ? AND m.own = 1 "
            "ORDER BY json_array_length(m.refs) >= 1 DESC, m.date DESC LIMIT 1",
            (account,),
        ).fetchone()
        return (row[0], row[1], self._message(row[2:])) if row else None

    def accounts_of(self, refs: Iterable[int]) -> dict[int, str]:
        """Which account each stored message came from."""
        wanted = list(refs)
        out: dict[int, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(
                f"SELECT id, account FROM messages WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            out.update(rows.fetchall())
        return out

    def message_count(self, account: str | None = None) -> int:
        if account is None:
            return self.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM messages WHERE account = ?", (account,)
        ).fetchone()[0]

    # -- requests, labels, corrections --------------------------------------------------------
    def request_marks(self) -> dict[int, RequestMark]:
        rows = self.conn.execute("SELECT msg, is_request, source, confidence FROM request_marks")
        return {r[0]: RequestMark(bool(r[1]), r[2], r[3]) for r in rows}

    def sent_messages(
        self, since: datetime | None = None, *, unsure_only: bool = False
    ) -> list[tuple[Message, RequestMark | None]]:
        """The user's sent messages (from ``since`` on), newest first, each with its request mark
        (None while not judged yet); ``unsure_only``: only those the model was unsure of and the
        user has not decided (they are no thread until tracked)."""
        columns = ", ".join("m." + c.strip() for c in self._COLUMNS.split(","))
        sql = (
            f"SELECT {columns}, r.is_request, r.source, r.confidence FROM messages m "
            "LEFT JOIN request_marks r ON r.msg = m.id WHERE m.own = 1"
        )
        args: list = []
        if unsure_only:
            sql += " AND r.source = ? AND NOT r.is_request"
            args.append(UNSURE_SOURCE)
        if since is not None:
            # Dates are stored with their own UTC offsets: a day's margin in SQL, exact below.
            sql += " AND substr(m.date, 1, 10) >= ?"
            args.append((since.date() - timedelta(days=1)).isoformat())
        out = []
        for row in self.conn.execute(sql, args):
            message = self._message(row[:-3])
            if since is not None and message.date < since:
                continue
            is_request, source, confidence = row[-3:]
            mark = None if source is None else RequestMark(bool(is_request), source, confidence)
            out.append((message, mark))
        out.sort(key=lambda item: (item[0].date, item[0].ref), reverse=True)
        return out

    def unsure_requests(self, since: datetime | None = None) -> list[tuple[Message, float | None]]:
        """Sent messages the request model was unsure of, not yet decided by the user, newest
        first, with the model's probability that each is a request."""
        return [
            (m, mark.confidence if mark else None)
            for m, mark in self.sent_messages(since, unsure_only=True)
        ]

    def is_own(self, ref: int) -> bool | None:
        """Whether a stored message is one the user sent (None: no such message)."""
        row = self.conn.execute("SELECT own FROM messages WHERE id = ?", (ref,)).fetchone()
        return None if row is None else bool(row[0])

    def mark_requests(self, marks: Iterable[tuple[int, bool, str, float | None]]) -> None:
        """Record request decisions; a user's decision is never replaced by the model's."""
        with self.transaction() as c:
            for ref, is_request, source, confidence in marks:
                if source != USER_SOURCE:
                    row = c.execute(
                        "SELECT source FROM request_marks WHERE msg = ?", (ref,)
                    ).fetchone()
                    if row and row[0] == USER_SOURCE:
                        continue
                c.execute(
                    "INSERT OR REPLACE INTO request_marks (msg, is_request, source, confidence) "
                    "VALUES (?, ?, ?, ?)",
                    (ref, int(is_request), source, confidence),
                )

    def labels(self) -> dict[int, StoredLabel]:
        rows = self.conn.execute("SELECT msg, label, confidence, model FROM labels")
        return {r[0]: StoredLabel(Label(r[1]), r[2], r[3]) for r in rows}

    def set_labels(self, items: Iterable[tuple[int, str, float, str]]) -> None:
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO labels (msg, label, confidence, model) VALUES (?, ?, ?, ?)",
                list(items),
            )

    def clear_labels(self) -> None:
        """Forget the model's labels (a new model was trained); corrections stay."""
        with self.transaction() as c:
            c.execute("DELETE FROM labels")

    def corrections(self) -> dict[int, Label]:
        return {
            ref: Label(lab) for ref, lab in self.conn.execute("SELECT msg, label FROM corrections")
        }

    def add_correction(self, ref: int, label: str, when: datetime) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO corrections (msg, label, at) VALUES (?, ?, ?)",
                (ref, label, when.isoformat()),
            )

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    # -- what the mailbox showed about recipients ---------------------------------------------
    def seen_facts(self, account: str, keys: Iterable[str]) -> dict[str, SeenFacts]:
        """The stored facts of these addresses and "@domain" keys (those checked before)."""
        wanted = sorted(set(keys))
        out: dict[str, SeenFacts] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(
                "SELECT key, first_hiring, latest_hiring, messages, checked_at "
                f"FROM recipient_facts WHERE account = ? AND key IN ({','.join('?' * len(chunk))})",
                (account, *chunk),
            ).fetchall()
            for key, first, latest, count, checked in rows:
                out[key] = SeenFacts(key, _time(first), _time(latest), count, _time(checked))
        return out

    def put_seen_facts(self, account: str, facts: Iterable[SeenFacts], when: datetime) -> None:
        """Record what the mailbox showed (``when``: the check, if a fact does not say)."""
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO recipient_facts (account, key, first_hiring, "
                "latest_hiring, messages, checked_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        account,
                        f.key,
                        f.first_hiring.isoformat() if f.first_hiring else None,
                        f.latest_hiring.isoformat() if f.latest_hiring else None,
                        f.messages,
                        (f.checked_at or when).isoformat(),
                    )
                    for f in facts
                ],
            )

    # -- feedback points (the journal) -------------------------------------------------------
    _POINT_SELECT = (
        "SELECT p.id, p.msg, p.start, p.text, coalesce(c.kind, p.kind), "
        "coalesce(c.theme, p.theme), p.confidence, p.model, c.point IS NOT NULL "
        "FROM points p LEFT JOIN point_corrections c ON c.point = p.id"
    )

    def point_scans(self) -> dict[int, str]:
        """Replies already read for points, and by which model."""
        return dict(self.conn.execute("SELECT msg, model FROM point_scans").fetchall())

    def set_points(
        self, msg: int, points: Iterable[tuple[int, str, str, str, float]], model: str
    ) -> None:
        """Record a reply's points [(start, text, kind, theme, confidence)] as read by ``model``.

        A point read again keeps its id (its handle); a point no longer found goes, unless the
        user corrected it.
        """
        with self.transaction() as c:
            keep = []
            for start, text, kind, theme, confidence in points:
                c.execute(
                    "INSERT INTO points (msg, start, text, kind, theme, confidence, model) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (msg, text) DO UPDATE SET "
                    "start = excluded.start, kind = excluded.kind, theme = excluded.theme, "
                    "confidence = excluded.confidence, model = excluded.model",
                    (msg, start, text, kind, theme, confidence, model),
                )
                keep.append(text)
            c.execute(
                f"DELETE FROM points WHERE msg = ? AND text NOT IN ({','.join('?' * len(keep))}) "
                "AND id NOT IN (SELECT point FROM point_corrections)",
                (msg, *keep),
            )
            c.execute("INSERT OR REPLACE INTO point_scans (msg, model) VALUES (?, ?)", (msg, model))

    def points(self, msgs: Iterable[int] | None = None) -> list[StoredPoint]:
        """Stored points (of these replies), in reply and text order, corrections applied."""
        rows = self.conn.execute(self._POINT_SELECT + " ORDER BY p.msg, p.start, p.id")
        wanted = None if msgs is None else set(msgs)
        return [self._point(r) for r in rows if wanted is None or r[1] in wanted]

    @staticmethod
    def _point(r: tuple) -> StoredPoint:
        return StoredPoint(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]))

    def point(self, point_id: int) -> StoredPoint | None:
        row = self.conn.execute(self._POINT_SELECT + " WHERE p.id = ?", (point_id,)).fetchone()
        return self._point(row) if row else None

    def correct_point(self, point_id: int, kind: str, theme: str, when: datetime) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO point_corrections (point, kind, theme, at) "
                "VALUES (?, ?, ?, ?)",
                (point_id, kind, theme, when.isoformat()),
            )

    def point_corrections(self) -> list[StoredPoint]:
        """The points the user corrected, as corrected."""
        return [p for p in self.points() if p.corrected]

    def clear_point_scans(self) -> None:
        """Let every reply be read for points again (a new points model was trained)."""
        with self.transaction() as c:
            c.execute("DELETE FROM point_scans")

    @staticmethod
    def _forget_points(c: sqlite3.Connection, ref: int) -> None:
        c.execute(
            "DELETE FROM point_corrections WHERE point IN (SELECT id FROM points WHERE msg = ?)",
            (ref,),
        )
        c.execute("DELETE FROM points WHERE msg = ?", (ref,))
        c.execute("DELETE FROM point_scans WHERE msg = ?", (ref,))
