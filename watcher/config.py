"""The TOML configuration file, read into frozen dataclasses with one-line errors."""

from __future__ import annotations

import ipaddress
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from watcher.errors import ConfigError
from watcher.followups import FollowupPolicy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP_NAME = "feedback-watcher"
TLS_MODES = ("ssl", "starttls", "none")


@dataclass(frozen=True)
class Account:
    """One IMAP mailbox to watch."""

    name: str
    host: str
    username: str
    port: int = 993
    tls: str = "ssl"
    password_command: str | None = None
    password_env: str | None = None
    oauth2_token_command: str | None = None
    ca_file: str | None = None
    addresses: tuple[str, ...] = ()
    include_folders: tuple[str, ...] = ()
    exclude_folders: tuple[str, ...] = ()
    idle: bool = True
    maildir: str | None = None  # read a local Maildir instead of an IMAP server
    mbox: str | None = None  # or an mbox file (a Takeout export) or a directory of them

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset(a.lower() for a in (self.addresses or (self.username,)))


@dataclass(frozen=True)
class DeliveryConfig:
    """Where the morning digest goes besides the terminal."""

    files: bool = True
    notify: bool = True
    mailbox: bool = False  # append the digest to INBOX: a write, so opt-in


@dataclass(frozen=True)
class Config:
    """The whole configuration."""

    accounts: tuple[Account, ...] = ()
    lookback_days: int = 180
    poll_minutes: int = 10
    sync_deadline_minutes: int = 10  # the service stops a sync worker still running after this
    digest_time: time = time(8, 0)
    confidence_threshold: float = 0.6
    followup: FollowupPolicy = field(default_factory=FollowupPolicy)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)

    def account(self, name: str) -> Account:
        for acc in self.accounts:
            if acc.name == name:
                return acc
        raise ConfigError(f"no account named {name!r} in the configuration")


