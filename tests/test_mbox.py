"""An mbox file as a read-only source: a Takeout-style export synced through the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import os
from datetime import datetime, timedelta, timezone

from mailfactory import make_message

from watcher.cli import main

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
ME = "sam@mail.example"


def _mbox(path, messages: list[tuple[bytes, str]]) -> None:
    """Write an mboxrd file as Takeout does: a From line, X-Gmail-Labels, escaped From lines."""
    with open(path, "wb") as f:
        for raw, labels in messages:
            f.write(b"From 1790000000000000000@xxx Mon Mar 03 09:00:00 +0000 2025\n")
            f.write(f"X-Gmail-Labels: {labels}\n".encode())
            body = raw.replace(b"\r\n", b"\n")
            body = b"\n".join(
                b">" + line if line.startswith(b"From ") else line for line in body.split(b"\n")
            )
            f.write(body.rstrip(b"\n") + b"\n\n")


def _run(tmp_path, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "--config",
                str(tmp_path / "config.toml"),
                "--data-dir",
                str(tmp_path / "data"),
                *argv,
            ],
            {},
        )
    return code, out.getvalue()


def test_a_takeout_mbox_is_synced_read_only_without_spam_and_trash(tmp_path):
    request = make_message(
        sender=f"Sam <{ME}>",
        to="Dana <dana@acme.example>",
        subject="Feedback on my interview",
        date=T0,
        body="Thanks again. How do I stack up against the other candidates, "
        "and what could I have done better?",
        message_id="<req@mail.example>",
    )
    reply = make_message(
        sender="Dana <dana@acme.example>",
        to=ME,
        subject="Re: Feedback on my interview",
        date=T0 + timedelta(days=2),
        body="Your SQL was strong.\nFrom my side: the case study lacked a "
        "recommendation, which decided it.",
        message_id="<rep@acme.example>",
        in_reply_to="<req@mail.example>",
    )
    spam = make_message(
        sender="Dana <dana@acme.example>",
        to=ME,
        subject="Re: Feedback",
        date=T0 + timedelta(days=3),
        body="Buy now",
        message_id="<spam@x.example>",
        in_reply_to="<req@mail.example>",
    )
    path = tmp_path / "All mail Including Spam and Trash.mbox"
    _mbox(path, [(request, "Sent"), (reply, "Inbox,Opened,Jobs"), (spam, "Spam")])
    os.chmod(path, 0o444)
    before = path.read_bytes()
    (tmp_path / "config.toml").write_text(
        f'[[accounts]]\nname = "takeout"\nmbox = "{path}"\naddresses = ["{ME}"]\n'
    )
    code, out = _run(tmp_path, "sync")
    assert code == 0, out
    code, out = _run(tmp_path, "digest", "--json", "--now", (T0 + timedelta(days=4)).isoformat())
    [thread] = json.loads(out)["threads"]
    assert [r["message_id"] for r in thread["replies"]] == ["<rep@acme.example>"]
    assert "From my side" in thread["replies"][0]["text"]  # the mboxrd escape is undone
    assert path.read_bytes() == before
    code, out = _run(tmp_path, "sync")
    assert code == 0 and "0 messages fetched" in out
