"""Digest delivery: private files, a notification with counts only, the digest in INBOX."""

from __future__ import annotations

import email
import os
import re
import shutil
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from email import policy as email_policy
from pathlib import Path

import pytest
from test_followups import ME, OWN, msg

from watcher.config import Account, Config, DeliveryConfig, FollowupPolicy, load_config
from watcher.conversations import build_threads
from watcher.delivery import (
    deliver_digest,
    desktop_notify,
    digest_message,
    notification_command,
    subject,
    summary,
)
from watcher.digest import AccountHealth, Digest, render
from watcher.followups import assess

NOW = datetime(2025, 4, 14, 8, 0, tzinfo=timezone(timedelta(hours=1)))  # a Monday
FEEDBACK_TEXT = (
    "Thanks for asking, Sam. The panel liked your SQL and how you talked through "
    "trade-offs. Where you fell short was the case study: it listed options but "
    "never made a recommendation, and the other finalist did. Lead with a clear "
    "answer next time, then the evidence."
)
SECRET_PHRASE = "never made a recommendation"


def _digest(last_ok: datetime | None = NOW - timedelta(hours=2), since=None) -> Digest:
    """A morning with something in every common section, as the demo mailbox has."""
    d = NOW - timedelta(days=30)
    own = [
        msg("<acme>", ME, "dana.whitfield@acme.example", d, "Feedback on my interview"),
        msg(
            "<globex>",
            ME,
            "lee.chen@globex.example",
            NOW - timedelta(days=9),
            "Globex data analyst interview",
        ),
        msg("<initech1>", ME, "hr@initech.example", d, "Thank you, and a question"),
        msg(
            "<initech2>",
            ME,
            "hr@initech.example",
            NOW - timedelta(days=12),
            "Re: Thank you, and a question",
            irt="<initech1>",
        ),
        msg("<umbrella>", ME, "recruiting@umbrella.example", d, "Interview follow-up"),
        msg("<hooli>", ME, "gavin@hooli.example", NOW - timedelta(days=2), "Hooli interview"),
        msg("<vandelay>", ME, "art@vandelay.example", d, "Feedback request"),
    ]
    replies = [
        msg(
            "<r-acme>",
            "dana.whitfield@acme.example",
            ME,
            d + timedelta(days=3),
            "Re: Feedback on my interview",
            irt="<acme>",
        ),
        msg(
            "<r-umb>",
            "recruiting@umbrella.example",
            ME,
            d + timedelta(days=1),
            "Re: Interview follow-up",
            irt="<umbrella>",
        ),
        msg(
            "<r-van>",
            "art@vandelay.example",
            ME,
            d + timedelta(days=2),
            "Re: Feedback request",
            irt="<vandelay>",
        ),
    ]
    labels = {
        "<r-acme>": ("feedback", 0.91, False),
        "<r-umb>": ("rejection", 0.88, False),
        "<r-van>": ("feedback", 0.52, False),
    }
    texts = {
        "<r-acme>": FEEDBACK_TEXT,
        "<r-umb>": "We were impressed with you, but it came down to a few details and we "
        "have moved forward with another candidate. We wish you every success.",
        "<r-van>": "Happy to chat about it on a call next week if that helps?",
    }
    threads = build_threads(own, {m.message_id for m in own}, replies, OWN)
    states = tuple(assess(t, labels, texts, FollowupPolicy(), NOW, 0.6) for t in threads)
    health = (AccountHealth("personal", last_ok, None if last_ok else "login refused"),)
    return Digest(NOW, states, health, since)


def _config(**delivery) -> Config:
    return Config(delivery=DeliveryConfig(**delivery))


class Recorder:
    def __init__(self, result=True):
        self.calls: list[tuple[str, str]] = []
        self.result = result

    def __call__(self, title: str, body: str) -> bool:
        self.calls.append((title, body))
        return self.result


def test_summary_counts_what_needs_the_user_and_nothing_else():
    digest = _digest()
    assert {s.due for s in digest.states} >= {"second_ask", "third_ask"}
    assert summary(digest) == ("2 follow-ups due, 2 new feedback, 1 reply needs your eye")
    assert SECRET_PHRASE not in summary(digest)
    stale = summary(_digest(last_ok=None))
    assert stale.endswith("sync failing for personal")


