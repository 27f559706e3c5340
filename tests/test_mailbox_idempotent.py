"""Writes into the mailbox are idempotent: a draft saved twice, or the day's digest delivered
twice, leaves one message, also where the server refuses SEARCH HEADER."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from imapquirks import ImapQuirkProxy, refuse_header_search
from mailfactory import make_message
from test_delivery import _digest

from watcher.cli import main
from watcher.config import load_config
from watcher.delivery import deliver_digest

pytestmark = pytest.mark.dovecot

NOW = datetime.now(timezone.utc)


def _count(mailbox, folder: str) -> int:
    return len(mailbox.flags(folder))


def _due_request(mailbox) -> str:
    mid = f"<due.{mailbox.user}@jobs.example>"
    mailbox.append(
        "Sent",
        make_message(
            sender=f"Sam Seeker <{mailbox.address}>",
            to="Dana Cole <dana@acme.example>",
            subject="Interview feedback",
            date=NOW - timedelta(days=14),
            body="Could you tell me how I compared with the other candidates, and "
            "what I could have done better?",
            message_id=mid,
        ),
    )
    return mid


def _via_proxy(mailbox, port: int) -> None:
    text = mailbox.config_path.read_text()
    mailbox.config_path.write_text(re.sub(r"port = \d+", f"port = {port}", text))


@pytest.mark.parametrize("header_search", [True, False], ids=["search", "no HEADER search"])
def test_draft_to_mailbox_twice_leaves_one_draft(mailbox, capsys, header_search):
    mid = _due_request(mailbox)
    assert main(mailbox.cli("sync"), mailbox.environ) == 0
    quirk = refuse_header_search() if not header_search else None
    with ImapQuirkProxy(mailbox.server.port, *([quirk] if quirk else [])) as proxy:
        _via_proxy(mailbox, proxy.port)
        for _ in range(2):
            assert main(mailbox.cli("draft", mid, "--to-mailbox"), mailbox.environ) == 0
    out = capsys.readouterr().out
    assert "(saved in Drafts; nothing was sent)" in out
    assert "(already in Drafts; nothing was sent)" in out
    assert _count(mailbox, "Drafts") == 1


def test_the_days_digest_is_appended_once(mailbox, tmp_path):
    mailbox.write_config(extra_top="[delivery]\nmailbox = true\nnotify = false\nfiles = false")
    config = load_config(mailbox.config_path)
    first = deliver_digest(_digest(), config, tmp_path, mailbox.environ)
    again = deliver_digest(_digest(), config, tmp_path, mailbox.environ)
    assert first == ["mailbox:test/INBOX"]
    assert again == ["mailbox:test/INBOX (already there)"]
    assert _count(mailbox, "INBOX") == 1
    # The next day's digest is a new message.
    later = _digest()
    from dataclasses import replace

    deliver_digest(
        replace(later, now=later.now + timedelta(days=1)), config, tmp_path, {**mailbox.environ}
    )
    assert _count(mailbox, "INBOX") == 2
