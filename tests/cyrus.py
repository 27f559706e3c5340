"""A throwaway Cyrus IMAP server for tests, run from Debian's packages without installing them.

``cyrus-imapd`` conflicts with ``dovecot-imapd``, which the other tests need, so ``prepare()``
downloads the .deb files with ``apt-get download`` (Cyrus's two packages and every library
package they need that is not installed, following Depends) and unpacks them with
``dpkg-deb -x`` into a cache directory, once. The binaries run from there with
LD_LIBRARY_PATH pointing at the unpacked libraries; ``ldd`` checks that nothing is missing.

Each server gets its own imapd.conf, cyrus.conf, spool and port in a temp dir. Any password
logs in (``sasl_pwcheck_method: alwaystrue``): each test gets a fresh user, created by the
admin as Cyrus administrators do (``CREATE user.<name>``). Two namespace layouts:

- ``classic``: Debian's shipped imapd.conf (``altnamespace: no``, ``unixhierarchysep: no``):
  a user's folders sit below INBOX with "." between levels, ``INBOX.Jobs.Quanta Pay``;
- ``unix``: Cyrus 3's upstream default (both ``yes``): ``Jobs/Quanta Pay``, as on Dovecot.

Tests name folders with "/" as on Dovecot ("Jobs/Quanta Pay"); ``CyrusServer.folder`` gives the
name the server uses. Cyrus logs to syslog only, which a container often lacks; for a user
whose ``telemetry`` is on, imapd writes the whole IMAP conversation to
``<configdirectory>/log/<user>/``, which is what a failing test shows.

    python3 tests/cyrus.py prepare [--check]   # download and unpack (CI does this first)
"""

from __future__ import annotations

import fcntl
import grp
import imaplib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from dovecot import read_flags

PACKAGES = ("cyrus-common", "cyrus-imapd")
BINARIES = ("master", "imapd", "ctl_cyrusdb")  # what a test server runs; ldd checks these
USER = "jobseeker"
PASSWORD = "correct-horse-battery"  # any password logs in; tests use this one
ADMIN = "cyrusadmin"
LAYOUTS = ("classic", "unix")
# Created in every account with its RFC 6154 flag, as tests/dovecot.py does.
SPECIAL_FOLDERS = {
    "Sent": "\\Sent",
    "Drafts": "\\Drafts",
    "Trash": "\\Trash",
    "Junk": "\\Junk",
    "Archive": "\\Archive",
}


def cache_dir() -> Path:
    """Where the unpacked packages live: $FW_CYRUS_CACHE, else a system or user cache dir."""
    if os.environ.get("FW_CYRUS_CACHE"):
        return Path(os.environ["FW_CYRUS_CACHE"])
    if os.geteuid() == 0:
        return Path("/var/cache/feedback-watcher-tests/cyrus")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "feedback-watcher-tests" / "cyrus"


class Availability(NamedTuple):
    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class Install:
    """Unpacked packages: the tree, the library dirs, and what was unpacked."""

    root: Path
    lib_dirs: tuple[Path, ...]
    packages: dict[str, str]  # name to version

    @property
    def bin_dir(self) -> Path:
        return self.root / "usr" / "lib" / "cyrus" / "bin"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        paths = [str(p) for p in self.lib_dirs]
        if env.get("LD_LIBRARY_PATH"):
            paths.append(env["LD_LIBRARY_PATH"])
        env["LD_LIBRARY_PATH"] = ":".join(paths)
        return env

    def missing_libraries(self) -> list[str]:
        """Shared objects the binaries need that neither the system nor the tree has."""
        missing = set()
        for name in BINARIES:
            path = self.bin_dir / name
            if not path.exists():
                missing.add(f"{name} (the binary itself)")
                continue
            out = subprocess.run(
                ["ldd", str(path)], env=self.env(), capture_output=True, text=True
            ).stdout
            missing |= set(re.findall(r"^\s*(\S+) => not found", out, re.M))
        return sorted(missing)


class PrepareError(RuntimeError):
    pass


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True)


def _installed() -> set[str]:
    """Installed package names, and the names they provide."""
    out = _run(["dpkg-query", "-W", "-f", "${Package}\t${db:Status-Abbrev}\t${Provides}\n"])
    names = set()
    for line in out.stdout.splitlines():
        name, status, provides = (line.split("\t") + ["", ""])[:3]
        if status.startswith("ii"):
            names.add(name)
            names |= {p.split("(")[0].strip() for p in provides.split(",") if p.strip()}
    return names


