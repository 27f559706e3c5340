"""The systemd user unit and launchd agent: contents, verification, install and uninstall."""

from __future__ import annotations

import configparser
import plistlib
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from watcher.cli import main
from watcher.errors import ConfigError
from watcher.servicefiles import (
    LAUNCHD_LABEL,
    service_file,
    service_path,
    start_instructions,
    systemd_quote,
    systemd_user_session,
    uninstall,
    write,
)

PY = sys.executable


def _unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(text)
    return parser


def _exec_argv(exec_start: str) -> list[str]:
    # systemd's quoting is shell-like for what we write; %% and $$ are its own escapes.
    return [a.replace("%%", "%").replace("$$", "$") for a in shlex.split(exec_start)]


def test_systemd_unit_runs_this_python_with_the_given_paths(tmp_path):
    config = tmp_path / "my config" / "c%1$x.toml"  # a space, a %-specifier, a $-variable
    sf = service_file("linux", tmp_path, PY, config, tmp_path / "data", tmp_path / "logs")
    assert sf.kind == "systemd"
    assert sf.path == tmp_path / ".config/systemd/user/feedback-watcher.service"
    unit = _unit(sf.text)
    service = unit["Service"]
    assert _exec_argv(service["ExecStart"]) == [
        PY,
        "-m",
        "watcher",
        "--config",
        str(config),
        "--data-dir",
        str(tmp_path / "data"),
        "run",
    ]
    assert service["Restart"] == "on-failure" and service["RestartSec"] == "30"
    assert service["RestartPreventExitStatus"] == "2"
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"  # SIGHUP reloads the config
    limits = unit["Unit"]
    interval, burst = int(limits["StartLimitIntervalSec"]), int(limits["StartLimitBurst"])
    assert 3 <= burst <= 10 and interval >= burst * int(service["RestartSec"])
    assert unit["Install"]["WantedBy"] == "default.target"
    assert "%1" not in service["ExecStart"].replace("%%", "")


def test_paths_only_when_given():
    sf = service_file("linux", Path("/home/sam"), PY, None, None, Path("/x/logs"))
    assert _exec_argv(_unit(sf.text)["Service"]["ExecStart"]) == [PY, "-m", "watcher", "run"]


