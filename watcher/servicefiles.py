"""Running the watcher as a per-user service: a systemd user unit (Linux) or launchd agent (macOS).

The files hold only the command line and paths, never a secret: the service finds its password
the way the command line does (keyring, password command). Writing the file is all install
does; starting it is one command the user runs, printed for them.
"""

from __future__ import annotations

import logging
import os
import plistlib
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from watcher import files
from watcher.errors import ConfigError

log = logging.getLogger(__name__)

SERVICE_NAME = "feedback-watcher"
UNIT_NAME = f"{SERVICE_NAME}.service"
LAUNCHD_LABEL = f"local.{SERVICE_NAME}"  # "local." is the convention for agents without a domain
RESTART_SEC = 30
# Five failed starts in ten minutes is a crash loop (a bug, a broken install), not a network
# blip (the daemon rides those out itself): systemd then stops retrying until the user acts.
START_LIMIT_INTERVAL_SEC = 600
START_LIMIT_BURST = 5
CONFIG_MISTAKE_EXIT = 2  # a wrong setting will not fix itself by restarting

Runner = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class ServiceFile:
    """A service definition and where it goes."""

    kind: str  # "systemd" or "launchd"
    path: Path
    text: str
    log_file: Path | None = None  # launchd only: systemd logs to the journal


def command_line(python: str, config_path: Path | None, data_dir: Path | None) -> list[str]:
    """The daemon's argv: this Python running ``-m watcher run``, with the paths given."""
    # abspath, not resolve(): a virtualenv's python is a symlink whose target has no packages.
    argv = [os.path.abspath(python), "-m", "watcher"]
    if config_path is not None:
        argv += ["--config", str(Path(config_path).expanduser().absolute())]
    if data_dir is not None:
        argv += ["--data-dir", str(Path(data_dir).expanduser().absolute())]
    return argv + ["run"]


_PLAIN_ARG = re.compile(r"[\w@%+=:,./$-]+")


def systemd_quote(arg: str) -> str:
    """One ExecStart argument: %-specifiers and $-variables escaped, quoted when needed."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and _PLAIN_ARG.fullmatch(arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def systemd_unit(argv: Sequence[str]) -> str:
    """The text of the systemd user unit."""
    return f"""\
# Written by 'feedback-watcher install-service'; remove with 'feedback-watcher uninstall-service'.
# No secrets here: the service reads its password from the system keyring or the
# password_command in the configuration, as the command line does.
[Unit]
Description=feedback-watcher: answers to your interview-feedback requests
StartLimitIntervalSec={START_LIMIT_INTERVAL_SEC}
StartLimitBurst={START_LIMIT_BURST}

[Service]
Type=simple
ExecStart={" ".join(systemd_quote(a) for a in argv)}
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec={RESTART_SEC}
RestartPreventExitStatus={CONFIG_MISTAKE_EXIT}
Environment=PYTHONUNBUFFERED=1

