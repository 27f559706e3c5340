"""The first run: ask for (or take from flags) one account, test it, write the configuration.

Questions go through a ``Prompter`` whose input functions are injectable, so tests can answer
them. A typed password goes to the system keyring, never into the file; the file is written
with mode 0600 and never over an existing one unless ``force`` is set.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from watcher import files
from watcher.config import Account, is_loopback, parse_config
from watcher.credentials import Secret, get_secret, keyring_available, store_password
from watcher.errors import ConfigError, UntrustedCertificate, WatcherError, WrongTlsMode
from watcher.folders import Folder, choose_folders
from watcher.providers import (
    APP_PASSWORD,
    BRIDGE,
    OAUTH2,
    PROVIDERS,
    Provider,
    guess_provider,
    provider,
)

log = logging.getLogger(__name__)

KEYRING, COMMAND, ENV, TOKEN = "keyring", "command", "env", "oauth2"
SECRET_FLAGS = {COMMAND: "password_command", ENV: "password_env", TOKEN: "oauth2_token_command"}


@dataclass(frozen=True)
class SetupOptions:
    """What the command line said; anything left None is asked (or is an error in scripts)."""

    provider: str | None = None
    host: str | None = None
    port: int | None = None
    tls: str | None = None
    username: str | None = None
    password_command: str | None = None
    password_env: str | None = None
    oauth2_token_command: str | None = None
    ca_file: str | None = None
    addresses: tuple[str, ...] = ()
    name: str | None = None
    test: bool = True
    force: bool = False
    interactive: bool = False


@dataclass(frozen=True)
class SetupResult:
    """What setup wrote and found."""

    path: Path
    account: Account
    folders: tuple[Folder, ...] | None  # None when the connection was not tested


class Prompter:
    """Questions and answers on a terminal; ``ask``, ``secret`` and ``say`` are replaceable."""

    def __init__(
        self,
        ask: Callable[[str], str] = input,
        secret: Callable[[str], str] = getpass.getpass,
        say: Callable[[str], None] = print,
    ) -> None:
        self._ask, self._secret, self.say = ask, secret, say

    def _read(self, fn: Callable[[str], str], question: str) -> str:
        try:
            return fn(question).strip()
        except EOFError:
            raise ConfigError(
                "setup ran out of answers; run it in a terminal, or give "
                "every value as a flag (see 'feedback-watcher setup --help')"
            ) from None

    def text(
        self,
        question: str,
        default: str | None = None,
        check: Callable[[str], str | None] | None = None,
    ) -> str:
        """An answer; ``check`` returns a complaint to ask again, or None when it is fine."""
        shown = f"{question} [{default}]: " if default else f"{question}: "
        while True:
            answer = self._read(self._ask, shown) or (default or "")
            problem = "an answer is needed" if not answer else check(answer) if check else None
            if problem is None:
                return answer
            self.say(f"  {problem}")

    def password(self, question: str) -> str:
        while True:
            answer = self._read(self._secret, f"{question}: ")
            if answer:
                return answer
            self.say("  nothing typed; try again")

    def choice(self, question: str, options: Sequence[tuple[str, str]], default: str) -> str:
        """One of the option keys, by number or by key."""
        self.say(question)
        for i, (_, label) in enumerate(options, 1):
            self.say(f"  {i}) {label}")
        keys = [k for k, _ in options]

        def check(answer: str) -> str | None:
            if answer in keys or (answer.isdigit() and 1 <= int(answer) <= len(keys)):
                return None
            return f"answer a number from 1 to {len(keys)}"

        answer = self.text("Choose", str(keys.index(default) + 1), check)
        return answer if answer in keys else keys[int(answer) - 1]

    def yes(self, question: str, default: bool = False) -> bool:
        def check(answer: str) -> str | None:
            return None if answer.lower() in ("y", "yes", "n", "no") else "answer y or n"

        return self.text(question, "y" if default else "n", check).lower().startswith("y")


class SystemKeyring:
    """The system keyring, as setup needs it: is there one, and save a password in it."""

    def usable(self) -> bool:
        # Asked before the user types a password, so a machine without a keyring (a server,
        # a container) gets the choice of a command instead of an error at the end.
        return keyring_available()

    def store(self, account: Account, password: str) -> None:
        store_password(account, password)


class _Asker:
    """Each value from its flag, else from a question, else an error naming the flag."""

    def __init__(self, opts: SetupOptions, prompt: Prompter) -> None:
        self.opts, self.prompt = opts, prompt

    def value(
        self,
        given: str | None,
        flag: str,
        question: str,
        default: str | None = None,
        check: Callable[[str], str | None] | None = None,
    ) -> str:
        if given is not None:
            problem = check(str(given)) if check else None
            if problem:
                raise ConfigError(f"{flag}: {problem}")
            return str(given)
        if self.opts.interactive:
            return self.prompt.text(question, default, check)
        if default is not None:
            return default
        raise ConfigError(f"{flag} is needed when setup does not run in a terminal")


def _port_check(answer: str) -> str | None:
    return None if answer.isdigit() and 1 <= int(answer) <= 65535 else "a port from 1 to 65535"


def _file_check(answer: str) -> str | None:
    return None if os.path.isfile(os.path.expanduser(answer)) else f"no such file: {answer}"


def _address_check(answer: str) -> str | None:
    bad = [a for a in _split(answer) if "@" not in a]
    return f"not an email address: {bad[0]}" if bad else None


def _split(answer: str) -> list[str]:
    return [a.strip().lower() for a in answer.replace(";", ",").split(",") if a.strip()]


def _choose_provider(opts: SetupOptions, prompt: Prompter, address: str | None) -> Provider:
    if opts.provider:
        try:
            return provider(opts.provider)
        except KeyError as exc:
            raise ConfigError(f"--provider: {exc.args[0]}") from None
    if opts.host:
        return provider("custom")
    if not opts.interactive:
        raise ConfigError("--provider or --host is needed when setup does not run in a terminal")
    guess = guess_provider(address or "")
    key = prompt.choice(
        "Which provider is your mailbox with?",
        [(p.key, p.name) for p in PROVIDERS],
        guess.key if guess else "custom",
    )
    return provider(key)


def _secret_source(
    opts: SetupOptions, prompt: Prompter, preset: Provider, keyring_usable: bool
) -> tuple[str, str]:
    """How the password is found: (KEYRING, "") or (kind, the command or variable name)."""
    given = [
        (kind, getattr(opts, field)) for kind, field in SECRET_FLAGS.items() if getattr(opts, field)
    ]
    if len(given) > 1:
        raise ConfigError(
            "give only one of --password-command, --password-env, --oauth2-token-command"
        )
    if given:
        return given[0]
    if not opts.interactive:
        raise ConfigError(
            "--password-command, --password-env or --oauth2-token-command is "
            "needed when setup does not run in a terminal (in a terminal, setup "
            "can save a password in the system keyring)"
        )
    password_word = {APP_PASSWORD: "an app password", BRIDGE: "the Bridge password"}.get(
        preset.auth, "a password"
    )
    options = [
        (KEYRING, f"type {password_word} now; it is kept in the system keyring"),
        (COMMAND, "a command that prints the password (e.g. pass show mail/me)"),
        (TOKEN, "OAuth2: a command that prints an access token (e.g. oama access ...)"),
        (ENV, "an environment variable that holds the password"),
    ]
    default = TOKEN if preset.auth == OAUTH2 else KEYRING if keyring_usable else COMMAND
    while True:
        kind = prompt.choice("How should feedback-watcher get your password?", options, default)
        if kind != KEYRING:
            break
        if keyring_usable:
            return KEYRING, ""
        prompt.say(
            "  There is no system keyring on this computer (no Secret Service, KWallet "
            "or macOS Keychain); choose another way."
        )
    question = {
        COMMAND: "Password command",
        TOKEN: "OAuth2 token command",
        ENV: "Environment variable name",
    }[kind]
    return kind, prompt.text(question)


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but for DEL)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def config_text(account: Account) -> str:
    """The configuration file for one account, with the other settings shown as comments."""
    a = account
    lines = [
        "# feedback-watcher configuration, written by 'feedback-watcher setup'.",
        '# Every setting is described in the README ("Configuration"). No password is kept here.',
        "",
        "# lookback_days = 180          # how far back the first sync looks",
        "# poll_minutes = 10            # how often the service syncs",
        '# digest_time = "08:00"        # when the morning digest is made (local time)',
        "",
        "[delivery]",
        "# files = true                 # digest-YYYY-MM-DD.md and .html in the data directory",
        "# notify = true                # a desktop notification with the counts",
        "# mailbox = false              # also put the digest in your INBOX (a write: opt-in)",
        "",
        "[[accounts]]",
        f"name = {toml_string(a.name)}",
        f"host = {toml_string(a.host)}",
        f"port = {a.port}",
        f"tls = {toml_string(a.tls)}",
        f"username = {toml_string(a.username)}",
    ]
    for key in ("password_command", "password_env", "oauth2_token_command", "ca_file"):
        value = getattr(a, key)
        if value:
            lines.append(f"{key} = {toml_string(value)}")
    if not (a.password_command or a.password_env or a.oauth2_token_command):
        lines.append("# password: in the system keyring (change it by running setup again)")
    lines.append("addresses = [" + ", ".join(toml_string(x) for x in a.addresses) + "]")
    lines.append('# exclude_folders = ["Newsletters/*"]')
    return "\n".join(lines) + "\n"


def write_config(path: Path, text: str, force: bool) -> None:
    """Write the file with mode 0600, atomically; never over an existing one unless forced."""
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    files.write_text(path, text)


def check_connection(account: Account, secret: Secret) -> tuple[Folder, ...]:
    """Log in, list the folders and return the ones that will be watched."""
    from watcher.imap import ImapSource

    source = ImapSource(account, secret, timeout=30)
    try:
        listed = source.list_folders()
    finally:
        source.close()
    return tuple(choose_folders(listed, account.include_folders, account.exclude_folders))


def run_setup(
    opts: SetupOptions,
    config_path: Path,
    environ: Mapping[str, str],
    prompt: Prompter | None = None,
    *,
    keyring: SystemKeyring | None = None,
) -> SetupResult:
    """Ask, test, save the password and write the configuration."""
    prompt = prompt or Prompter()
    keyring = keyring or SystemKeyring()
    say = prompt.say
    if config_path.exists() and not opts.force:
        raise ConfigError(
            f"{config_path} already exists; pass --force to replace it (or edit it by hand)"
        )
    ask = _Asker(opts, prompt)
    address = _greet(opts, prompt, config_path)
    preset = _choose_provider(opts, prompt, address)
    if opts.interactive:
        say("\n" + textwrap.fill(f"{preset.name}: {preset.needs}", 78) + "\n")
    host, port, tls, ca_file = _server(opts, prompt, ask, preset)
    username = ask.value(
        opts.username,
        "--username",
        f"Username ({preset.username_hint})",
        address if preset.username_hint.startswith("your full") else None,
    )
    addresses = _own_addresses(opts, prompt, ask, address, username)
    kind, how = _secret_source(opts, prompt, preset, opts.interactive and keyring.usable())
    name = opts.name or (
        prompt.text("A short name for this account", "personal") if opts.interactive else "personal"
    )
    table = {
        "name": name,
        "host": host,
        "port": port,
        "tls": tls,
        "username": username,
        "addresses": list(addresses),
    }
    if kind != KEYRING:
        table[SECRET_FLAGS[kind]] = how
    if ca_file:
        table["ca_file"] = ca_file
    account = parse_config({"accounts": [table]}, source="setup").accounts[0]
    password = prompt.password(f"Password for {username}") if kind == KEYRING else None
    secret = Secret(password) if password is not None else None

    folders = None
    if opts.test:
        say(f"Connecting to {host}:{port} as {username} ...")
        account, folders = _test_login(opts, prompt, account, secret, environ)
    if password is not None:
        keyring.store(account, password)
        say("Password saved in the system keyring.")
    write_config(config_path, config_text(account), opts.force)
    log.info("configuration written to %s", config_path)
    return SetupResult(config_path, account, folders)


def _greet(opts: SetupOptions, prompt: Prompter, config_path: Path) -> str | None:
    """Say what setup will do and ask for the address; None when setup is scripted."""
    if not opts.interactive:
        return None
    prompt.say(
        f"Setting up feedback-watcher. The configuration goes to {config_path};\n"
        "no password is written to it. Nothing on your mail server is changed.\n"
    )
    if opts.addresses:
        return opts.addresses[0]
    return prompt.text("Your email address", check=_address_check)


def _server(
    opts: SetupOptions, prompt: Prompter, ask: _Asker, preset: Provider
) -> tuple[str, int, str, str | None]:
    """Host, port, TLS mode and CA file: from the flags, the preset, or asked."""
    custom = preset.key == "custom"
    host = opts.host or preset.host or ask.value(None, "--host", "IMAP server name")
    if custom and opts.tls is None and opts.interactive:
        modes = [("ssl", "SSL/TLS (usually port 993)"), ("starttls", "STARTTLS (usually 143)")]
        if is_loopback(host):
            modes.append(("none", "no encryption (this computer only)"))
        tls = prompt.choice("How does the server encrypt the connection?", modes, "ssl")
    else:
        tls = opts.tls or preset.tls
    port = opts.port or preset.port
    if custom and not opts.port:
        port = int(ask.value(None, "--port", "Port", "993" if tls == "ssl" else "143", _port_check))
    ca_file = opts.ca_file
    if ca_file is None and preset.needs_ca_file:
        ca_file = ask.value(
            None, "--ca-file", "Path of the exported Bridge certificate", check=_file_check
        )
    return host, port, tls, ca_file


def _own_addresses(
    opts: SetupOptions, prompt: Prompter, ask: _Asker, address: str | None, username: str
) -> tuple[str, ...]:
    """The addresses the user sends from: the flags, else the one given, else asked."""
    addresses = tuple(a.lower() for a in opts.addresses) or ((address,) if address else ())
    if not addresses:
        default = username.lower() if "@" in username else None
        return tuple(
            _split(
                ask.value(
                    None,
                    "--address",
                    "Your email addresses (comma-separated)",
                    default,
                    _address_check,
                )
            )
        )
    if opts.interactive and not opts.addresses:
        more = prompt.text(
            "Other addresses you send from (comma-separated, or - for none)",
            "-",
            lambda a: None if a == "-" else _address_check(a),
        )
        if more != "-":
            addresses += tuple(x for x in _split(more) if x not in addresses)
    return addresses


def _test_login(
    opts: SetupOptions,
    prompt: Prompter,
    account: Account,
    secret: Secret | None,
    environ: Mapping[str, str],
) -> tuple[Account, tuple[Folder, ...] | None]:
    """The account as it connects and the folders it will watch; folders None when the login
    failed and the user saves anyway. In a terminal, a certificate that is not trusted gets a
    question for its CA file, and a port that speaks the other kind of TLS one to switch."""
    for _ in range(3):
        try:
            # A password command that fails is a failed test too, so the secret is found here.
            folders = check_connection(account, secret or get_secret(account, environ))
        except WatcherError as exc:
            prompt.say(f"The test failed: {exc}")
            fixed = _fix(opts, prompt, account, exc) if opts.interactive else None
            if fixed is not None:
                account = fixed
                prompt.say(f"Connecting to {account.host}:{account.port} again ...")
                continue
            if not (opts.interactive and prompt.yes("Save the configuration anyway?")):
                raise
            return account, None
        prompt.say(
            f"Connected. Watching {len(folders)} folders: " + ", ".join(f.name for f in folders)
        )
        return account, folders
    return account, None


def _fix(
    opts: SetupOptions, prompt: Prompter, account: Account, exc: WatcherError
) -> Account | None:
    """The account changed as the user agrees to, after a TLS mistake; None to give up."""
    if isinstance(exc, UntrustedCertificate) and not opts.ca_file:
        prompt.say(
            "  A server of your own (or a bridge) signs with its own certificate authority; "
            "give its CA certificate (a PEM file) to trust it."
        )
        answer = prompt.text(
            "Path of the CA certificate (or - to skip)",
            "-",
            lambda a: None if a == "-" else _file_check(a),
        )
        return None if answer == "-" else replace(account, ca_file=os.path.expanduser(answer))
    if isinstance(exc, WrongTlsMode) and not opts.tls:
        tls = "ssl" if exc.speaks == "ssl" else "starttls"
        if prompt.yes(f'Use tls = "{tls}" instead?', default=True):
            return replace(account, tls=tls)
    return None
