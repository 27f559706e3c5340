"""The configuration file: accepted forms and one-line errors."""

from __future__ import annotations

import os
from datetime import time

import pytest

from watcher.cli import main
from watcher.config import load_config, parse_config
from watcher.errors import ConfigError

BASE = {"accounts": [{"name": "p", "host": "imap.example.com", "username": "me@example.com"}]}


def test_defaults_and_full_example(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("""
lookback_days = 90
digest_time = "07:30"
[followup]
business_days = 4
[[accounts]]
name = "personal"
host = "imap.example.com"
port = 993
tls = "ssl"
username = "Me@Example.com"
password_command = "pass show mail/me"
addresses = ["me@example.com", "Me.Alias@example.org"]
""")
    cfg = load_config(path)
    acc = cfg.accounts[0]
    assert cfg.lookback_days == 90 and cfg.digest_time == time(7, 30)
    assert cfg.followup.business_days == 4 and cfg.followup.max_asks == 3
    assert acc.own_addresses == {"me@example.com", "me.alias@example.org"}
    assert acc.password_command == "pass show mail/me"


def test_addresses_default_to_username():
    cfg = parse_config(BASE)
    assert cfg.accounts[0].own_addresses == {"me@example.com"}
    assert cfg.accounts[0].port == 993


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"tls": "tls1.3"}, "tls must be one of ssl, starttls, none"),
        ({"tls": "none"}, "only allowed for 127.0.0.1 or localhost"),
        ({"port": "993"}, "port must be a whole number"),
        ({"port": 0}, "port must be between 1 and 65535"),
        ({"password": "hunter2"}, "passwords do not belong in the config file"),
        ({"hots": "x"}, "unknown setting accounts[p].hots"),
        ({"addresses": "me@example.com"}, "addresses must be a list"),
        ({"password_env": "A", "password_command": "b"}, "set only one of"),
    ],
)
def test_account_mistakes_name_the_key(change, expected):
    data = {"accounts": [{**BASE["accounts"][0], **change}]}
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace("(", r"\(")):
        parse_config(data)


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"lookback_days": -1}, "lookback_days must be between"),
        ({"digest_time": "8am"}, "digest_time must look like"),
        ({"accounts": [{"host": "x"}]}, "host is missing" if False else "username is missing"),
        ({"poll_minutes": True}, "poll_minutes must be a whole number, not true/false"),
        ({"followup": {"max_asks": 0}}, "followup.max_asks must be between 1 and 10"),
    ],
)
def test_top_level_mistakes(data, expected):
    with pytest.raises(ConfigError, match=expected):
        parse_config(data)


def test_tls_none_allowed_on_loopback():
    acc = parse_config(
        {"accounts": [{**BASE["accounts"][0], "host": "127.0.0.1", "tls": "none"}]}
    ).accounts[0]
    assert acc.port == 143


def test_cli_reports_bad_toml_in_one_line_with_exit_2(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text("lookback_days = = 3\n")
    os.chmod(path, 0o600)
    assert main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "status"], {}) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not valid TOML" in err


def test_cli_missing_config_says_what_to_do(tmp_path, capsys):
    argv = ["--config", str(tmp_path / "nope.toml"), "--data-dir", str(tmp_path), "status"]
    code = main(argv, {})
    assert code == 2
    assert "feedback-watcher setup" in capsys.readouterr().err


def test_env_overrides_paths(tmp_path, capsys):
    path = tmp_path / "env.toml"
    path.write_text("lookback_days = 3\n")
    os.chmod(path, 0o600)
    env = {"FEEDBACK_WATCHER_CONFIG": str(path), "FEEDBACK_WATCHER_DATA_DIR": str(tmp_path / "dd")}
    assert main(["status"], env) == 0
    assert (tmp_path / "dd").stat().st_mode & 0o777 == 0o700


def test_world_readable_config_warns(tmp_path, caplog):
    path = tmp_path / "c.toml"
    path.write_text("lookback_days = 3\n")
    os.chmod(path, 0o644)
    assert main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "status"], {}) == 0
    assert "readable by other users" in caplog.text