def test_subject_names_the_day_plainly():
    assert subject(NOW) == "Your feedback digest, Mon 14 Apr"
    assert subject(datetime(2025, 4, 3, 8, 0)) == "Your feedback digest, Thu 3 Apr"


def test_files_are_private_atomic_and_dated(tmp_path):
    digest = _digest()
    out = deliver_digest(digest, _config(notify=False), tmp_path, {})
    folder = tmp_path / "digests"
    names = {"digest-2025-04-14.md", "digest-2025-04-14.html", "latest.html"}
    assert sorted(out) == sorted(f"file:{folder / n}" for n in names)
    assert {p.name for p in folder.iterdir()} == names
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in names:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    md = (folder / "digest-2025-04-14.md").read_text()
    assert md.startswith("# feedback-watcher digest, Monday 14 April 2025")
    assert "## Due for a second ask (1)" in md and SECRET_PHRASE in md
    page = (folder / "latest.html").read_text()
    assert page == render(digest, "html")
    assert page.count("Globex data analyst interview") == 1  # the subject, not said twice
    assert "Read as feedback, 52% sure" in page

    # Same day again (a restart): replaced in place, no temporary files left behind.
    (folder / "latest.html").write_text("old")
    deliver_digest(digest, _config(notify=False), tmp_path, {})
    assert {p.name for p in folder.iterdir()} == names
    assert (folder / "latest.html").read_text() == render(digest, "html")


def test_notification_gets_counts_only(tmp_path):
    notifier = Recorder()
    out = deliver_digest(_digest(), _config(files=False), tmp_path, {}, notifier=notifier)
    assert out == ["notification"]
    assert notifier.calls == [
        ("feedback-watcher", "2 follow-ups due, 2 new feedback, 1 reply needs your eye")
    ]
    assert not (tmp_path / "digests").exists()


def test_nothing_to_say_means_no_notification(tmp_path):
    quiet = Digest(NOW, (), (AccountHealth("personal", NOW, None),))
    notifier = Recorder()
    assert deliver_digest(quiet, _config(files=False), tmp_path, {}, notifier=notifier) == []
    assert notifier.calls == []


def test_notification_commands_per_platform():
    tools = {"notify-send": "/usr/bin/notify-send", "osascript": "/usr/bin/osascript"}
    linux = notification_command("feedback-watcher", "1 follow-up due", "linux", tools.get)
    assert linux[0] == "/usr/bin/notify-send" and linux[-2:] == [
        "feedback-watcher",
        "1 follow-up due",
    ]
    mac = notification_command('say "hi"', "a \\ b", "darwin", tools.get)
    assert mac[:2] == ["/usr/bin/osascript", "-e"]
    assert mac[2] == 'display notification "a \\\\ b" with title "say \\"hi\\""'
    assert notification_command("t", "b", "linux", lambda name: None) is None
    assert notification_command("t", "b", "darwin", lambda name: None) is None


def _fake_notify_send(tmp_path: Path, monkeypatch, exit_code: int = 0) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv.txt"
    script = bin_dir / "notify-send"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {log}\nexit {exit_code}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("sys.platform", "linux")
    return log


def test_desktop_notify_runs_notify_send_without_mail_text(tmp_path, monkeypatch):
    log = _fake_notify_send(tmp_path, monkeypatch)
    out = deliver_digest(_digest(), _config(files=False), tmp_path, {})
    assert out == ["notification"]
    argv = log.read_text()
    assert "2 follow-ups due" in argv and SECRET_PHRASE not in argv and "acme" not in argv