def _depends(deb: Path) -> list[list[str]]:
    """A .deb's Pre-Depends and Depends: a list of alternatives per dependency."""
    groups = []
    for fieldname in ("Pre-Depends", "Depends"):
        value = _run(["dpkg-deb", "-f", str(deb), fieldname]).stdout
        for group in value.replace("\n", " ").split(","):
            alts = [re.sub(r"\(.*?\)|\[.*?\]|:\w+", "", a).strip() for a in group.split("|")]
            if alts and alts[0]:
                groups.append(alts)
    return groups


def _download(names: list[str], into: Path) -> dict[str, str]:
    """``apt-get download`` each name; those it could not fetch, with apt's complaint."""
    if not names:
        return {}
    argv = ["apt-get", "download", "-q", "-o", "Acquire::Retries=3"]
    if os.geteuid() == 0:
        argv += ["-o", "APT::Sandbox::User=root"]  # else apt warns it cannot drop to _apt
    if _run(argv + names, cwd=into).returncode == 0:
        return {}
    failed = {}
    for name in names:
        done = _run(argv + [name], cwd=into)
        if done.returncode != 0:
            failed[name] = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return failed


# The C library comes with every Debian and must match the system's dynamic loader.
NEVER_UNPACKED = frozenset({"libc6"})


def _needs_following(name: str) -> bool:
    # Only library packages get linked; Perl modules are libraries of another kind.
    return name.startswith("lib") and not name.endswith("-perl") and name not in NEVER_UNPACKED


def _is_lib_dir(relative: Path) -> bool:
    """lib, usr/lib and their multiarch dirs (lib/x86_64-linux-gnu), not plugin dirs."""
    parts = relative.parts[1:] if relative.parts[:1] == ("usr",) else relative.parts
    return parts[:1] == ("lib",) and (len(parts) == 1 or (len(parts) == 2 and "-" in parts[1]))


def _fetch_debs(into: Path) -> list[Path]:
    """Cyrus's packages and, transitively, the library packages they need that are missing."""
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        raise PrepareError("apt-get and dpkg-deb are needed: Cyrus comes from Debian's packages")
    failed = _download(list(PACKAGES), into)
    if failed:
        raise PrepareError(
            f"apt-get download {' '.join(sorted(failed))} failed "
            f"({'; '.join(sorted(set(failed.values())))}; no package lists? apt-get update)"
        )
    have = _installed()
    seen = set(PACKAGES)
    done: set[Path] = set()
    while True:
        new = sorted(set(into.glob("*.deb")) - done)
        if not new:
            break
        wanted: list[list[str]] = []
        for deb in new:
            done.add(deb)
            for alts in _depends(deb):
                if any(a in have or a in seen for a in alts):
                    continue
                if _needs_following(alts[0]):
                    wanted.append(alts)
                    seen.add(alts[0])
        failed = _download([alts[0] for alts in wanted], into)
        for alts in wanted:
            if alts[0] not in failed:
                continue
            for alt in alts[1:]:
                if not _download([alt], into):
                    seen.add(alt)
                    break
            else:
                raise PrepareError(f"cannot download any of {' | '.join(alts)} ({failed[alts[0]]})")
    return sorted(done)


def _load(root: Path) -> Install | None:
    stamp = root / "prepared.json"
    if not stamp.exists():
        return None
    data = json.loads(stamp.read_text())
    return Install(root, tuple(root / p for p in data["lib_dirs"]), data["packages"])