def test_systemd_quote_leaves_plain_paths_alone():
    assert systemd_quote("/usr/bin/python3.11") == "/usr/bin/python3.11"
    assert systemd_quote("a b") == '"a b"'
    assert systemd_quote('say "x"\\') == '"say \\"x\\"\\\\"'
    assert systemd_quote("50%") == "50%%" and systemd_quote("$HOME") == "$$HOME"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(tmp_path):
    sf = service_file(
        "linux", tmp_path, PY, tmp_path / "a b.toml", tmp_path / "data", tmp_path / "logs"
    )
    write(sf)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(sf.path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if sf.path.name in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


def test_launchd_agent_restarts_on_failure_and_logs_to_the_data_dir(tmp_path):
    sf = service_file("darwin", tmp_path, PY, None, tmp_path / "data", tmp_path / "data" / "logs")
    assert sf.path == tmp_path / "Library/LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
    plist = plistlib.loads(sf.text.encode())
    assert plist["Label"] == LAUNCHD_LABEL
    assert plist["ProgramArguments"] == [
        PY,
        "-m",
        "watcher",
        "--data-dir",
        str(tmp_path / "data"),
        "run",
    ]
    assert plist["KeepAlive"] == {"SuccessfulExit": False} and plist["RunAtLoad"] is True
    assert plist["StandardErrorPath"] == str(tmp_path / "data" / "logs" / "service.log")
    assert plist["ThrottleInterval"] >= 10
    write(sf)
    assert (tmp_path / "data" / "logs").is_dir()  # launchd will not create it


def test_launchd_instructions_survive_a_space_in_the_path(tmp_path):
    logs = tmp_path / "Library" / "Application Support" / "feedback-watcher" / "logs"
    sf = service_file("darwin", tmp_path, PY, None, None, logs)
    text = start_instructions(sf, True)
    assert f"launchctl bootstrap gui/$(id -u) {sf.path}" in text
    assert f"tail -f '{logs}'/*.log" in text


def test_other_platforms_are_told_what_to_do():
    with pytest.raises(ConfigError, match="systemd .* launchd"):
        service_path("win32", Path("/x"))


class Runner:
    def __init__(self, session: bool) -> None:
        self.session = session
        self.calls: list[list[str]] = []

    def __call__(self, argv):
        self.calls.append(list(argv))
        return 0 if self.session or "show-environment" not in argv else 1


def test_uninstall_stops_a_running_unit_before_removing_it(tmp_path):
    sf = service_file("linux", tmp_path, PY, None, None, tmp_path)
    write(sf)
    run = Runner(session=True)
    assert uninstall("linux", tmp_path, run) == sf.path and not sf.path.exists()
    assert run.calls == [
        ["systemctl", "--user", "show-environment"],
        ["systemctl", "--user", "disable", "--now", "feedback-watcher.service"],
        ["systemctl", "--user", "daemon-reload"],
    ]
    assert uninstall("linux", tmp_path, Runner(session=False)) is None


def test_uninstall_without_manage_never_talks_to_the_service_manager(tmp_path):
    write(service_file("linux", tmp_path, PY, None, None, tmp_path))
    run = Runner(session=True)
    assert uninstall("linux", tmp_path, run, manage=False) is not None
    assert run.calls == []


def test_session_probe_is_false_without_systemctl():
    assert systemd_user_session(lambda argv: 127) is False


@pytest.fixture
def linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")


def test_cli_install_writes_the_unit_and_says_how_to_run_it(tmp_path, capsys, linux):
    home = tmp_path / "home"
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[[accounts]]\nname = "p"\nhost = "127.0.0.1"\ntls = "none"\n'
        'username = "sam"\npassword_env = "FW_SECRET"\n'
    )
    cfg.chmod(0o600)
    environ = {"HOME": str(home), "FW_SECRET": "hunter2-secret"}
    argv = ["--config", str(cfg), "--data-dir", str(tmp_path / "data"), "install-service"]
    assert main(argv, environ) == 0
    out = capsys.readouterr().out
    path = home / ".config/systemd/user/feedback-watcher.service"
    text = path.read_text()
    assert "hunter2-secret" not in text and "FW_SECRET" not in text
    assert _exec_argv(_unit(text)["Service"]["ExecStart"])[-5:] == [
        "--config",
        str(cfg),
        "--data-dir",
        str(tmp_path / "data"),
        "run",
    ]
    assert f"Wrote {path}" in out
    assert "systemctl --user enable --now feedback-watcher" in out
    assert "journalctl --user -u feedback-watcher" in out
    assert "reads its password from $FW_SECRET" in out  # a service does not inherit it
    if not systemd_user_session():
        assert "No systemd user session is running here" in out

    assert main(argv, environ) == 0
    assert f"Replaced {path}" in capsys.readouterr().out

    assert main(["uninstall-service"], environ) == 0
    assert f"Removed {path}." in capsys.readouterr().out and not path.exists()
    assert main(["uninstall-service"], environ) == 0
    assert "nothing to remove" in capsys.readouterr().out


def test_cli_print_shows_the_unit_and_writes_nothing(tmp_path, capsys, linux):
    environ = {"HOME": str(tmp_path)}
    assert (
        main(["--config", str(tmp_path / "none.toml"), "install-service", "--print"], environ) == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("# Written by 'feedback-watcher install-service'")
    assert "[Service]" in out and not (tmp_path / ".config").exists()


def test_cli_install_before_setup_says_so(tmp_path, capsys, linux):
    environ = {"HOME": str(tmp_path)}
    assert main(["--config", str(tmp_path / "none.toml"), "install-service"], environ) == 0
    assert "run 'feedback-watcher setup' before starting" in capsys.readouterr().out
