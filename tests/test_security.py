"""The security promises, checked against a real Dovecot and real processes.

TLS: certificates verified on the SSL port and after STARTTLS; a stripped or refused STARTTLS
never falls back to a plaintext login; plaintext only to loopback. Secrets: never accepted in
the config file, never in logs (``-vv``, stderr and the service's log file), the digest, the
state file or any process's arguments. Files: the data directory is private, a readable config
is warned about. Models: only a file this program wrote and whose sha256 matches is unpickled.
The HTML digest escapes mail and loads nothing remote.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import pickle
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import REPO
from dovecot import PASSWORD
from faultproxy import FaultPlan, FaultProxy
from mailfactory import make_message
from modelseed import build_seed, seed

from watcher.classify import modelfile, train
from watcher.classify.classifier import load_classifier, model_name, personal_path
from watcher.cli import main
from watcher.config import Account, parse_config
from watcher.credentials import Secret
from watcher.errors import ConfigError, MailServerError
from watcher.imap import ImapSource
from watcher.storage import Store

NOW = datetime.now(timezone.utc)
TOKEN = "ya29.a0-not-a-real-token-Zq81xw"
QUIET = 'digest_time = "00:00"\n[delivery]\nnotify = false\n'


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_seed(tmp_path_factory.mktemp("models"))


def _run(argv: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv, environ)
    return code, out.getvalue(), err.getvalue()


def _set(mb, **changes: str) -> None:
    """Rewrite keys of the test account's config (a value of None drops the key)."""
    text = mb.config_path.read_text()
    for key, value in changes.items():
        pattern = re.compile(rf"^{key} = .*\n", re.M)
        line = "" if value is None else f"{key} = {json.dumps(value)}\n"
        text = pattern.sub(line, text) if pattern.search(text) else text + line
    mb.config_path.write_text(text)


def _thread(
    mb,
    reply_body: str = "Your SQL was strong; the case study lacked a recommendation.",
    reply_subject: str = "Re: Feedback on my interview",
    html: str | None = None,
    to: str = "Dana <dana@acme.example>",
) -> None:
    mb.append(
        "Sent",
        make_message(
            sender=f"Sam <{mb.address}>",
            to=to,
            subject="Feedback on my interview",
            date=NOW - timedelta(days=10),
            message_id=f"<req.{mb.user}@jobs.example>",
            body="Thanks again for the interview. How do I stack up against the other candidates, "
            "and what could I have done better?",
        ),
    )
    mb.append(
        "INBOX",
        make_message(
            sender="Dana <dana@acme.example>",
            to=mb.address,
            subject=reply_subject,
            date=NOW - timedelta(days=8),
            message_id=f"<rep.{mb.user}@acme.example>",
            in_reply_to=f"<req.{mb.user}@jobs.example>",
            body=reply_body,
            html=html,
        ),
    )


# -- TLS -------------------------------------------------------------------------------------------


def _starttls(mb, port: int, ca: bool) -> None:
    _set(mb, tls="starttls", port=port)
    if ca:
        shutil.copy(mb.server.cert_file, mb.tmp / "ca.pem")
        _set(mb, ca_file=str(mb.tmp / "ca.pem"))


def test_starttls_verifies_the_certificate_by_default(mailbox):
    _starttls(mailbox, mailbox.server.port, ca=False)
    code, _, err = _run(mailbox.cli("sync"), mailbox.environ)
    assert code == 4 and "not trusted" in err


def test_starttls_with_ca_file_logs_in_encrypted(mailbox, models):
    seed(models, mailbox.data_dir)
    _thread(mailbox)
    with FaultProxy(mailbox.server.port) as proxy:
        _starttls(mailbox, proxy.port, ca=True)
        code, out, err = _run(mailbox.cli("sync"), mailbox.environ)
        assert code == 0, err
        assert "2 messages fetched" in out
        sent = bytes(proxy.log.client_bytes)
    assert b"STARTTLS" in sent
    assert PASSWORD.encode() not in sent and b"LOGIN" not in sent  # all of it inside TLS


