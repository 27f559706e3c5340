"""A throwaway Dovecot IMAP server for tests: own config, ports, users and maildirs in a temp dir.

Dovecot refuses to touch mail as uid 0, so under root the mail is owned by ``nobody``;
as an ordinary user every service runs as that user with chroots off.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "jobseeker"
PASSWORD = "correct-horse-battery"


def dovecot_available() -> bool:
    return os.path.exists(DOVECOT) and shutil.which("openssl") is not None


def read_flags(client, folder: str) -> dict[int, tuple]:
    """Every message's FLAGS in a folder, read-only, then log out (for before/after checks)."""
    try:
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        if not uids:
            return {}
        return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}
    finally:
        client.logout()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.03)
    raise RuntimeError(f"dovecot did not open port {port}")


@dataclass
class DovecotServer:
    root: Path
    port: int = 0
    ssl_port: int = 0
    process: subprocess.Popen | None = None

    user = USER
    password = PASSWORD

    @property
    def cert_file(self) -> Path:
        return self.root / "cert.pem"

    @property
    def mail_dir(self) -> Path:
        return self.root / "mail" / USER

    def setup(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)  # the mail processes run as nobody and must reach their maildir
        self.port = self.port or _free_port()
        self.ssl_port = self.ssl_port or _free_port()
        as_root = os.geteuid() == 0
        me = pwd.getpwuid(os.geteuid())
        if as_root:
            mail_uid, mail_gid = "nobody", "nogroup"
        else:
            mail_uid, mail_gid = me.pw_name, str(me.pw_gid)
        if not self.cert_file.exists():
            subprocess.run(
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-keyout",
                    str(self.root / "key.pem"),
                    "-out",
                    str(self.cert_file),
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost",
                ],
                check=True,
                capture_output=True,
            )
        (self.root / "mail").mkdir(exist_ok=True)
        if as_root:
            shutil.chown(self.root / "mail", "nobody", "nogroup")
        services = (
            ""
            if as_root
            else f"""
default_internal_user = {me.pw_name}
default_login_user = {me.pw_name}
default_internal_group = {me.pw_gid}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        conf = f"""
instance_name = fwtest-{self.port}
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
info_log_path = {self.root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{self.root}/cert.pem
ssl_key = <{self.root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
# No brute-force brakes: tests refuse logins on purpose, and every test logs in from
# 127.0.0.1, so a refused login would slow the next tests' logins by 2 s, then 4, 8, 15.
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
mail_location = maildir:{self.root}/mail/%u
passdb {{
  # Every user name logs in with the one test password: each test gets a fresh mailbox.
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={self.root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.ssl_port}
    ssl = yes
  }}
}}
{services}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    auto = subscribe
    special_use = \\Sent
  }}
  mailbox Drafts {{
    auto = subscribe
    special_use = \\Drafts
  }}
  mailbox Trash {{
    auto = subscribe
    special_use = \\Trash
  }}
  mailbox Junk {{
    auto = subscribe
    special_use = \\Junk
  }}
  mailbox Archive {{
    auto = subscribe
    special_use = \\Archive
  }}
}}
"""
        (self.root / "dovecot.conf").write_text(conf)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for_port(self.port)
            _wait_for_port(self.ssl_port)
        except RuntimeError:
            self.stop()
            log = self.root / "dovecot.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError("dovecot failed to start: " + tail) from None

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

    # -- loading mail -------------------------------------------------------------------------
    def client(self, user: str = USER):
        from imapclient import IMAPClient

        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        c.login(user, PASSWORD)
        return c

    def append(
        self, folder: str, messages: list[bytes], flags=(), when=None, user: str = USER
    ) -> None:
        """APPEND messages to a folder (created when missing)."""
        c = self.client(user)
        try:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            for raw in messages:
                c.append(folder, raw, flags=flags, msg_time=when)
        finally:
            c.logout()

    def flags(self, folder: str, user: str = USER) -> dict[int, tuple]:
        return read_flags(self.client(user), folder)

    def reset_uidvalidity(self, folder: str, user: str = USER) -> None:
        """Give a folder a new UIDVALIDITY, as a server does after rebuilding its index."""
        self.stop()
        home = self.root / "mail" / user
        sub = home if folder == "INBOX" else home / ("." + folder.replace("/", "."))
        uidlist = sub / "dovecot-uidlist"
        head, _, rest = uidlist.read_text().partition("\n")
        fields = [f"V{int(f[1:]) + 1000}" if f.startswith("V") else f for f in head.split()]
        uidlist.write_text(" ".join(fields) + "\n" + rest)
        for index in sub.glob("dovecot.index*"):
            index.unlink()
        self.start()
