"""Files and trust: a config others can change is warned about (its password_command runs at
every poll), a maildir path that holds no Maildir is warned about, and links inside a Maildir
are never followed out of it."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone

import pytest
from mailfactory import make_message

from watcher.cli import main
from watcher.storage import Store

NOW = datetime(2025, 3, 10, tzinfo=timezone.utc)


def _config(tmp_path, maildir, mode=0o600):
    path = tmp_path / "config.toml"
    path.write_text(
        f'lookback_days = 365\n[[accounts]]\nname = "local"\nmaildir = "{maildir}"\n'
        'addresses = ["sam@jobs.example"]\n'
    )
    os.chmod(path, mode)
    return ["--config", str(path), "--data-dir", str(tmp_path / "data")]


@pytest.mark.parametrize(
    "mode, warned", [(0o620, True), (0o602, True), (0o600, False), (0o640, False)]
)
def test_a_config_others_can_change_is_warned_about(tmp_path, caplog, mode, warned):
    (tmp_path / "mail" / "cur").mkdir(parents=True)
    argv = _config(tmp_path, tmp_path / "mail", mode)
    with caplog.at_level(logging.WARNING):
        assert main([*argv, "status"], {}) == 0
    said = "can be changed by other users" in caplog.text
    assert said == warned, caplog.text
    if warned:
        assert "password_command" in caplog.text and "chmod 600" in caplog.text


def test_a_maildir_path_with_no_maildir_in_it_is_warned_about(tmp_path, caplog):
    argv = _config(tmp_path, "/etc")
    with caplog.at_level(logging.WARNING):
        code = main([*argv, "sync", "--now", NOW.isoformat()], {})
    assert code == 0
    assert "maildir /etc holds no Maildir folder" in caplog.text


def _message(mid: str, sender: str, to: str, subject: str, **kw) -> bytes:
    return make_message(
        sender=sender,
        to=to,
        subject=subject,
        date=kw.pop("date", NOW - timedelta(days=3)),
        message_id=mid,
        body=kw.pop("body", "How do I stack up against the other candidates?"),
        **kw,
    )


def test_links_out_of_a_maildir_are_not_followed(tmp_path, caplog):
    root = tmp_path / "mail"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (root / sub).mkdir(parents=True)
    (root / ".Sent" / "cur" / "1.req:2,S").write_bytes(
        _message(
            "<req@jobs.example>",
            "Sam <sam@jobs.example>",
            "Dana <dana@acme.example>",
            "Interview feedback",
            date=NOW - timedelta(days=10),
        )
    )
    inside = root / "cur" / "2.rep:2,S"
    inside.write_bytes(
        _message(
            "<rep@acme.example>",
            "Dana <dana@acme.example>",
            "sam@jobs.example",
            "Re: Interview feedback",
            in_reply_to="<req@jobs.example>",
            body="Your SQL was strong.",
        )
    )
    # Outside the Maildir: a reply-shaped file and a whole folder, reached only by links.
    outside = tmp_path / "elsewhere"
    (outside / "cur").mkdir(parents=True)
    secret = _message(
        "<outside@acme.example>",
        "Dana <dana@acme.example>",
        "sam@jobs.example",
        "Re: Interview feedback",
        in_reply_to="<req@jobs.example>",
        body="This file lives outside the Maildir.",
    )
    (outside / "cur" / "9.x:2,S").write_bytes(secret)
    (outside / "loose.eml").write_bytes(secret)
    (root / "cur" / "3.link:2,S").symlink_to(outside / "loose.eml")
    (root / ".Evil").symlink_to(outside)
    (root / "cur" / "4.alias:2,S").symlink_to(inside)  # a link inside the Maildir is fine
    argv = _config(tmp_path, root)
    with caplog.at_level(logging.WARNING):
        assert main([*argv, "sync", "--now", NOW.isoformat()], {}) == 0
    assert "a link to outside it" in caplog.text
    store = Store.open(tmp_path / "data")
    try:
        assert not store.messages_with_id("<outside@acme.example>")
        assert store.messages_with_id("<rep@acme.example>")
        assert "Evil" not in {f.name for f in store.folders("local")}
    finally:
        store.close()