def test_ssl_port_logs_in_encrypted(mailbox):
    shutil.copy(mailbox.server.cert_file, mailbox.tmp / "ca.pem")
    with FaultProxy(mailbox.server.ssl_port) as proxy:
        _set(mailbox, tls="ssl", port=proxy.port, ca_file=str(mailbox.tmp / "ca.pem"))
        code, _, err = _run(mailbox.cli("sync"), mailbox.environ)
        assert code == 0, err
        sent = bytes(proxy.log.client_bytes)
    assert sent and PASSWORD.encode() not in sent and b"LOGIN" not in sent


def test_starttls_against_the_implicit_tls_port_is_named_within_seconds(mailbox):
    # Before: the client waited 60 s for a greeting a TLS port never sends ("timed out").
    _starttls(mailbox, mailbox.server.ssl_port, ca=True)
    started = time.monotonic()
    code, _, err = _run(mailbox.cli("sync"), mailbox.environ)
    assert time.monotonic() - started < 10
    assert code == 4 and "Traceback" not in err
    assert (
        f'port {mailbox.server.ssl_port} of 127.0.0.1 speaks TLS directly: use tls = "ssl"' in err
    )


def test_ssl_against_the_plaintext_port_is_named(mailbox):
    # Before: "[SSL: WRONG_VERSION_NUMBER] wrong version number".
    shutil.copy(mailbox.server.cert_file, mailbox.tmp / "ca.pem")
    _set(mailbox, tls="ssl", port=mailbox.server.port, ca_file=str(mailbox.tmp / "ca.pem"))
    code, _, err = _run(mailbox.cli("sync"), mailbox.environ)
    assert code == 4 and "WRONG_VERSION_NUMBER" not in err
    assert f'port {mailbox.server.port} of 127.0.0.1 speaks plain IMAP: use tls = "starttls"' in err


def _refuse_starttls(data: bytes) -> bytes | None:
    m = re.match(rb"(\S+) STARTTLS\r\n", data)
    return m.group(1) + b" BAD STARTTLS not available\r\n" if m else None


@pytest.mark.parametrize("attack", ["strip the capability", "refuse the command"])
def test_starttls_downgrade_never_sends_the_password(mailbox, attack):
    plan = FaultPlan(rewrite=lambda d: d.replace(b" STARTTLS", b""))
    if attack == "refuse the command":
        plan = FaultPlan(answer=_refuse_starttls)
    with FaultProxy(mailbox.server.port, plan) as proxy:
        _starttls(mailbox, proxy.port, ca=True)
        code, _, err = _run(mailbox.cli("sync"), mailbox.environ)
        sent = bytes(proxy.log.client_bytes)
    assert code == 4 and "Traceback" not in err
    assert "the password was not sent" in err or "STARTTLS" in err, err
    assert PASSWORD.encode() not in sent and b"LOGIN" not in sent and b"AUTHENTICATE" not in sent


@pytest.mark.parametrize(
    "host",
    [
        "imap.example.com",
        "localhost.attacker.example",
        "127.0.0.1.nip.io",
        "0.0.0.0",
        "192.168.1.10",
        "10.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_plaintext_refused_off_loopback(host):
    with pytest.raises(ConfigError, match="only allowed for 127.0.0.1 or localhost"):
        parse_config({"accounts": [{"name": "a", "host": host, "username": "u", "tls": "none"}]})
    # The adapter refuses too, before any connection, whatever built the Account.
    account = Account(name="a", host=host, username="u", port=1, tls="none")
    with pytest.raises(MailServerError, match="refusing a plaintext login"):
        ImapSource(account, Secret(PASSWORD))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_plaintext_allowed_on_loopback(host):
    cfg = parse_config({"accounts": [{"name": "a", "host": host, "username": "u", "tls": "none"}]})
    assert cfg.accounts[0].tls == "none"


def test_setup_refuses_plaintext_to_a_remote_host(tmp_path):
    config = tmp_path / "config.toml"
    code, _, err = _run(
        [
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "d"),
            "setup",
            "--provider",
            "custom",
            "--host",
            "imap.example.com",
            "--tls",
            "none",
            "--username",
            "me@example.com",
            "--password-env",
            "PW",
            "--no-test",
        ],
        {"PW": PASSWORD, "HOME": str(tmp_path)},
    )
    assert code == 2 and len(err.splitlines()) == 1, err
    assert not config.exists()


# -- secrets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["password", "passwd", "secret", "token", "oauth2_token"])
def test_config_never_takes_a_secret_and_never_repeats_it(tmp_path, key):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[accounts]]\nname = "a"\nhost = "imap.example.com"\n'
        f'username = "u"\n{key} = "{PASSWORD}"\n'
    )
    os.chmod(config, 0o600)
    code, out, err = _run(
        ["--config", str(config), "--data-dir", str(tmp_path / "d"), "status"], {}
    )
    assert code == 2 and len(err.splitlines()) == 1 and key in err
    assert PASSWORD not in err + out


