"""IMAP IDLE on each account's INBOX, to sync within seconds of new mail (polling stays on).

One small thread per account holds one connection; any failure is logged, waited out with
backoff and retried, and never reaches the service loop.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping

from watcher.config import Account
from watcher.errors import WatcherError

log = logging.getLogger(__name__)

# Servers drop an IDLE after 30 minutes (RFC 2177); renew well before.
IDLE_RENEW = 25 * 60
RETRY_START = 5.0  # seconds before reconnecting after a failure, doubling up to RETRY_MAX
RETRY_MAX = 900.0


class IdleWatcher(threading.Thread):
    """Calls ``on_new_mail`` whenever the server announces new mail in INBOX."""

    def __init__(
        self,
        account: Account,
        environ: Mapping[str, str],
        on_new_mail: Callable[[], None],
        stop: threading.Event,
        renew_seconds: float = IDLE_RENEW,
    ) -> None:
        super().__init__(name=f"idle-{account.name}", daemon=True)
        self.account = account
        self.environ = environ
        self.on_new_mail = on_new_mail
        self.stop = stop
        self.renew = renew_seconds
        self.rng = random.Random()

    def run(self) -> None:
        from watcher.credentials import get_secret
        from watcher.imap import ImapSource

        delay = RETRY_START
        while not self.stop.is_set():
            source = None
            try:
                source = ImapSource(
                    self.account, get_secret(self.account, self.environ), timeout=self.renew + 60
                )
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