def default_config_path(environ: Mapping[str, str]) -> Path:
    if environ.get("FEEDBACK_WATCHER_CONFIG"):
        return Path(environ["FEEDBACK_WATCHER_CONFIG"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir(environ: Mapping[str, str]) -> Path:
    if environ.get("FEEDBACK_WATCHER_DATA_DIR"):
        return Path(environ["FEEDBACK_WATCHER_DATA_DIR"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def load_config(path: Path) -> Config:
    """Read and check the configuration file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"no configuration file at {path}: run 'feedback-watcher setup' or pass --config PATH"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte {exc.start}); TOML files must be UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ConfigError(f"{path} is not valid TOML: values nested too deeply") from None
    return parse_config(data, source=str(path))


def config_is_private(path: Path) -> bool:
    """False when others may read the file (it can name a password command or account)."""
    try:
        return not (path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return True


def config_is_writable_by_others(path: Path) -> bool:
    """True when others may change the file: its password_command would run as this user."""
    try:
        return bool(path.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH))
    except OSError:
        return False


class _Table:
    """A TOML table read key by key, so every error names the key and what is allowed."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{where} must be a table")
        self.data = dict(data)
        self.where = where

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = self.data.pop(key, default)
        if value is default:
            return value
        if isinstance(value, bool) and kind is not bool:
            raise ConfigError(f"{self._key(key)} must be {_kind_name(kind)}, not true/false")
        if not isinstance(value, kind):
            raise ConfigError(f"{self._key(key)} must be {_kind_name(kind)}, got {value!r}")
        return value

    def required(self, key: str, kind: type) -> Any:
        if key not in self.data:
            raise ConfigError(f"{self._key(key)} is missing: it must be {_kind_name(kind)}")
        return self.get(key, kind, None)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{self._key(key)} must be a list of non-empty strings")
        return tuple(value)

    def int_in(self, key: str, default: int, low: int, high: int) -> int:
        value = self.get(key, int, default)
        if not low <= value <= high:
            raise ConfigError(f"{self._key(key)} must be between {low} and {high}, got {value}")
        return value

    def done(self) -> None:
        if self.data:
            key = sorted(self.data)[0]
            raise ConfigError(f"unknown setting {self._key(key)}: check the spelling (see README)")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "a whole number",
        bool: "true or false",
        list: "a list",
        float: "a number",
        dict: "a table",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _account(data: Any, index: int) -> Account:
    t = _Table(data, f"accounts[{index}]")
    name = t.get("name", str, f"account{index + 1}")
    t.where = f"accounts[{name}]"
    maildir = t.get("maildir", str, None)
    mbox = t.get("mbox", str, None)
    if maildir and mbox:
        raise ConfigError(f"{t.where}: set maildir or mbox, not both")
    if maildir or mbox:
        host = t.get("host", str, "localhost")
        username = t.get("username", str, "")
        if not t.data.get("addresses") and not username:
            raise ConfigError(
                f"{t.where}.addresses is missing: a local account must list your own addresses"
            )
    else:
        host = t.required("host", str)
        username = t.required("username", str)
    tls = t.get("tls", str, "ssl")
    if tls not in TLS_MODES:
        raise ConfigError(f"{t.where}.tls must be one of ssl, starttls, none; got {tls!r}")
    if tls == "none" and not is_loopback(host):
        raise ConfigError(
            f'{t.where}.tls = "none" is only allowed for 127.0.0.1 or localhost, '
            f'not {host}: use "ssl" or "starttls"'
        )
    port = t.int_in("port", 993 if tls == "ssl" else 143, 1, 65535)
    ca_file = t.get("ca_file", str, None)
    if ca_file and not os.path.exists(os.path.expanduser(ca_file)):
        raise ConfigError(f"{t.where}.ca_file: no such file {ca_file}")
    secrets_given = [
        k for k in ("password_command", "password_env", "oauth2_token_command") if k in t.data
    ]
    if "password" in t.data:
        raise ConfigError(
            f"{t.where}.password: passwords do not belong in the config file; "
            "use password_command, password_env or the system keyring"
        )
    if len(secrets_given) > 1:
        raise ConfigError(f"{t.where}: set only one of {', '.join(secrets_given)}")
    acc = Account(
        name=name,
        host=host,
        username=username,
        port=port,
        tls=tls,
        password_command=t.get("password_command", str, None),
        password_env=t.get("password_env", str, None),
        oauth2_token_command=t.get("oauth2_token_command", str, None),
        ca_file=os.path.expanduser(ca_file) if ca_file else None,
        addresses=tuple(a.lower() for a in t.strings("addresses")) or (username.lower(),),
        include_folders=t.strings("include_folders"),
        exclude_folders=t.strings("exclude_folders"),
        idle=t.get("idle", bool, True),
        maildir=os.path.expanduser(maildir) if maildir else None,
        mbox=os.path.expanduser(mbox) if mbox else None,
    )
    t.done()
    return acc


def parse_config(data: Mapping[str, Any], source: str = "config") -> Config:
    """Check a parsed TOML document and build the Config."""
    t = _Table(data, "")
    accounts_data = t.get("accounts", list, [])
    accounts = tuple(_account(a, i) for i, a in enumerate(accounts_data))
    names = [a.name for a in accounts]
    if len(set(names)) != len(names):
        raise ConfigError("accounts: two accounts have the same name; give each a unique name")
    digest_raw = t.get("digest_time", str, "08:00")
    try:
        hh, mm = (int(x) for x in digest_raw.split(":"))
        digest_time = time(hh, mm)
    except ValueError:
        raise ConfigError(f'digest_time must look like "08:00", got {digest_raw!r}') from None
    threshold = t.get("confidence_threshold", (int, float), 0.6)
    if not 0 <= threshold <= 1:
        raise ConfigError(f"confidence_threshold must be between 0 and 1, got {threshold}")
    fu = _Table(t.get("followup", dict, {}), "followup")
    followup = FollowupPolicy(
        business_days=fu.int_in("business_days", 5, 1, 60),
        max_asks=fu.int_in("max_asks", 3, 1, 10),
    )
    fu.done()
    dl = _Table(t.get("delivery", dict, {}), "delivery")
    delivery = DeliveryConfig(
        files=dl.get("files", bool, True),
        notify=dl.get("notify", bool, True),
        mailbox=dl.get("mailbox", bool, False),
    )
    dl.done()
    config = Config(
        accounts=accounts,
        lookback_days=t.int_in("lookback_days", 180, 1, 3650),
        poll_minutes=t.int_in("poll_minutes", 10, 1, 1440),
        sync_deadline_minutes=t.int_in("sync_deadline_minutes", 10, 1, 1440),
        digest_time=digest_time,
        confidence_threshold=float(threshold),
        followup=followup,
        delivery=delivery,
    )
    t.done()
    return config