def prepare(cache: Path | None = None) -> Install:
    """Download and unpack Cyrus once into ``cache`` (see ``cache_dir``); later calls reuse it.

    Delete the directory to fetch again (after a Debian point release, say).
    """
    cache = cache or cache_dir()
    root = cache / "root"
    ready = _load(root)
    if ready:
        return ready
    cache.mkdir(parents=True, exist_ok=True)
    os.chmod(cache, 0o755)  # a root-run server drops to nobody, who reads the binaries here
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test sessions at once unpack once
        ready = _load(root)
        if ready:
            return ready
        work = Path(tempfile.mkdtemp(prefix="unpack-", dir=cache))
        try:
            (work / "debs").mkdir()
            debs = _fetch_debs(work / "debs")
            tree = work / "root"
            packages = {}
            for deb in debs:
                fields = _run(["dpkg-deb", "-f", str(deb), "Package", "Version"]).stdout
                info = dict(line.split(": ", 1) for line in fields.splitlines() if ": " in line)
                packages[info["Package"]] = info["Version"]
                done = _run(["dpkg-deb", "-x", str(deb), str(tree)])
                if done.returncode != 0:
                    raise PrepareError(f"dpkg-deb -x {deb.name} failed: {done.stderr.strip()}")
            found = {p.parent.relative_to(tree) for p in tree.rglob("lib*.so*")}
            lib_dirs = sorted((d for d in found if _is_lib_dir(d)), key=str)
            (tree / "prepared.json").write_text(
                json.dumps({"packages": packages, "lib_dirs": [str(d) for d in lib_dirs]}, indent=1)
            )
            install = _load(tree)
            assert install is not None
            missing = install.missing_libraries()
            if missing:
                raise PrepareError("Cyrus needs libraries no package gave: " + ", ".join(missing))
            os.chmod(tree, 0o755)
            tree.rename(root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    ready = _load(root)
    assert ready is not None
    return ready


_availability: Availability | None = None


def cyrus_available() -> Availability:
    """True once Cyrus is unpacked (preparing it on the first call), else False and why."""
    global _availability
    if _availability is None:
        try:
            install = prepare()
            missing = install.missing_libraries()
            _availability = Availability(
                not missing,
                f"Cyrus {install.packages.get('cyrus-imapd', '?')} in {install.root}"
                if not missing
                else f"libraries missing in {install.root}: {', '.join(missing)}",
            )
        except (OSError, PrepareError) as exc:
            _availability = Availability(False, f"Cyrus IMAP could not be prepared: {exc}")
    return _availability


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cyrus master exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.03)
    raise RuntimeError(f"cyrus did not open port {port}")


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class CyrusServer:
    root: Path
    layout: str = "classic"
    port: int = 0
    install: Install | None = None
    process: subprocess.Popen | None = None
    users: set[str] = field(default_factory=set)

    user = USER
    password = PASSWORD
    admin = ADMIN

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout is one of {LAYOUTS}, not {self.layout!r}")

    @property
    def separator(self) -> str:
        return "." if self.layout == "classic" else "/"

    @property
    def config_file(self) -> Path:
        return self.root / "imapd.conf"

    def folder(self, path: str) -> str:
        """The server's name, as its user sees it, for a "/"-separated folder path."""
        if path.upper() == "INBOX":
            return "INBOX"
        name = path.replace("/", self.separator)
        return "INBOX." + name if self.layout == "classic" else name

    def user_mailbox(self, user: str) -> str:
        """The user's INBOX as the admin names it."""
        return f"user{self.separator}{user}"

    def setup(self) -> None:
        self.install = self.install or prepare()
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.port = self.port or _free_port()
        for sub in ("config", "partition", "run/proc", "run/lock", "run/socket"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # Cyrus refuses to run as root: master drops to cyrus_user before serving.
            run_as, group = "nobody", "nogroup"
            for parent in self.install.bin_dir.parents:
                if not parent.stat().st_mode & stat.S_IXOTH:
                    raise RuntimeError(f"Cyrus runs as nobody, who cannot enter {parent}")
            for path in [self.root, *self.root.rglob("*")]:
                shutil.chown(path, run_as, group)
        else:
            run_as = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
        yes_no = "no" if self.layout == "classic" else "yes"
        r = self.root
        (r / "imapd.conf").write_text(
            f"""configdirectory: {r}/config
defaultpartition: default
partition-default: {r}/partition
proc_path: {r}/run/proc
mboxname_lockpath: {r}/run/lock
lmtpsocket: {r}/run/socket/lmtp
idlesocket: {r}/run/socket/idle
notifysocket: {r}/run/socket/notify
cyrus_user: {run_as}
cyrus_group: {group}
servername: cyrus-{self.layout}-{self.port}
syslog_prefix: fwtest-cyrus-{self.port}
altnamespace: {yes_no}
unixhierarchysep: {yes_no}
admins: {ADMIN}
allowplaintext: yes
sasl_pwcheck_method: alwaystrue
sasl_mech_list: PLAIN LOGIN
umask: 022
"""
        )
        conf = self.config_file
        bin_dir = self.install.bin_dir
        (r / "cyrus.conf").write_text(
            f"""START {{
  recover cmd="{bin_dir}/ctl_cyrusdb -C {conf} -r"
}}
SERVICES {{
  imap cmd="{bin_dir}/imapd -C {conf}" listen="127.0.0.1:{self.port}" prefork=0
}}
EVENTS {{
}}
"""
        )

    def start(self) -> None:
        assert self.install is not None, "setup() first"
        log = open(self.root / "master.log", "ab")  # the child has its own copy
        try:
            self.process = subprocess.Popen(
                [
                    str(self.install.bin_dir / "master"),
                    "-D",  # keep stderr: Cyrus's own messages go to syslog, often absent
                    "-C",
                    str(self.config_file),
                    "-M",
                    str(self.root / "cyrus.conf"),
                    "-p",
                    str(self.root / "run" / "master.pid"),
                ],
                env=self.install.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # master's shutdown signals its whole process group: keep the tests out of it
                # (under root they survived only because master had dropped to nobody).
                start_new_session=True,
            )
        finally:
            log.close()
        try:
            _wait_for_port(self.port, self.process)
        except RuntimeError as exc:
            self.stop()
            out = (self.root / "master.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"cyrus failed to start: {exc}: {out}") from None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    # -- accounts and mail --------------------------------------------------------------------
    def _imaplib(self, user: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        conn.login(user, PASSWORD)
        return conn

    def create_user(self, user: str = USER, telemetry: bool = True) -> None:
        """The user's INBOX (created by the admin) and the special-use folders (by the user).

        With ``telemetry``, imapd logs every session of the user under ``telemetry_dir``.
        """
        if user in self.users:
            return
        if telemetry:
            self.telemetry_dir(user).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                for path in (self.telemetry_dir(user).parent, self.telemetry_dir(user)):
                    shutil.chown(path, "nobody", "nogroup")
        admin = self._imaplib(ADMIN)
        try:
            typ, data = admin.create(_quote(self.user_mailbox(user)))
            if typ != "OK":
                raise RuntimeError(f"CREATE {self.user_mailbox(user)}: {data}")
        finally:
            admin.logout()
        conn = self._imaplib(user)
        try:
            for path, use in SPECIAL_FOLDERS.items():
                name = _quote(self.folder(path))
                typ, data = conn._simple_command("CREATE", name, f"(USE ({use}))")
                if typ != "OK":
                    raise RuntimeError(f"CREATE {name} (USE ({use})): {data}")
                conn.subscribe(name)
        finally:
            conn.logout()
        self.users.add(user)

    def telemetry_dir(self, user: str = USER) -> Path:
        return self.root / "config" / "log" / user

    def telemetry(self, user: str = USER) -> str:
        """The user's IMAP sessions as imapd logged them ("<" from the client, ">" to it)."""
        logs = sorted(self.telemetry_dir(user).glob("*"), key=lambda p: p.stat().st_mtime)
        return "".join(p.read_text(errors="replace") for p in logs)

    def client(self, user: str = USER):
        from imapclient import IMAPClient

        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        # An APPEND goes out in two writes (command, then the literal after "+"); without
        # this, Nagle and Cyrus's delayed ACK hold each one back 40 ms.
        c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.login(user, PASSWORD)
        return c

    def append(
        self, folder: str, messages: list[bytes], flags=(), when=None, user: str = USER
    ) -> None:
        """APPEND messages to a folder, given by its server name (created when missing)."""
        self.create_user(user)
        c = self.client(user)
        try:
            if not c.folder_exists(folder):
                c.create_folder(folder)
                c.subscribe_folder(folder)
            for raw in messages:
                c.append(folder, raw, flags=flags, msg_time=when)
        finally:
            c.logout()

    def flags(self, folder: str, user: str = USER) -> dict[int, tuple]:
        return read_flags(self.client(user), folder)


def _main(argv: list[str]) -> int:
    if not argv or argv[0] != "prepare" or set(argv[1:]) - {"--check"}:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        install = prepare()
    except (OSError, PrepareError) as exc:
        print(f"cyrus: prepare failed: {exc}", file=sys.stderr)
        return 1
    missing = install.missing_libraries()
    if missing:
        print(f"cyrus: libraries missing: {', '.join(missing)}", file=sys.stderr)
        return 1
    took = time.monotonic() - started
    print(f"cyrus: {len(install.packages)} packages in {install.root} ({took:.1f} s)")
    for name, version in sorted(install.packages.items()):
        print(f"  {name} {version}")
    if "--check" in argv:
        for layout in LAYOUTS:
            server = CyrusServer(Path(tempfile.mkdtemp(prefix="fw-cyrus-check-")), layout)
            try:
                started = time.monotonic()
                server.setup()
                server.start()
                server.append(server.folder("Sent"), [b"Subject: check\r\n\r\nhello\r\n"])
                assert len(server.flags(server.folder("Sent"))) == 1
                took = time.monotonic() - started
                print(f"cyrus: {layout} server started, user created, APPEND ok ({took:.1f} s)")
            finally:
                server.stop()
                shutil.rmtree(server.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