def test_desktop_notify_is_silent_where_no_tool_exists(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert desktop_notify("feedback-watcher", "1 follow-up due") is False


def test_one_failing_channel_never_stops_the_others(tmp_path, monkeypatch, caplog):
    def broken(title, body):
        raise OSError("no session bus")

    # The mailbox channel points at a closed port: a MailServerError, logged.
    closed = Account(
        name="personal", host="127.0.0.1", port=9, tls="none", username="me", password_env="FW_NOPE"
    )
    config = Config(accounts=(closed,), delivery=DeliveryConfig(mailbox=True))
    out = deliver_digest(_digest(), config, tmp_path, {"FW_NOPE": "x"}, notifier=broken)
    assert len(out) == 3 and all(o.startswith("file:") for o in out)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("notification failed: no session bus" in e for e in errors)
    assert any("by mailbox failed" in e and "cannot connect" in e for e in errors)

    # A notifier that reports failure (no tool) is simply left out.
    out = deliver_digest(_digest(), _config(files=False), tmp_path, {}, notifier=Recorder(False))
    assert out == []


def test_digest_message_is_text_with_html_alternative_from_and_to_the_user():
    raw = digest_message(_digest(), ME)
    parsed = email.message_from_bytes(raw, policy=email_policy.default)
    assert parsed["Subject"] == "Your feedback digest, Mon 14 Apr"
    assert parsed["To"] == ME and ME in parsed["From"]
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(("plain",)).get_content()
    page = parsed.get_body(("html",)).get_content()
    assert "Due for a second ask (1):" in plain and SECRET_PHRASE in plain
    assert page.lstrip().startswith("<!DOCTYPE html>") and "<h1>Your feedback digest</h1>" in page
    # Each due ask is a mailto: link in the HTML part, and a command in the plain one.
    assert page.count('href="mailto:') == 2 and 'href="mailto:hr@initech.example?' in page
    assert plain.count("draft: feedback-watcher draft '<") == 2 and "mailto:" not in plain


@pytest.mark.dovecot
def test_digest_lands_unread_in_inbox_of_a_real_server(mailbox, tmp_path):
    mailbox.write_config(extra_top="[delivery]\nmailbox = true\nnotify = false\nfiles = false")
    config = load_config(mailbox.config_path)
    out = deliver_digest(_digest(), config, tmp_path, mailbox.environ)
    assert out == ["mailbox:test/INBOX"]
    flags = mailbox.flags("INBOX")
    assert len(flags) == 1 and b"\\Seen" not in next(iter(flags.values()))
    client = mailbox.server.client(mailbox.user)
    try:
        client.select_folder("INBOX", readonly=True)
        (uid,) = client.search(["ALL"])
        raw = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    finally:
        client.logout()
    parsed = email.message_from_bytes(raw, policy=email_policy.default)
    assert parsed["Subject"] == "Your feedback digest, Mon 14 Apr"
    assert parsed["To"] == mailbox.address
    assert parsed.get_body(("html",)) is not None


CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium to render the page (apt-get install chromium)"
)
def test_html_digest_renders_in_a_real_browser(tmp_path):
    page = tmp_path / "digest.html"
    page.write_text(render(_digest(last_ok=NOW - timedelta(days=2)), "html"), encoding="utf-8")
    png = tmp_path / "digest.png"
    keep = os.environ.get("FW_SCREENSHOT")  # set it to a path to look at the picture
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={png}",
            "--window-size=900,1200",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # A blank white 900x1200 page compresses to a few kilobytes; text and rules make it larger.
    assert png.stat().st_size > 20_000
    if keep:
        shutil.copy(png, keep)


@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium to lay out the page (apt-get install chromium)"
)
def test_html_digest_fits_a_400px_window_with_long_ids(tmp_path):
    """A long Message-ID or address wraps instead of widening the page (a phone's width).

    Measured: before the wrapping rule this page was 646 px wide in a 500 px window.
    """
    long_id = "<CAF=Qk3x7JmZpR2vN9sLw4TtY8uQ1eXhD5gB6cA0oKjHfMnVbWzXq@mail.gmail.example>"
    who = "a.very.long.address.of.the.recruiting-team@northwind-logistics-international.example"
    ask = msg(long_id, ME, who, NOW - timedelta(days=9), "Operations Analyst - final round")
    threads = build_threads([ask], {long_id}, [], OWN)
    states = tuple(assess(t, {}, {}, FollowupPolicy(), NOW, 0.6) for t in threads)
    page = render(Digest(NOW, states, ()), "html")
    assert long_id.replace("<", "&lt;").replace(">", "&gt;") in page
    # The page's own policy forbids scripts; this copy, for measuring only, reports the width
    # of its laid-out content in its title.
    measured = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page).replace(
        "</body>",
        "<script>document.title = document.documentElement.scrollWidth + ' in ' + "
        "window.innerWidth</script></body>",
    )
    path = tmp_path / "narrow.html"
    path.write_text(measured, encoding="utf-8")
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=400,900",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # Headless Chromium lays out --dump-dom no narrower than 500 px; without the wrapping the
    # page was 646 px wide at that width.
    width = re.search(r"<title>(\d+) in (\d+)</title>", done.stdout)
    assert width is not None, done.stdout[:500]
    assert int(width.group(1)) <= int(width.group(2)) <= 500
