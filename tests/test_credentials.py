"""Password commands and refused logins.

A password command runs in its own process group: it is read to its first line even when it
leaves a background child holding its stdout, killed whole at the timeout, and its own error
line is shown when it fails. A login the server refused is not tried again by the service
(sync workers and IDLE) until the password source or the account's settings change; a sync
you run yourself always tries; the state keeps only a salted slow hash, never the password.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import REPO
from scriptedimap import ScriptedImap, canonical

from watcher import idlewatch
from watcher.config import Account
from watcher.credentials import Secret, _run
from watcher.errors import CredentialError
from watcher.service import OAUTH2_PAUSE, RefusedLogin, login_fingerprint

ACCOUNT = Account(name="personal", host="imap.example.com", username="me@example.com")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_a_command_leaving_a_background_child_is_read_to_its_first_line(tmp_path):
    started = time.monotonic()
    value = _run("echo hunter2; sleep 30 &", "password_command", ACCOUNT)
    assert value == "hunter2"
    assert time.monotonic() - started < 5


def test_a_command_printing_no_newline_and_leaving_a_child(tmp_path):
    started = time.monotonic()
    value = _run("printf hunter2; (sleep 30 &)", "password_command", ACCOUNT)
    assert value == "hunter2"
    assert time.monotonic() - started < 5


def test_a_failing_command_shows_its_own_error_line():
    with pytest.raises(CredentialError) as err:
        _run(
            "echo 'gpg: decryption failed: No secret key' >&2; exit 2", "password_command", ACCOUNT
        )
    assert "exit code 2: gpg: decryption failed: No secret key" in str(err.value)


def test_a_command_past_its_timeout_is_killed_with_its_children(tmp_path):
    pidfile = tmp_path / "child"
    started = time.monotonic()
    with pytest.raises(CredentialError, match="took over 1 s"):
        _run(f"sleep 300 & echo $! > {pidfile}; sleep 300", "password_command", ACCOUNT, 1.0)
    assert time.monotonic() - started < 5
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


# -- refused logins ---------------------------------------------------------------------------


def test_the_fingerprint_is_salted_and_changes_with_password_or_settings():
    salt = os.urandom(16)
    fp = login_fingerprint(ACCOUNT, Secret("pw"), salt)
    assert "pw" not in fp and len(fp) == 64
    assert fp != login_fingerprint(ACCOUNT, Secret("pw"), os.urandom(16))
    assert fp != login_fingerprint(ACCOUNT, Secret("pw2"), salt)
    other = Account(name="personal", host="imap.example.com", username="me2@example.com")
    assert fp != login_fingerprint(other, Secret("pw"), salt)
    # OAuth2 tokens change by themselves: only the settings and the time count.
    now = datetime(2025, 4, 14, 9, tzinfo=timezone.utc)
    oauth = RefusedLogin(salt, login_fingerprint(ACCOUNT, Secret("t1", True), salt), now, True)
    assert oauth.holds(ACCOUNT, Secret("t2", True), now + timedelta(hours=1))
    assert not oauth.holds(ACCOUNT, Secret("t2", True), now + OAUTH2_PAUSE)


def _refusing(tag: bytes, name: str, line: bytes):
    if name == "LOGIN":
        return [tag + b" NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"]
    return canonical(tag, name, line)


def _sync(tmp: Path, port: int, password: str, worker: bool, now: str | None = None):
    config = tmp / "config.toml"
    config.write_text(
        f'[[accounts]]\nname = "box"\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\n'
        'username = "sam"\npassword_env = "FW_PW"\naddresses = ["sam@jobs.example"]\n'
    )
    config.chmod(0o600)
    env = {**os.environ, "FW_PW": password}
    if worker:
        env["FEEDBACK_WATCHER_WORKER"] = "1"
    argv = ["--config", str(config), "--data-dir", str(tmp / "data")]
    return (
        subprocess.run(
            [sys.executable, "-m", "watcher", *argv, "sync", *(["--now", now] if now else [])],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        ),
        argv,
        env,
    )


def test_a_refused_login_is_not_retried_until_the_password_changes(tmp_path):
    with ScriptedImap(_refusing) as server:
        first, argv, env = _sync(tmp_path, server.port, "wrong-secret-1", worker=True)
        assert first.returncode == 3, first.stderr
        assert server.commands.count("LOGIN") == 1
        again, _, _ = _sync(tmp_path, server.port, "wrong-secret-1", worker=True)
        assert again.returncode == 3
        assert "will not try again until the password" in again.stderr
        assert server.commands.count("LOGIN") == 1  # the server was not asked again
        # A sync you run yourself tries.
        mine, _, _ = _sync(tmp_path, server.port, "wrong-secret-1", worker=False)
        assert mine.returncode == 3 and server.commands.count("LOGIN") == 2
        # A new password: the service tries again.
        changed, _, _ = _sync(tmp_path, server.port, "wrong-secret-2", worker=True)
        assert changed.returncode == 3 and server.commands.count("LOGIN") == 3
    state = (tmp_path / "data" / "state.sqlite3").read_bytes()
    assert b"wrong-secret" not in state
    status = subprocess.run(
        [sys.executable, "-m", "watcher", *argv, "status"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "login refused at" in status.stdout and "will not try again" in status.stdout
    digest = subprocess.run(
        [sys.executable, "-m", "watcher", *argv, "digest"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "WARNING: box has not synced" in digest.stdout


def test_idle_does_not_retry_a_refused_login(monkeypatch):
    monkeypatch.setattr(idlewatch, "RETRY_START", 0.05)
    with ScriptedImap(_refusing) as server:
        account = Account(
            name="box",
            host="127.0.0.1",
            port=server.port,
            tls="none",
            username="sam",
            password_env="FW_PW",
        )
        stop = threading.Event()
        watcher = idlewatch.IdleWatcher(account, {"FW_PW": "nope"}, lambda: None, stop)
        watcher.start()
        try:
            deadline = time.monotonic() + 10
            while "LOGIN" not in server.commands and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.5)
            assert server.commands.count("LOGIN") == 1
        finally:
            stop.set()
            watcher.join(5)
