"""The IDLE thread outlives any failure of its connection: it logs, backs off and retries."""

from __future__ import annotations

import logging
import threading

from watcher import idlewatch, imap
from watcher.config import Account
from watcher.errors import MailServerError

ACCOUNT = Account(name="test", host="127.0.0.1", username="sam", password_env="FW_PW")


class FailingThenIdle:
    """An IMAP source whose first connections fail as listed, and which then announces mail."""

    failures: list[Exception] = []
    opened = 0

    def __init__(self, account, secret, timeout):
        type(self).opened += 1
        if self.failures:
            raise self.failures.pop(0)
        self.capabilities = {"IDLE"}

    def idle_wait(self, folder, seconds):
        return True

    def close(self):
        pass


def _watch(monkeypatch, failures):
    monkeypatch.setattr(idlewatch, "RETRY_START", 0.01)
    monkeypatch.setattr(imap, "ImapSource", FailingThenIdle)
    monkeypatch.setattr(FailingThenIdle, "failures", list(failures))
    monkeypatch.setattr(FailingThenIdle, "opened", 0)
    stop = threading.Event()
    watcher = idlewatch.IdleWatcher(ACCOUNT, {"FW_PW": "secret"}, stop.set, stop)
    watcher.start()
    watcher.join(10)
    return watcher, stop


def test_an_unexpected_error_is_logged_with_its_traceback_and_retried(monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="watcher")
    watcher, stop = _watch(monkeypatch, [RuntimeError("a bug in a library")])
    assert stop.is_set(), "the retry reconnected and heard of new mail"
    assert not watcher.is_alive()
    assert FailingThenIdle.opened == 2
    failed = [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]
    assert len(failed) == 1
    assert isinstance(failed[0].exc_info[1], RuntimeError)
    assert "unexpected error in the IDLE thread; retrying" in failed[0].getMessage()


def test_a_lost_connection_is_one_line_and_retried(monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="watcher")
    lost = [MailServerError("connection reset"), MailServerError("connection reset")]
    _, stop = _watch(monkeypatch, lost)
    assert stop.is_set() and FailingThenIdle.opened == 3
    lines = [r for r in caplog.records if "IDLE connection lost" in r.getMessage()]
    assert len(lines) == 2 and not any(r.exc_info for r in lines)
