"""An account's password or OAuth2 token: from a command, an environment variable or the keyring."""

from __future__ import annotations

import logging
import os
import select
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from watcher.config import APP_NAME, Account
from watcher.errors import CredentialError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Secret:
    """A password or an OAuth2 access token; repr never shows the value."""

    value: str
    oauth2: bool = False

    def __repr__(self) -> str:
        return f"Secret(oauth2={self.oauth2}, value=***)"


# After an OAuth2 login is refused, wait this long before the next try: the token helper
# refreshes tokens by itself, so a new token is no sign that the user fixed anything.
OAUTH2_PAUSE = timedelta(hours=3)
COMMAND_TIMEOUT = 60.0  # seconds for a password or token command (a GPG pinentry may ask)


def _read_first_line(proc: subprocess.Popen[bytes], deadline: float) -> tuple[bytes, bytes, bool]:
    """stdout up to its first line, and stderr, until the command itself is done.

    Not until EOF: a command that prints the password and leaves a background child (an agent
    it started) never closes its stdout while that child lives. Returns (stdout, stderr,
    timed out).
    """
    assert proc.stdout is not None and proc.stderr is not None
    out, err = bytearray(), bytearray()
    open_pipes = {proc.stdout.fileno(): out, proc.stderr.fileno(): err}
    for fd in open_pipes:
        os.set_blocking(fd, False)
    exited_at: float | None = None
    while open_pipes:
        now = time.monotonic()
        if now > deadline:
            return bytes(out), bytes(err), True
        if exited_at is None and proc.poll() is not None:
            exited_at = now
        if exited_at is not None and (b"\n" in out or now - exited_at > 0.2):
            break  # the command is done; what its children still hold is not ours to wait for
        ready, _, _ = select.select(list(open_pipes), [], [], 0.05)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if chunk:
                open_pipes[fd] += chunk
                if len(out) + len(err) > 1 << 20:
                    return bytes(out), bytes(err), False
            else:
                del open_pipes[fd]
    if proc.poll() is None:
        try:
            proc.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            return bytes(out), bytes(err), True
    return bytes(out), bytes(err), False


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()


def _last_line(data: bytes) -> str:
    lines = [x.strip() for x in data.decode("utf-8", "replace").splitlines() if x.strip()]
    return lines[-1][:200] if lines else ""


def _run(command: str, what: str, account: Account, timeout: float = COMMAND_TIMEOUT) -> str:
    # A shell command, as mbsync's PassCmd and goimapnotify take it, so users can use pipes.
    # In a session of its own: at the timeout its whole process group is killed, pipes and all.
    proc = subprocess.Popen(
        command,
        shell=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err, late = _read_first_line(proc, time.monotonic() + timeout)
        if late:
            _kill_group(proc)
            raise CredentialError(f"account {account.name}: {what} took over {timeout:.0f} s")
    except BaseException:
        # Stopped meanwhile (Ctrl-C, the service's deadline): the command's group is ours to
        # end, it is in a session of its own and no signal to our group reaches it.
        if proc.returncode is None:
            _kill_group(proc)
        raise
    finally:
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    if proc.returncode != 0:
        said = _last_line(err)
        raise CredentialError(
            f"account {account.name}: {what} failed with exit code {proc.returncode}"
            + (f": {said}" if said else "")
        )
    text = out.decode("utf-8", "replace")
    value = text.splitlines()[0].strip() if text.strip() else ""
    if not value:
        raise CredentialError(f"account {account.name}: {what} printed nothing")
    return value


def get_secret(account: Account, environ: Mapping[str, str]) -> Secret:
    """The account's secret, from the first source its configuration names."""
    if account.oauth2_token_command:
        return Secret(_run(account.oauth2_token_command, "oauth2_token_command", account), True)
    if account.password_command:
        return Secret(_run(account.password_command, "password_command", account))
    if account.password_env:
        value = environ.get(account.password_env)
        if not value:
            raise CredentialError(
                f"account {account.name}: environment variable {account.password_env} is not set"
            )
        return Secret(value)
    return Secret(_keyring_password(account))


def _keyring_password(account: Account) -> str:
    try:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        raise CredentialError(_no_keyring(account)) from None
    try:
        value = keyring.get_password(APP_NAME, f"{account.name}:{account.username}")
    except NoKeyringError:
        raise CredentialError(_no_keyring(account)) from None
    except (KeyringError, RuntimeError, OSError) as exc:
        log.debug("keyring failed: %r", exc)
        raise CredentialError(_no_keyring(account)) from None
    if value is None:
        raise CredentialError(
            f"account {account.name}: no password in the system keyring; run "
            "'feedback-watcher setup' or set password_command or password_env"
        )
    return value


def keyring_available() -> bool:
    """True when the system keyring has a working backend (not on most servers or in CI)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        return False
    try:
        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except RuntimeError:
        return False


def store_password(account: Account, password: str) -> None:
    """Save a password in the system keyring (used by setup)."""
    try:
        import keyring
        from keyring.errors import KeyringError

        keyring.set_password(APP_NAME, f"{account.name}:{account.username}", password)
    except (KeyringError, RuntimeError, OSError):
        raise CredentialError(_no_keyring(account)) from None


def _no_keyring(account: Account) -> str:
    return (
        f"account {account.name}: no system keyring is available on this machine; "
        'set password_command (e.g. "pass show mail/me") or password_env in the config'
    )
