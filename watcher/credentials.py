"""An account's password or OAuth2 token: from a command, an environment variable or the keyring."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

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


def _run(command: str, what: str, account: Account) -> str:
    # A shell command, as mbsync's PassCmd and goimapnotify take it, so users can use pipes.
    try:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise CredentialError(f"account {account.name}: {what} took over 60 s") from None
    if done.returncode != 0:
        raise CredentialError(
            f"account {account.name}: {what} failed with exit code {done.returncode}"
        )
    value = done.stdout.splitlines()[0].strip() if done.stdout.strip() else ""
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