[Install]
WantedBy=default.target
"""


def launchd_plist(argv: Sequence[str], log_file: Path) -> str:
    """The text of the launchd agent."""
    return plistlib.dumps(
        {
            "Label": LAUNCHD_LABEL,
            "ProgramArguments": list(argv),
            "RunAtLoad": True,
            "KeepAlive": {
                "SuccessfulExit": False
            },  # restart after a failure, not after a clean stop
            "ThrottleInterval": RESTART_SEC,
            "ProcessType": "Background",
            "StandardOutPath": str(log_file),
            "StandardErrorPath": str(log_file),
            "EnvironmentVariables": {"PYTHONUNBUFFERED": "1"},
        }
    ).decode()


def _kind(platform: str) -> str:
    if platform.startswith("linux"):
        return "systemd"
    if platform == "darwin":
        return "launchd"
    raise ConfigError(
        f"install-service knows systemd (Linux) and launchd (macOS), not {platform}; "
        "start 'feedback-watcher run' at login with your system's own scheduler"
    )


def service_path(platform: str, home: Path) -> Path:
    """Where the service file lives for this user."""
    if _kind(platform) == "systemd":
        # Always in the user unit search path, whatever XDG_CONFIG_HOME says.
        return home / ".config" / "systemd" / "user" / UNIT_NAME
    return home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"


def service_file(
    platform: str,
    home: Path,
    python: str,
    config_path: Path | None,
    data_dir: Path | None,
    log_dir: Path,
) -> ServiceFile:
    """The service definition for this platform (nothing is written)."""
    argv = command_line(python, config_path, data_dir)
    path = service_path(platform, home)
    if _kind(platform) == "systemd":
        return ServiceFile("systemd", path, systemd_unit(argv))
    log_file = Path(log_dir).expanduser().absolute() / "service.log"
    return ServiceFile("launchd", path, launchd_plist(argv, log_file), log_file)


def write(sf: ServiceFile) -> bool:
    """Write the file atomically, mode 0644 as service managers expect; True if one was replaced."""
    sf.path.parent.mkdir(parents=True, exist_ok=True)
    existed = sf.path.exists()
    files.write_text(sf.path, sf.text, mode=0o644)
    if sf.log_file is not None:
        # launchd does not create the log's folder; it must exist before the agent starts.
        sf.log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return existed


def _run(argv: Sequence[str]) -> int:
    try:
        return subprocess.run(list(argv), capture_output=True, timeout=30, check=False).returncode
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("%s failed: %s", argv[0], exc)
        return 127


def systemd_user_session(run: Runner = _run) -> bool:
    """True when a systemd user manager answers for this user (not in most containers)."""
    return run(["systemctl", "--user", "show-environment"]) == 0


def start_instructions(sf: ServiceFile, session: bool) -> str:
    """How to start, stop and follow the service, for the user to run."""
    if sf.kind == "systemd":
        lines = [
            f"Start it now and at every login:  systemctl --user daemon-reload && "
            f"systemctl --user enable --now {SERVICE_NAME}",
            f"Stop it:                          systemctl --user disable --now {SERVICE_NAME}",
            f"Is it running?                    systemctl --user status {SERVICE_NAME}",
            f"Read its log:                     journalctl --user -u {SERVICE_NAME} -f",
        ]
        if not session:
            lines.append(
                "No systemd user session is running here (a container, or an ssh login "
                "without one), so nothing was started: the file is in place for the commands "
                "above once you are logged in to a normal session."
            )
        return "\n".join(lines)
    target = "gui/$(id -u)"
    # Quoted: macOS data directories sit in "Application Support".
    plist = shlex.quote(str(sf.path))
    logs = shlex.quote(str(sf.log_file.parent)) if sf.log_file else "<data-dir>/logs"
    return "\n".join(
        [
            f"Start it now and at every login:  launchctl bootstrap {target} {plist}",
            f"Stop it:                          launchctl bootout {target}/{LAUNCHD_LABEL}",
            f"Is it running?                    launchctl print {target}/{LAUNCHD_LABEL}",
            f"Read its log:                     tail -f {logs}/*.log",
        ]
    )


def real_home() -> Path:
    """The home directory the service manager reads, whatever $HOME says (tests change it)."""
    import pwd

    return Path(pwd.getpwuid(os.getuid()).pw_dir)


def uninstall(platform: str, home: Path, run: Runner = _run, manage: bool = True) -> Path | None:
    """Stop the service (when ``manage``) and remove its file; the removed path, or None.

    ``manage`` lets the service manager be told; it is only right for the user's real home,
    since the manager never reads unit files anywhere else.
    """
    path = service_path(platform, home)
    live = False
    if manage and _kind(platform) == "systemd":
        live = systemd_user_session(run)
        if live:
            # Stop before removing: systemd keeps running a unit whose file is gone.
            run(["systemctl", "--user", "disable", "--now", UNIT_NAME])
    elif manage and shutil.which("launchctl"):
        run(["launchctl", "bootout", f"gui/{os.getuid()}/{LAUNCHD_LABEL}"])
    if not path.exists():
        return None
    path.unlink()
    if live:
        run(["systemctl", "--user", "daemon-reload"])
    return path
