from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cyrus import LAYOUTS, CyrusServer, cyrus_available  # noqa: E402
from dovecot import PASSWORD, DovecotServer, dovecot_available  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def _require_dovecot() -> None:
    if not dovecot_available():
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is not installed; CI must install dovecot-imapd")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")


def _running_dovecot():
    _require_dovecot()
    server = DovecotServer(Path(tempfile.mkdtemp(prefix="fw-dovecot-")))
    server.setup()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot():
    """One Dovecot for the session; each test gets its own user (see ``mailbox``)."""
    yield from _running_dovecot()


@pytest.fixture
def own_dovecot():
    """A Dovecot of the test's own, for tests that stop or rebuild the server."""
    yield from _running_dovecot()


_users = itertools.count(1)


class Mailbox:
    """One user's mailbox on a test server, and a config that points at it."""

    def __init__(self, server: DovecotServer, user: str, tmp: Path) -> None:
        self.server = server
        self.user = user
        self.address = f"{user}@jobs.example"
        self.addresses: list[str] = []  # the account's addresses when more than ``address``
        self.port = server.port  # where the config sends the sync: Dovecot, or a proxy
        self.tmp = tmp
        self.data_dir = tmp / "data"
        self.config_path = tmp / "config.toml"
        self.environ = {"FW_TEST_PASSWORD": PASSWORD}
        self.write_config()

    def write_config(self, extra_account: str = "", extra_top: str = "") -> Path:
        self.config_path.write_text(
            f'{extra_top}\n[[accounts]]\nname = "test"\nhost = "127.0.0.1"\n'
            f'port = {self.port}\ntls = "none"\nusername = "{self.user}"\n'
            f'password_env = "FW_TEST_PASSWORD"\n'
            f"addresses = {json.dumps(self.addresses or [self.address])}\n"
            f"{extra_account}\n"
        )
        os.chmod(self.config_path, 0o600)
        return self.config_path

    def append(self, folder: str, *messages: bytes, flags=(), when=None) -> None:
        self.server.append(folder, list(messages), flags=flags, when=when, user=self.user)

    def flags(self, folder: str) -> dict:
        return self.server.flags(folder, user=self.user)

    def cli(self, *argv: str) -> list[str]:
        return ["--config", str(self.config_path), "--data-dir", str(self.data_dir), *argv]


@pytest.fixture
def mailbox(dovecot, tmp_path) -> Mailbox:
    user = f"seeker{next(_users)}"
    return Mailbox(dovecot, user, tmp_path)


class CyrusMailbox(Mailbox):
    """A Mailbox on a Cyrus server: folders are given "/"-separated as on Dovecot ("Jobs/Quanta
    Pay") and land where that server's layout puts them ("INBOX.Jobs.Quanta Pay" when classic).
    """

    server: CyrusServer

    def __init__(self, server: CyrusServer, user: str, tmp: Path) -> None:
        super().__init__(server, user, tmp)  # type: ignore[arg-type]
        server.create_user(user)

    def append(self, folder: str, *messages: bytes, flags=(), when=None) -> None:
        folder = self.server.folder(folder)
        self.server.append(folder, list(messages), flags=flags, when=when, user=self.user)

    def flags(self, folder: str) -> dict:
        return self.server.flags(self.server.folder(folder), user=self.user)

    def telemetry(self) -> str:
        """Every IMAP session of this user, as Cyrus logged it."""
        return self.server.telemetry(self.user)


def _require_cyrus() -> None:
    available = cyrus_available()
    if not available:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{available.reason}; CI must prepare it (python3 tests/cyrus.py prepare)")
        pytest.skip(available.reason)


@pytest.fixture(scope="session", params=LAYOUTS)
def cyrus(request):
    """One Cyrus per namespace layout for the session ("classic": INBOX.Sent, "unix": Sent)."""
    _require_cyrus()
    server = CyrusServer(Path(tempfile.mkdtemp(prefix=f"fw-cyrus-{request.param}-")), request.param)
    server.setup()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def cyrus_mailbox(cyrus, tmp_path) -> CyrusMailbox:
    return CyrusMailbox(cyrus, f"seeker{next(_users)}", tmp_path)