def _descendants(root: int) -> dict[int, str]:
    """Command lines of a process and everything below it, right now."""
    parents: dict[int, int] = {}
    lines: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            cmd = Path(entry.path, "cmdline").read_bytes()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        lines[int(entry.name)] = cmd.replace(b"\0", b" ").decode(errors="replace")
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in lines:
            out[pid] = lines[pid]
        todo += [p for p, pp in parents.items() if pp == pid]
    return out


def _secret_forms(secret: str, user: str) -> list[str]:
    """The secret as it could leak: plain, and base64 as AUTHENTICATE sends it."""
    forms = [secret]
    for raw in (f"\0{user}\0{secret}", f"user={user}\1auth=Bearer {secret}\1\1"):
        forms.append(base64.b64encode(raw.encode()).decode())
    return forms


def test_password_never_in_logs_digest_state_or_process_arguments(mailbox, models):
    mailbox.write_config(extra_top=QUIET)  # the service delivers today's digest at once
    seed(models, mailbox.data_dir)
    _thread(mailbox)
    secret_file = mailbox.tmp / "secret"
    secret_file.write_text(PASSWORD + "\n")
    os.chmod(secret_file, 0o600)
    leaks: list[str] = []
    env = {**os.environ, **mailbox.environ}

    # 1. sync -vv, the password in an environment variable, then through a password command.
    for source in ("env", "command"):
        if source == "command":
            # Slow on purpose, so the polling below sees the command's process.
            _set(mailbox, password_env=None, password_command=f"sleep 0.3; cat {secret_file}")
        done = subprocess.run(
            [sys.executable, "-m", "watcher", "-vv", *mailbox.cli("sync")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "DEBUG" in done.stderr  # -vv really logged the IMAP conversation
        leaks += [done.stdout, done.stderr]

    # 2. the service with -vv: its workers, IDLE and the password command, watched in /proc.
    _set(mailbox, idle=True)
    # Files, not pipes: -vv output read only at the end could fill a pipe and stall the service.
    out_file, err_file = mailbox.tmp / "service.out", mailbox.tmp / "service.err"
    with open(out_file, "wb") as out_fd, open(err_file, "wb") as err_fd:
        proc = subprocess.Popen(
            [sys.executable, "-m", "watcher", "-vv", *mailbox.cli("run", "--poll-seconds", "1")],
            cwd=REPO,
            env=env,
            stdout=out_fd,
            stderr=err_fd,
        )
    # Every command line ever seen, not the latest per pid: a worker read again as a zombie
    # (empty command line) or a reused pid must not erase what was seen before.
    seen: set[str] = set()
    log_file = mailbox.data_dir / "logs" / "feedback-watcher.log"

    def missing() -> list[str]:
        log_text = log_file.read_text() if log_file.exists() else ""
        wanted = {
            # one sync worker has finished (a second has started), its IMAP login in the log
            "two syncs started": log_text.count("starting worker: sync") >= 2,
            "a redacted login in the log": "**REDACTED**" in log_text,
            "a sync worker in /proc": any(c.rstrip().endswith(" sync") for c in seen),
            "the password command in /proc": any(str(secret_file) in c for c in seen),
        }
        return [what for what, ok in wanted.items() if not ok]

    try:
        # Generous: under load the sampler may miss a short-lived worker; the service starts
        # another every second, so waiting longer is enough to see one.
        deadline = time.monotonic() + 120
        while missing() and time.monotonic() < deadline and proc.poll() is None:
            seen.update(c for c in _descendants(proc.pid).values() if c)
            time.sleep(0.02)
        not_seen = missing()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    out, err = out_file.read_text(errors="replace"), err_file.read_text(errors="replace")
    assert proc.returncode == 0, err
    assert not not_seen, (not_seen, seen)
    leaks += [out, err, *seen]
    leaks.append(log_file.read_text())
    assert "DEBUG" in leaks[-1] and "**REDACTED**" in leaks[-1]

    # 3. every digest format, the delivered files and the state database.
    for fmt in ([], ["--json"], ["--markdown"], ["--html"]):
        code, out, err = _run(mailbox.cli("digest", *fmt), mailbox.environ)
        assert code == 0, err
        leaks += [out, err]
    _set(mailbox, password_command=None, password_env="FW_TEST_PASSWORD")
    code, _, err = _run(mailbox.cli("digest", "--deliver"), mailbox.environ)
    assert code == 0, err
    files = sorted((mailbox.data_dir / "digests").iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    leaks += [f.read_text() for f in files]
    for f in mailbox.data_dir.glob("state.sqlite3*"):
        leaks.append(f.read_bytes().decode("latin-1"))

    forms = _secret_forms(PASSWORD, mailbox.user)
    found = [(i, form) for i, text in enumerate(leaks) for form in forms if form in text]
    assert not found, found


def test_oauth2_token_never_in_logs(mailbox):
    token_file = mailbox.tmp / "token"
    token_file.write_text(TOKEN + "\n")
    _set(mailbox, password_env=None, oauth2_token_command=f"cat {token_file}")
    done = subprocess.run(
        [sys.executable, "-m", "watcher", "-vv", *mailbox.cli("sync")],
        cwd=REPO,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3  # this Dovecot offers no XOAUTH2: the login is refused
    assert "refused the login" in done.stderr and "Traceback" not in done.stderr
    for form in _secret_forms(TOKEN, mailbox.user):
        assert form not in done.stdout + done.stderr


# -- files and permissions -------------------------------------------------------------------------


def test_data_dir_is_private_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        store = Store.open(tmp_path / "new" / "data")
        store.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new" / "data").stat().st_mode) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    Store.open(loose).close()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode, warned", [(0o644, True), (0o640, True), (0o600, False)])
def test_a_config_others_can_read_is_warned_about(tmp_path, mode, warned):
    config = tmp_path / "config.toml"
    config.write_text("lookback_days = 30\n")
    os.chmod(config, mode)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "watcher",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "d"),
            "status",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert ("readable by other users" in done.stderr) == warned
    if warned:
        assert f"chmod 600 {config}" in done.stderr


# -- models ----------------------------------------------------------------------------------------


class _Rebuilds:
    """Stand-ins for the shipped-model directory and for training, so a rebuild is instant.

    What is under test is the decision (load, or refuse and rebuild), not the training.
    """

    def __init__(self, monkeypatch, tmp_path: Path) -> None:
        self.fits = 0
        self.cache = tmp_path / "cache"
        ship = tmp_path / "package"
        ship.mkdir()
        real = train.package_dir()
        for sub in ("corpus", "heldout"):  # the corpus, but no shipped model file
            if (real / sub).exists():
                (ship / sub).symlink_to(real / sub)
        monkeypatch.setenv("FEEDBACK_WATCHER_CACHE_DIR", str(self.cache))
        monkeypatch.setattr(train, "package_dir", lambda: ship)
        monkeypatch.setattr(train, "fit", self._fit)
        monkeypatch.setattr(train, "load_corpus", lambda kind: [])  # 5 s of parsing, unused

    def _fit(self, examples, kind, *extra):
        self.fits += 1
        return {"stand-in pipeline": kind, "build": self.fits}

    def path(self, kind: str = "reply") -> Path:
        return self.cache / f"{model_name(kind)}.joblib"


def _malicious_pickle(marker: Path) -> bytes:
    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    return pickle.dumps(Payload())


def test_cached_model_is_used_then_rebuilt_when_tampered(monkeypatch, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="watcher")
    fake = _Rebuilds(monkeypatch, tmp_path)
    first = load_classifier("reply", None)
    assert first.origin == "rebuilt" and fake.fits == 1 and fake.path().exists()
    again = load_classifier("reply", None)
    assert again.pipeline == first.pipeline and fake.fits == 1  # loaded, hash checked

    raw = bytearray(fake.path().read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    fake.path().write_bytes(bytes(raw))
    caplog.clear()
    rebuilt = load_classifier("reply", None)
    assert fake.fits == 2 and rebuilt.pipeline["build"] == 2
    assert "does not match its recorded sha256; not loading it" in caplog.text
    assert modelfile.load_model(fake.path()) is not None  # the rebuilt file is sound again


def test_a_code_running_pickle_in_place_of_a_model_never_runs(monkeypatch, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="watcher")
    fake = _Rebuilds(monkeypatch, tmp_path)
    load_classifier("reply", None)
    marker = tmp_path / "pwned"
    fake.path().write_bytes(_malicious_pickle(marker))
    data_dir = tmp_path / "data"
    personal = personal_path(data_dir, "reply")
    personal.parent.mkdir(parents=True)
    shutil.copy(fake.path(), personal)  # a personal model replaced too, with its old metadata
    shutil.copy(modelfile.meta_path(fake.path()), modelfile.meta_path(personal))
    clf = load_classifier("reply", data_dir)
    assert not marker.exists()
    assert clf.origin == "rebuilt" and fake.fits == 2
    assert caplog.text.count("does not match its recorded sha256") == 2  # personal and cache


def test_a_model_without_its_metadata_is_rebuilt(monkeypatch, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="watcher")
    fake = _Rebuilds(monkeypatch, tmp_path)
    load_classifier("reply", None)
    modelfile.meta_path(fake.path()).unlink()
    load_classifier("reply", None)
    assert fake.fits == 2 and "has no readable metadata; it will be rebuilt" in caplog.text


def test_a_model_written_by_older_code_is_rebuilt_not_a_crash(monkeypatch, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="watcher")
    fake = _Rebuilds(monkeypatch, tmp_path)
    load_classifier("reply", None)
    # A pipeline naming a function that watcher.classify.textmodel no longer has, hash-matched.
    fake.path().write_bytes(b"cwatcher.classify.textmodel\nfunction_removed_in_this_version\n.")
    meta = json.loads(modelfile.meta_path(fake.path()).read_text())
    meta["sha256"] = modelfile._sha256(fake.path())
    modelfile.meta_path(fake.path()).write_text(json.dumps(meta))
    clf = load_classifier("reply", None)
    assert fake.fits == 2 and clf.pipeline["build"] == 2
    assert "cannot be loaded by this version" in caplog.text


# -- the HTML digest -------------------------------------------------------------------------------

EVIL_TEXT = (
    'Your SQL was strong. <script>alert("x")</script> "><svg onload=alert(1)> '
    '<img src="http://evil.example/pixel.gif"> <a href="javascript:alert(1)">x</a> '
    "<style>@import url(http://evil.example/a.css)</style> <b>please</b>"
)
EVIL_HTML = (
    '<html><head><link rel=stylesheet href="http://evil.example/s.css"></head><body>'
    '<img src="http://evil.example/t.gif" onerror="alert(1)"><p>Your SQL was strong, '
    '<iframe src="http://evil.example/"></iframe>the case study lacked a clear '
    "recommendation. &lt;script&gt;</p></body></html>"
)
FORBIDDEN_TAGS = {
    "script",
    "img",
    "iframe",
    "object",
    "embed",
    "link",
    "svg",
    "video",
    "audio",
    "source",
    "base",
    "form",
    "input",
    "frame",
    "frameset",
    "picture",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _assert_inert(page: str, counterparts: frozenset[str] = frozenset()) -> int:
    """No active content, nothing remote; the one link allowed is a mailto: to a counterpart.

    Returns how many mailto: links the page has.
    """
    parser = _Tags()
    parser.feed(page)
    names = {t for t, _ in parser.tags}
    assert not names & FORBIDDEN_TAGS, names & FORBIDDEN_TAGS
    links = 0
    for tag, attrs in parser.tags:
        if tag == "a":
            # Exactly one attribute, href, a mailto: whose address is a thread's counterpart.
            assert len(attrs) == 1 and attrs[0][0] == "href", attrs
            href = attrs[0][1] or ""
            assert href.startswith("mailto:"), href
            address, _, query = href[len("mailto:") :].partition("?")
            assert unquote(address) in counterparts, href
            assert re.fullmatch(r"[A-Za-z0-9%@._~-]*", address), href  # percent-encoded
            assert re.fullmatch(r"(?:[a-z-]+=[A-Za-z0-9%._~-]*&?)*", query), href
            links += 1
            continue
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name not in ("src", "href", "srcset", "background", "action"), (tag, name)
            if tag == "meta" and name == "content" and value and "default-src" in value:
                continue
            assert "://" not in (value or "") and "javascript:" not in (value or ""), (tag, value)
            if name == "style":
                assert "url(" not in (value or ""), (tag, value)
    assert "default-src 'none'" in page
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert all("url(" not in s and "@import" not in s for s in styles)
    return links


@pytest.mark.parametrize("kind", ["plain", "html only"])
def test_html_digest_escapes_mail_and_loads_nothing_remote(mailbox, models, kind):
    mailbox.write_config(extra_top=QUIET)
    seed(models, mailbox.data_dir)
    if kind == "plain":
        _thread(
            mailbox,
            reply_body=EVIL_TEXT,
            reply_subject="Re: Feedback on my interview <img src=x onerror=alert(1)>",
            to='"Dana <script>alert(2)</script>" <dana@acme.example>',
        )
    else:
        _thread(mailbox, reply_body="", html=EVIL_HTML)
    # A request nobody answered: due for a second ask, so the page carries its mailto: link.
    mailbox.append(
        "Sent",
        make_message(
            sender=f"Sam <{mailbox.address}>",
            to='"Lee <script>alert(3)</script>" <lee@globex.example>',
            subject='Globex interview <img src=x onerror=alert(1)> "&" javascript:alert(1)',
            date=NOW - timedelta(days=10),
            message_id=f"<due.{mailbox.user}@jobs.example>",
            body="Thanks again for the interview. Could you share any feedback on what I could "
            "have done better?",
        ),
    )
    assert _run(mailbox.cli("sync"), mailbox.environ)[0] == 0
    # Shown in full as "feedback received" whatever the model made of it.
    code, _, err = _run(
        mailbox.cli("label", f"<rep.{mailbox.user}@acme.example>", "feedback"), mailbox.environ
    )
    assert code == 0, err
    pages = []
    code, page, err = _run(mailbox.cli("digest", "--html"), mailbox.environ)
    assert code == 0, err
    pages.append(page)
    assert _run(mailbox.cli("digest", "--deliver"), mailbox.environ)[0] == 0
    pages += [p.read_text() for p in (mailbox.data_dir / "digests").glob("*.html")]
    assert len(pages) >= 2
    for page in pages:
        assert "Your SQL was strong" in page  # the reply is shown ...
        # ... as text, with one link: the due thread's draft, to its counterpart.
        assert _assert_inert(page, frozenset({"lee@globex.example"})) == 1
    if kind == "plain":
        assert "&lt;script&gt;" in pages[0] and "&lt;b&gt;please&lt;/b&gt;" in pages[0]
        assert "&lt;svg onload" in pages[0] or "&quot;&gt;&lt;svg" in pages[0]
