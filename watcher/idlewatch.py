"""IMAP IDLE on each account's INBOX, to sync within seconds of new mail (polling stays on).

One small thread per account holds one connection; any failure is logged, waited out with
backoff and retried, and never reaches the service loop.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping

from watcher.config import Account
from watcher.credentials import OAUTH2_PAUSE, Secret
from watcher.errors import AuthenticationFailed, WatcherError

log = logging.getLogger(__name__)

# Servers drop an IDLE after 30 minutes (RFC 2177); renew well before.
IDLE_RENEW = 25 * 60
RETRY_START = 5.0  # seconds before reconnecting after a failure, doubling up to RETRY_MAX
RETRY_MAX = 900.0


def _digest(secret: Secret) -> bytes:
    return hashlib.sha256(secret.value.encode("utf-8", "surrogatepass")).digest()


class IdleWatcher(threading.Thread):
    """Calls ``on_new_mail`` whenever the server announces new mail in INBOX."""

    def __init__(
        self,
        account: Account,
        environ: Mapping[str, str],
        on_new_mail: Callable[[], None],
        stop: threading.Event,
        renew_seconds: float = IDLE_RENEW,
        paused: Callable[[Account, Secret], bool] = lambda account, secret: False,
    ) -> None:
        super().__init__(name=f"idle-{account.name}", daemon=True)
        self.account = account
        self.environ = environ
        self.on_new_mail = on_new_mail
        self.stop = stop
        self.renew = renew_seconds
        self.rng = random.Random()
        # A login refused here or by a sync worker is not tried again with the same secret
        # (the worker's record is read through ``paused``; ours is kept in memory, hashed).
        self.paused = paused
        self.refused: tuple[bytes, float] | None = None  # (hash of the secret, when)

    def _refused_before(self, secret: Secret) -> bool:
        if self.refused is not None:
            digest, at = self.refused
            if secret.oauth2:
                if time.monotonic() - at < OAUTH2_PAUSE.total_seconds():
                    return True
            elif digest == _digest(secret):
                return True
        return self.paused(self.account, secret)

    def run(self) -> None:
        from watcher.credentials import get_secret
        from watcher.imap import ImapSource

        delay = RETRY_START
        while not self.stop.is_set():
            source = None
            try:
                secret = get_secret(self.account, self.environ)
                if self._refused_before(secret):
                    self.stop.wait(RETRY_MAX)
                    continue
                try:
                    source = ImapSource(self.account, secret, timeout=self.renew + 60)
                except AuthenticationFailed:
                    self.refused = (_digest(secret), time.monotonic())
                    log.warning(
                        "%s: IDLE login refused; waiting for a new password or settings",
                        self.account.name,
                    )
                    self.stop.wait(RETRY_MAX)
                    continue
                self.refused = None
                if "IDLE" not in source.capabilities:
                    log.info("%s: server has no IDLE; polling only", self.account.name)
                    return
                delay = RETRY_START
                while not self.stop.is_set():
                    # Short waits so a stop request is honoured quickly.
                    if source.idle_wait("INBOX", min(self.renew, 60.0)):
                        log.info("%s: new mail announced", self.account.name)
                        self.on_new_mail()
            except WatcherError as exc:
                log.warning(
                    "%s: IDLE connection lost (%s); retrying in %.0f s",
                    self.account.name,
                    exc,
                    delay,
                )
            except Exception:  # noqa: BLE001 - a bug here must cost a retry, never the thread
                log.exception(
                    "%s: unexpected error in the IDLE thread; retrying in %.0f s",
                    self.account.name,
                    delay,
                )
            finally:
                if source is not None:
                    source.close()
            self.stop.wait(delay * (0.5 + self.rng.random() / 2))
            delay = min(delay * 2, RETRY_MAX)
