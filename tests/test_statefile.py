"""The state file damaged, emptied, replaced or left readable: one line and exit code 5 with what
to do, never a traceback and never a silent fresh start; and it stays private (0600)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from watcher.storage import DB_NAME, Store

DEMO_NOW = "2025-04-14T08:00:00+01:00"


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Path:
    """A real state file: the bundled demo mailbox synced into it."""
    data = tmp_path_factory.mktemp("synced") / "data"
    done = _cli(data, "demo")
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(data / DB_NAME)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert conn.execute("PRAGMA page_count").fetchone()[0] > 8
    finally:
        conn.close()
    return data


def _config(data: Path) -> Path:
    from importlib import resources

    mailbox = Path(str(resources.files("watcher") / "demo" / "mailbox"))
    path = data.parent / "config.toml"
    path.write_text(
        f'lookback_days = 365\n[[accounts]]\nname = "demo"\nmaildir = "{mailbox}"\n'
        'addresses = ["alex.morgan@mail.example"]\n'
    )
    path.chmod(0o600)
    return path


def _cli(data: Path, *argv: str) -> subprocess.CompletedProcess:
    config = _config(data)
    return subprocess.run(
        [sys.executable, "-m", "watcher", "--config", str(config), "--data-dir", str(data), *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "FEEDBACK_WATCHER_DATA_DIR": str(data)},
    )


def _copy(synced: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(synced, data)
    return data


def _one_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


COMMANDS = [("status",), ("digest", "--json", "--now", DEMO_NOW), ("sync", "--now", DEMO_NOW)]


def _zero_pages(path: Path, first: int, count: int) -> None:
    conn = sqlite3.connect(path)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek(first * size)
        f.write(b"\0" * size * count)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_zeroed_pages_are_one_line_with_what_to_do(synced, tmp_path, argv):
    data = _copy(synced, tmp_path)
    pages = (data / DB_NAME).stat().st_size // 4096
    _zero_pages(data / DB_NAME, 1, pages - 1)  # everything but the header page
    done = _cli(data, *argv)
    line = _one_line(done)
    assert done.returncode == 5, done.stderr
    assert "damaged" in line and "move" in line and "keep the old file" in line


def test_a_zeroed_header_page_is_one_line(synced, tmp_path):
    data = _copy(synced, tmp_path)
    _zero_pages(data / DB_NAME, 0, 1)
    done = _cli(data, "status")
    assert done.returncode == 5 and "damaged" in _one_line(done)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_a_missing_table_is_one_line(synced, tmp_path, argv):
    data = _copy(synced, tmp_path)
    conn = sqlite3.connect(data / DB_NAME)
    conn.execute("DROP TABLE labels")
    conn.commit()
    conn.close()
    done = _cli(data, *argv)
    line = _one_line(done)
    assert done.returncode == 5
    assert "no table labels" in line and "keep the old file" in line


def test_damage_in_a_read_after_opening_is_one_line(synced, tmp_path):
    """Damage only a read later in the command meets (an index): still one line, exit 5."""
    data = _copy(synced, tmp_path)
    conn = sqlite3.connect(data / DB_NAME)
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'messages_by_message_id'"
    ).fetchone()[0]
    conn.close()
    _zero_pages(data / DB_NAME, root - 1, 1)
    done = _cli(data, "status")  # status runs PRAGMA quick_check
    line = _one_line(done)
    assert done.returncode == 5 and "damaged" in line


def test_an_empty_state_file_is_an_error_not_a_fresh_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_NAME).write_bytes(b"")
    done = _cli(data, "status")
    line = _one_line(done)
    assert done.returncode == 5 and "empty" in line
    assert (data / DB_NAME).stat().st_size == 0  # left as it was


def test_a_dangling_symlink_in_place_of_the_state_file_is_an_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_NAME).symlink_to(tmp_path / "elsewhere" / "state.sqlite3")
    done = _cli(data, "status")
    line = _one_line(done)
    assert done.returncode == 5 and "symbolic link" in line
    assert not (tmp_path / "elsewhere").exists()


def test_state_file_wal_shm_and_log_are_private_under_a_permissive_umask(tmp_path):
    data = tmp_path / "data"
    old = os.umask(0)
    try:
        store = Store.open(data)
        store.put("k", "v")  # makes the WAL and shared-memory files
        from watcher.cli import _log_to_file

        _log_to_file(data, rotating=True)
        import logging

        logging.getLogger("watcher").warning("written")
    finally:
        os.umask(old)
    try:
        for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", "logs/feedback-watcher.log"):
            mode = stat.S_IMODE((data / name).stat().st_mode)
            assert mode == 0o600, (name, oct(mode))
    finally:
        store.close()
        root = logging.getLogger()
        for h in list(root.handlers):
            if getattr(h, "baseFilename", "").startswith(str(data)):
                root.removeHandler(h)
                h.close()


def test_a_new_state_file_is_born_whole(tmp_path):
    store = Store.open(tmp_path / "data")
    store.close()
    assert not list((tmp_path / "data").glob(".*.new*"))
    conn = sqlite3.connect(tmp_path / "data" / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 2
    conn.close()
