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
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from watcher.errors import StorageError
from watcher.labels import Label
from watcher.mail.autosignals import AutoSignals
from watcher.mail.headers import Address
from watcher.mail.messages import Message

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
)


@dataclass(frozen=True)
class FolderRecord:
    account: str
    name: str
    role: str
    uidvalidity: int
    scanned_uid: int
    messages: int


@dataclass(frozen=True)
class StoredLabel:
    """The model's label for one reply, and which model gave it."""

    label: Label
    confidence: float
    model: str


@dataclass(frozen=True)
class RequestMark:
    """Whether a sent message is a feedback request, and who decided (model, user, automatic)."""

    is_request: bool
    source: str


@dataclass(frozen=True)
class AccountRecord:
    name: str
    last_ok: datetime | None
    last_attempt: datetime | None
    last_error: str | None


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


class Store:
    """The state database of one data directory."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Open (creating when needed) the state file in data_dir, kept private (0700)."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            if data_dir.stat().st_mode & 0o077:
                os.chmod(data_dir, 0o700)
            path = data_dir / DB_NAME
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            store = cls(conn, path)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"cannot open the state database in {data_dir}: {exc}") from None
        except OSError as exc:
            raise StorageError(
                f"cannot use data directory {data_dir}: {exc.strerror}; "
                "pass --data-dir PATH to a writable directory"
            ) from None
        return store

    def close(self) -> None:
        self.conn.close()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StorageError(
                f"{self.path} was written by a newer feedback-watcher (schema {version}); upgrade"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in script.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")
            log.info("state database migrated to schema %d", number)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic batch: all of it lands, or none of it."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                # SQLite has already rolled back after some errors (a full disk at COMMIT),
                # and a second ROLLBACK would hide the first error behind its own.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError):
            raise  # a bug in this program, for the error boundary to report with its traceback
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"cannot write the state database in {self.path.parent}: {exc}"
            ) from None

    # -- accounts -------------------------------------------------------------------------
    def account(self, name: str) -> AccountRecord:
        row = self.conn.execute(
            "SELECT name, last_ok, last_attempt, last_error FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            return AccountRecord(name, None, None, None)
        return AccountRecord(row[0], _time(row[1]), _time(row[2]), row[3])

    def record_sync(self, name: str, when: datetime, error: str | None = None) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR IGNORE INTO accounts (name) VALUES (?)", (name,))
            if error is None:
                c.execute(
                    "UPDATE accounts SET last_ok = ?, last_attempt = ?, last_error = NULL "
                    "WHERE name = ?",
                    (when.isoformat(), when.isoformat(), name),
                )
            else:
                c.execute(
                    "UPDATE accounts SET last_attempt = ?, last_error = ? WHERE name = ?",
                    (when.isoformat(), error, name),
                )

    # -- folders --------------------------------------------------------------------------
    def folders(self, account: str) -> list[FolderRecord]:
        rows = self.conn.execute(
            "SELECT account, name, role, uidvalidity, scanned_uid, messages FROM folders "
            "WHERE account = ? ORDER BY name",
            (account,),
        )
        return [FolderRecord(*r) for r in rows]

    def folder(self, account: str, name: str) -> FolderRecord | None:
        row = self.conn.execute(
            "SELECT account, name, role, uidvalidity, scanned_uid, messages FROM folders "
            "WHERE account = ? AND name = ?",
            (account, name),
        ).fetchone()
        return FolderRecord(*row) if row else None

    def reset_folder(self, account: str, name: str, role: str, uidvalidity: int) -> None:
        """Forget what we knew of a folder's UIDs (new folder, or its UIDVALIDITY changed)."""
        with self.transaction() as c:
            c.execute("DELETE FROM locations WHERE account = ? AND folder = ?", (account, name))
            c.execute("DELETE FROM folder_keys WHERE account = ? AND folder = ?", (account, name))
            c.execute(
                "INSERT OR REPLACE INTO folders (account, name, role, uidvalidity, scanned_uid, "
                "messages) VALUES (?, ?, ?, ?, 0, 0)",
                (account, name, role, uidvalidity),
            )

    def update_folder(
        self, account: str, name: str, *, scanned_uid: int, messages: int, keys: Iterable[str] = ()
    ) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE folders SET scanned_uid = ?, messages = ? WHERE account = ? AND name = ?",
                (scanned_uid, messages, account, name),
            )
            c.executemany(
                "INSERT OR IGNORE INTO folder_keys (account, folder, key) VALUES (?, ?, ?)",
                [(account, name, k) for k in keys],
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
            "SELECT count(*) FROM locations WHERE account = ? AND folder = ?", (account, folder)
        ).fetchone()[0]

    # -- messages -------------------------------------------------------------------------
    def add_messages(
        self, account: str, folder: str, batch: Iterable[tuple[int, Message]], own: frozenset[str]
    ) -> int:
        """Store one fetched batch and where each message lives; returns how many were new."""
        new = 0
        with self.transaction() as c:
            for uid, m in batch:
                sender = m.sender.email if m.sender else None
                cur = c.execute(
                    "INSERT OR IGNORE INTO messages (message_id, account, own, date, sender, "
                    "sender_name, to_addrs, cc_addrs, reply_to, subject, normalized_subject, "
                    "in_reply_to, refs, signals, body_text, body_html) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
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
                new += cur.rowcount
                c.execute(
                    "INSERT OR REPLACE INTO locations (account, folder, uid, message_id) "
                    "VALUES (?, ?, ?, ?)",
                    (account, folder, uid, m.message_id),
                )
        return new

    _COLUMNS = (
        "message_id, date, sender, sender_name, to_addrs, cc_addrs, reply_to, subject, "
        "normalized_subject, in_reply_to, refs, signals, body_text, body_html"
    )

    @staticmethod
    def _message(row: tuple) -> Message:
        (
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
            sql += (
                " AND message_id "
                + ("IN" if marked else "NOT IN")
                + " (SELECT message_id FROM request_marks)"
            )
        if requests:
            sql += " AND message_id IN (SELECT message_id FROM request_marks WHERE is_request)"
        if own is not None:
            sql += " AND own = ?"
            args.append(int(own))
        if account is not None:
            sql += " AND account = ?"
            args.append(account)
        return [self._message(r) for r in self.conn.execute(sql + " ORDER BY date", args)]

    def message(self, message_id: str) -> Message | None:
        row = self.conn.execute(
            f"SELECT {self._COLUMNS} FROM messages WHERE message_id = ?", (message_id,)
        ).fetchone()
        return self._message(row) if row else None

    def message_count(self, account: str | None = None) -> int:
        if account is None:
            return self.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM messages WHERE account = ?", (account,)
        ).fetchone()[0]

    # -- requests, labels, corrections --------------------------------------------------------
    def request_marks(self) -> dict[str, RequestMark]:
        rows = self.conn.execute("SELECT message_id, is_request, source FROM request_marks")
        return {r[0]: RequestMark(bool(r[1]), r[2]) for r in rows}

    def mark_requests(self, marks: Iterable[tuple[str, bool, str, float | None]]) -> None:
        """Record request decisions; a user's decision is never replaced by the model's."""
        with self.transaction() as c:
            for mid, is_request, source, confidence in marks:
                if source != "user":
                    row = c.execute(
                        "SELECT source FROM request_marks WHERE message_id = ?", (mid,)
                    ).fetchone()
                    if row and row[0] == "user":
                        continue
                c.execute(
                    "INSERT OR REPLACE INTO request_marks (message_id, is_request, source, "
                    "confidence) VALUES (?, ?, ?, ?)",
                    (mid, int(is_request), source, confidence),
                )

    def labels(self) -> dict[str, StoredLabel]:
        rows = self.conn.execute("SELECT message_id, label, confidence, model FROM labels")
        return {r[0]: StoredLabel(Label(r[1]), r[2], r[3]) for r in rows}

    def set_labels(self, items: Iterable[tuple[str, str, float, str]]) -> None:
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO labels (message_id, label, confidence, model) "
                "VALUES (?, ?, ?, ?)",
                list(items),
            )

    def clear_labels(self) -> None:
        """Forget the model's labels (a new model was trained); corrections stay."""
        with self.transaction() as c:
            c.execute("DELETE FROM labels")

    def corrections(self) -> dict[str, Label]:
        return {
            mid: Label(lab)
            for mid, lab in self.conn.execute("SELECT message_id, label FROM corrections")
        }

    def add_correction(self, message_id: str, label: str, when: datetime) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO corrections (message_id, label, at) VALUES (?, ?, ?)",
                (message_id, label, when.isoformat()),
            )

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))
