"""The first-run setup: scripted flags and scripted answers, against a real Dovecot."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from watcher.cli import main
from watcher.config import Account, load_config, parse_config
from watcher.errors import ConfigError, CredentialError
from watcher.providers import PROVIDERS, guess_provider, provider
from watcher.setup_wizard import Prompter, SetupOptions, config_text, run_setup

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class Script:
    """Answers questions in order, and keeps what was asked and said."""

    def __init__(self, *answers: str, passwords: tuple[str, ...] = ()) -> None:
        self.answers, self.passwords = list(answers), list(passwords)
        self.asked: list[str] = []
        self.said: list[str] = []

    def ask(self, question: str) -> str:
        self.asked.append(question)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def secret(self, question: str) -> str:
        self.asked.append(question)
        if not self.passwords:
            raise EOFError
        return self.passwords.pop(0)

    @property
    def prompter(self) -> Prompter:
        return Prompter(self.ask, self.secret, self.said.append)

    @property
    def output(self) -> str:
        return "\n".join(self.said)


class Keyring:
    """Stands in for the system keyring, which tests must never write to."""

    def __init__(self, usable: bool = True) -> None:
        self.saved: list[tuple[Account, str]] = []
        self._usable = usable

    def usable(self) -> bool:
        return self._usable

    def store(self, account: Account, password: str) -> None:
        self.saved.append((account, password))


def _flags(mb) -> list[str]:
    return [
        "setup",
        "--host",
        "127.0.0.1",
        "--port",
        str(mb.server.port),
        "--tls",
        "none",
        "--username",
        mb.user,
        "--password-env",
        "FW_TEST_PASSWORD",
        "--address",
        mb.address,
        "--address",
        "Sam.Alias@Other.example",
    ]


@pytest.mark.dovecot
def test_scripted_setup_tests_the_login_and_writes_a_private_config(mailbox, tmp_path, capsys):
    path = tmp_path / "new" / "config.toml"
    assert main(["--config", str(path), *_flags(mailbox)], mailbox.environ) == 0
    out = capsys.readouterr().out
    watching = next(line for line in out.splitlines() if line.startswith("Connected."))
    assert watching.startswith("Connected. Watching 3 folders: INBOX, Sent, Archive")
    assert "Drafts" not in watching and "Trash" not in watching and "Junk" not in watching
    assert f"Configuration written to {path}" in out and f"--config {path} sync" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    account = load_config(path).accounts[0]
    assert (account.host, account.port, account.tls, account.username) == (
        "127.0.0.1",
        mailbox.server.port,
        "none",
        mailbox.user,
    )
    assert account.password_env == "FW_TEST_PASSWORD" and account.name == "personal"
    assert account.addresses == (mailbox.address, "sam.alias@other.example")
    assert "correct-horse" not in path.read_text()

    # The file is never replaced by accident; --force replaces it.
    before = path.read_text()
    assert main(["--config", str(path), *_flags(mailbox), "--name", "work"], mailbox.environ) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert path.read_text() == before
    assert (
        main(
            ["--config", str(path), *_flags(mailbox), "--name", "work", "--force"], mailbox.environ
        )
        == 0
    )
    assert load_config(path).accounts[0].name == "work"


@pytest.mark.dovecot
def test_a_refused_login_writes_nothing(mailbox, tmp_path, capsys):
    path = tmp_path / "config.new.toml"
    code = main(["--config", str(path), *_flags(mailbox)], {"FW_TEST_PASSWORD": "wrong"})
    assert code == CredentialError.exit_code
    assert "refused the login" in capsys.readouterr().err and not path.exists()


def test_no_test_writes_a_preset_without_touching_the_network(tmp_path, capsys):
    path = tmp_path / "config.toml"
    code = main(
        [
            "--config",
            str(path),
            "setup",
            "--provider",
            "gmail",
            "--username",
            "Sam@Gmail.com",
            "--password-command",
            "pass show mail/gmail",
            "--no-test",
        ],
        {},
    )
    assert code == 0, capsys.readouterr().err
    account = load_config(path).accounts[0]
    assert (account.host, account.port, account.tls) == ("imap.gmail.com", 993, "ssl")
    assert account.password_command == "pass show mail/gmail"
    assert account.addresses == ("sam@gmail.com",)


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (
            ["--provider", "gmail", "--username", "a@gmail.com", "--no-test"],
            "--password-command, --password-env or --oauth2-token-command is needed",
        ),
        (
            ["--provider", "custom", "--username", "a@x.example", "--password-env", "X"],
            "--host is needed",
        ),
        (["--username", "a@x.example", "--password-env", "X"], "--provider or --host is needed"),
        (["--provider", "fastmail", "--password-env", "X"], "--username is needed"),
        (
            ["--provider", "proton", "--username", "a@proton.me", "--password-env", "X"],
            "--ca-file is needed",
        ),
        (
            ["--provider", "icloud", "--username", "sam", "--password-env", "X"],
            "--address is needed",
        ),
        (
            [
                "--host",
                "mail.example.org",
                "--tls",
                "none",
                "--username",
                "a",
                "--address",
                "a@example.org",
                "--password-env",
                "X",
                "--no-test",
            ],
            "only allowed for 127.0.0.1 or localhost",
        ),
    ],
)
def test_scripts_get_one_line_naming_the_missing_flag(tmp_path, capsys, argv, complaint):
    path = tmp_path / "config.toml"
    assert main(["--config", str(path), "setup", *argv], {}) == 2
    err = capsys.readouterr().err
    assert complaint in err and len(err.strip().splitlines()) == 1
    assert not path.exists()


@pytest.mark.dovecot
def test_interactive_setup_with_a_typed_password_goes_to_the_keyring(mailbox, tmp_path):
    path = tmp_path / "wizard.toml"
    script = Script(
        mailbox.address,  # your email address
        "7",  # provider: custom
        "127.0.0.1",  # server
        "nonsense",
        "3",  # encryption: asked again, then "none" (offered for localhost)
        "",  # port: the default for no encryption, 143
        mailbox.user,  # username
        "Sam@Work.example",  # other addresses
        "",  # how to get the password: the keyring (default)
        "home",  # account name
        passwords=("", "correct-horse-battery"),
    )  # an empty one is asked again
    keyring = Keyring()
    opts = SetupOptions(interactive=True, port=mailbox.server.port)
    result = run_setup(opts, path, {}, script.prompter, keyring=keyring)
    assert [f.name for f in result.folders][:2] == ["INBOX", "Sent"]
    assert "answer a number from 1 to 3" in script.output
    assert "Connected. Watching 3 folders" in script.output
    assert "Password saved in the system keyring." in script.output
    assert keyring.saved == [(result.account, "correct-horse-battery")]
    account = load_config(path).accounts[0]
    assert account == result.account and account.name == "home"
    assert account.addresses == (mailbox.address, "sam@work.example")
    assert not (account.password_command or account.password_env or account.oauth2_token_command)
    text = path.read_text()
    assert "correct-horse" not in text and "in the system keyring" in text


def _custom(mailbox, encryption: str, *after_test: str) -> Script:
    return Script(
        mailbox.address,  # your email address
        "7",  # provider: custom
        "127.0.0.1",  # server
        encryption,  # 1 ssl, 2 starttls
        mailbox.user,  # username
        "-",  # no other addresses
        "",  # the password: typed, into the keyring
        "home",  # account name
        *after_test,
        passwords=("correct-horse-battery",),
    )


@pytest.mark.dovecot
def test_interactive_setup_asks_for_the_ca_file_of_an_untrusted_server(mailbox, tmp_path):
    path = tmp_path / "wizard.toml"
    ca = str(mailbox.server.cert_file)
    script = _custom(mailbox, "2", "/no/such/file.pem", ca)  # a wrong path is asked again
    opts = SetupOptions(interactive=True, port=mailbox.server.port)
    result = run_setup(opts, path, {}, script.prompter, keyring=Keyring())
    assert "is not trusted" in script.output and "no such file: /no/such/file.pem" in script.output
    assert "Connected. Watching 3 folders" in script.output
    assert result.account.ca_file == ca and load_config(path).accounts[0].ca_file == ca


@pytest.mark.dovecot
def test_interactive_setup_offers_the_tls_mode_the_port_speaks(mailbox, tmp_path):
    path = tmp_path / "wizard.toml"
    script = _custom(mailbox, "2", "")  # STARTTLS against the TLS port; then yes, switch
    opts = SetupOptions(
        interactive=True, port=mailbox.server.ssl_port, ca_file=str(mailbox.server.cert_file)
    )
    result = run_setup(opts, path, {}, script.prompter, keyring=Keyring())
    assert 'speaks TLS directly: use tls = "ssl"' in script.output
    assert 'Use tls = "ssl" instead? [y]: ' in script.asked
    assert result.account.tls == "ssl" and load_config(path).accounts[0].tls == "ssl"


def test_interactive_gmail_is_guessed_from_the_address_and_says_what_it_needs(tmp_path):
    script = Script("sam@gmail.com", "", "", "-", "2", "pass show google", "")
    result = run_setup(
        SetupOptions(interactive=True, test=False),
        tmp_path / "c.toml",
        {},
        script.prompter,
        keyring=Keyring(),
    )
    assert "Choose [1]: " in script.asked  # Gmail, guessed, is the default
    assert "app password" in script.output
    assert "Username (your full email address) [sam@gmail.com]: " in script.asked
    account = result.account
    assert (account.host, account.username, account.password_command) == (
        "imap.gmail.com",
        "sam@gmail.com",
        "pass show google",
    )


def test_interactive_outlook_suggests_oauth2(tmp_path):
    script = Script("sam@outlook.com", "", "", "-", "", "oama access sam@outlook.com", "")
    result = run_setup(
        SetupOptions(interactive=True, test=False),
        tmp_path / "c.toml",
        {},
        script.prompter,
        keyring=Keyring(),
    )
    assert "OAuth2" in script.output
    assert result.account.host == "outlook.office365.com"
    assert result.account.oauth2_token_command == "oama access sam@outlook.com"


def test_without_a_system_keyring_another_way_is_asked_for(tmp_path):
    script = Script("sam@fastmail.com", "", "", "-", "1", "", "pass show fm", "")
    result = run_setup(
        SetupOptions(interactive=True, test=False),
        tmp_path / "c.toml",
        {},
        script.prompter,
        keyring=Keyring(usable=False),
    )
    assert "There is no system keyring on this computer" in script.output
    assert "Choose [2]: " in script.asked  # the command, not the keyring, is the default
    assert result.account.password_command == "pass show fm"


def test_a_failed_test_asks_before_saving(tmp_path):
    # Port 9 on localhost: nothing listens, the connection is refused.
    answers = ("me@x.example", "7", "127.0.0.1", "3", "9", "me", "-", "2", "echo pw", "")
    refused = Script(*answers, "n")
    with pytest.raises(Exception, match="cannot connect"):
        run_setup(SetupOptions(interactive=True), tmp_path / "c.toml", {}, refused.prompter)
    assert not (tmp_path / "c.toml").exists()
    kept = Script(*answers, "y")
    run_setup(SetupOptions(interactive=True), tmp_path / "c.toml", {}, kept.prompter)
    assert load_config(tmp_path / "c.toml").accounts[0].port == 9


def test_running_out_of_answers_is_a_one_line_error(tmp_path):
    with pytest.raises(ConfigError, match="ran out of answers"):
        run_setup(SetupOptions(interactive=True), tmp_path / "c.toml", {}, Script().prompter)


def test_config_text_round_trips_awkward_values():
    account = Account(
        name='work "main"',
        host="imap.example.org",
        username="sam\\x",
        password_command="pass show 'mail/é' | head -1\x7f",
        port=993,
        addresses=("sam@example.org", "ü@example.org"),
    )
    parsed = parse_config(tomllib.loads(config_text(account))).accounts[0]
    assert parsed == account


def test_every_preset_is_a_valid_account_and_says_what_it_needs():
    for p in PROVIDERS:
        assert len(p.needs) > 40
        if p.host:
            table = {
                "name": p.key,
                "host": p.host,
                "port": p.port,
                "tls": p.tls,
                "username": "me@example.org",
            }
            assert parse_config({"accounts": [table]}).accounts[0].port == p.port
    assert guess_provider("Sam@GoogleMail.com") == provider("gmail")
    assert guess_provider("sam@pm.me").port == 1143
    assert guess_provider("sam@example.org") is None
    assert provider("outlook").host == "outlook.office365.com"
    assert provider("icloud").host == "imap.mail.me.com"
    with pytest.raises(KeyError, match="choose one of"):
        provider("aol")


def test_setup_help_names_every_script_flag(capsys):
    with pytest.raises(SystemExit):
        main(["setup", "--help"], {})
    out = capsys.readouterr().out
    for flag in (
        "--provider",
        "--host",
        "--port",
        "--tls",
        "--username",
        "--password-command",
        "--password-env",
        "--oauth2-token-command",
        "--address",
        "--no-test",
        "--force",
    ):
        assert flag in out


def test_readme_documents_the_new_commands():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for command in ("setup", "install-service", "uninstall-service"):
        assert f"`feedback-watcher {command}" in readme
    assert "## Running it as a service" in readme and "## Setting up Gmail" in readme
