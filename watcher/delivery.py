"""Delivering the morning digest: files in the data directory, a desktop notification, INBOX.

Each channel is switched by ``config.delivery``; one channel's failure is logged and never
stops the others. Only a short count ("2 follow-ups due, 1 new feedback") ever reaches a
process's arguments: mail text stays in files only the user can read.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from watcher import files
from watcher.config import Config
from watcher.digest import Digest, render
from watcher.errors import WatcherError
from watcher.mailbox_write import stable_id

log = logging.getLogger(__name__)

APP_TITLE = "feedback-watcher"
NOTIFY_TIMEOUT = 10  # seconds; a hung notification daemon must not hold up the digest

Notifier = Callable[[str, str], bool]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(digest: Digest) -> str:
    """A one-line count of what needs the user today; empty when nothing does."""
    parts = []
    due = len(digest.section("second_ask")) + len(digest.section("third_ask"))
    if due:
        parts.append(_plural(due, "follow-up due", "follow-ups due"))
    fresh = sum(1 for st in digest.section("feedback") if digest.new_feedback(st))
    if fresh:
        parts.append(f"{fresh} new feedback")
    review = len(digest.section("needs_review"))
    if review:
        parts.append(_plural(review, "reply needs your eye", "replies need your eye"))
    if digest.unsure:
        parts.append(
            _plural(len(digest.unsure), "sent message to confirm", "sent messages to confirm")
        )
    bounced = len(digest.section("undeliverable"))
    if bounced:
        parts.append(_plural(bounced, "request bounced", "requests bounced"))
    stale = digest.stale_accounts()
    if stale:
        parts.append("sync failing for " + ", ".join(h.account for h in stale))
    return ", ".join(parts)


def subject(now: datetime) -> str:
    """The digest mail's subject, e.g. "Your feedback digest, Mon 14 Apr"."""
    return f"Your feedback digest, {now:%a} {now.day} {now:%b}"


# -- files ----------------------------------------------------------------------------------


def write_files(digest: Digest, data_dir: Path) -> list[Path]:
    """digest-YYYY-MM-DD.md and .html in ``data_dir/digests``, and latest.html beside them."""
    folder = Path(data_dir) / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    page = render(digest, "html")
    stem = f"digest-{digest.now:%Y-%m-%d}"
    written = []
    for path, text in (
        (folder / f"{stem}.md", render(digest, "markdown")),
        (folder / f"{stem}.html", page),
        (folder / "latest.html", page),
    ):
        files.write_text(path, text)
        written.append(path)
    return written


# -- desktop notification -------------------------------------------------------------------


def _applescript_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def notification_command(
    title: str,
    body: str,
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
) -> list[str] | None:
    """The command that shows a desktop notification here, or None where there is none."""
    if platform == "darwin":
        tool = which("osascript")
        if tool:
            script = (
                f"display notification {_applescript_string(body)} "
                f"with title {_applescript_string(title)}"
            )
            return [tool, "-e", script]
        return None
    tool = which("notify-send")
    if tool:
        return [tool, f"--app-name={APP_TITLE}", "--icon=mail-unread", title, body]
    return None


def desktop_notify(title: str, body: str) -> bool:
    """Show a notification with notify-send (Linux) or osascript (macOS); False where absent."""
    command = notification_command(title, body)
    if command is None:
        log.debug("no notification tool on this machine; skipping the notification")
        return False
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=NOTIFY_TIMEOUT, check=False
    )
    if done.returncode != 0:
        # notify-send fails without a session bus (a headless machine, a bare ssh login).
        log.warning(
            "desktop notification failed (%s exit %d): %s",
            Path(command[0]).name,
            done.returncode,
            done.stderr.strip()[:200],
        )
        return False
    return True


# -- the digest as a message in INBOX -------------------------------------------------------


def digest_message(digest: Digest, address: str) -> bytes:
    """The digest as a message from and to the user: plain text with an HTML alternative."""
    msg = EmailMessage()
    msg["From"] = formataddr((APP_TITLE, address))
    msg["To"] = address
    msg["Subject"] = subject(digest.now)
    msg["Date"] = format_datetime(digest.now)
    # One id per user and day: a digest delivered again that day is found and not written twice.
    msg["Message-ID"] = stable_id(
        "digest", address, digest.now.date().isoformat(), domain=address.rpartition("@")[2]
    )
    # RFC 3834: machine-made, so vacation responders and filters leave it alone.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render(digest, "text"))
    msg.add_alternative(render(digest, "html"), subtype="html")
    return msg.as_bytes()


def append_to_inbox(digest: Digest, config: Config, environ: Mapping[str, str]) -> str:
    """APPEND the digest to the first IMAP account's INBOX, unread; returns "account/INBOX"."""
    from watcher.mailbox_write import append, imap_account

    account = imap_account(config, why="delivery.mailbox")
    address = account.addresses[0] if account.addresses else account.username
    # No \Seen flag: it should stand out as new mail.
    done = append(account, environ, digest_message(digest, address), [])
    return f"{account.name}/{done.folder}" + (" (already there)" if done.already_there else "")


# -- all channels ---------------------------------------------------------------------------


def _attempt(channel: str, action: Callable[[], list[str]]) -> list[str]:
    try:
        return action()
    except (WatcherError, OSError, subprocess.SubprocessError) as exc:
        log.error("digest delivery by %s failed: %s", channel, exc)
    except Exception:  # noqa: BLE001 - a bug in one channel must not cost the user the others
        log.exception("digest delivery by %s failed unexpectedly", channel)
    return []


def deliver_digest(
    digest: Digest,
    config: Config,
    data_dir: Path,
    environ: Mapping[str, str],
    *,
    notifier: Notifier | None = None,
) -> list[str]:
    """Deliver the digest by every channel ``config.delivery`` turns on.

    Returns what was delivered, one entry each: ``"file:PATH"``, ``"notification"``,
    ``"mailbox:ACCOUNT/INBOX"``. A channel that fails is logged and left out. No
    notification is shown on a day with nothing to say.
    """
    on = config.delivery
    delivered: list[str] = []
    if on.files:
        delivered += _attempt(
            "files", lambda: [f"file:{p}" for p in write_files(digest, Path(data_dir))]
        )
    if on.notify:
        text = summary(digest)
        notify = notifier or desktop_notify
        if text:
            delivered += _attempt(
                "notification", lambda: ["notification"] if notify(APP_TITLE, text) else []
            )
    if on.mailbox:
        delivered += _attempt(
            "mailbox", lambda: [f"mailbox:{append_to_inbox(digest, config, environ)}"]
        )
    return delivered  # the caller logs it, once
