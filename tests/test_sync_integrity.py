"""The sync never loses a reply and keeps only what it needs: against a real Dovecot and a real
state file. (Servers that leave messages out or refuse folders are in test_servers.py.)"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from mailfactory import make_message
from test_sync_imap import _request, _sync

from watcher.cli import main
from watcher.imap import ImapSource
from watcher.mailsource import SearchQuery
from watcher.storage import MIGRATIONS, Store

pytestmark = pytest.mark.dovecot

NOW = datetime.now(timezone.utc)


def _reply(
    mb,
    n: int,
    body: str,
    *,
    days_after: int,
    sender: str = "Dana <dana@acme.example>",
    message_id: str | None = None,
    headers: dict | None = None,
) -> bytes:
    return make_message(
        sender=sender,
        to=mb.address,
        subject=f"Re: Feedback on my interview {n}",
        body=body,
        date=NOW - timedelta(days=10 - n) + timedelta(days=days_after),
        message_id=message_id or f"<rep{n}.{days_after}.{mb.user}@acme.example>",
        in_reply_to=f"<req{n}.{mb.user}@jobs.example>",
        headers=headers,
    )


def _digest(mb) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(mb.cli("digest", "--json"), mb.environ) == 0
    return json.loads(out.getvalue())


def test_two_messages_sharing_a_message_id_are_both_kept_and_both_count(mailbox):
    # An ATS reuses the id: a holding reply, then a week later the real feedback.
    shared = f"<ats-4711.{mailbox.user}@acme.example>"
    mailbox.append("Sent", _request(mailbox, 1))
    mailbox.append(
        "INBOX",
        _reply(
            mailbox,
            1,
            "Thanks, I'll come back to you next week after talking to the panel.",
            days_after=1,
            message_id=shared,
        ),
        _reply(
            mailbox,
            1,
            "Your SQL was among the strongest we saw, but the case study lacked a "
            "clear recommendation; that is what decided it.",
            days_after=6,
            message_id=shared,
        ),
    )
    report, _, store = _sync(mailbox)
    assert len(store.messages_with_id(shared)) == 2
    store.close()
    thread = _digest(mailbox)["threads"][0]
    assert [r["message_id"] for r in thread["replies"]] == [shared, shared]
    assert thread["status"] == "feedback" and thread["due"] is None


def test_the_same_message_in_two_folders_is_stored_once(mailbox):
    reply = _reply(
        mailbox, 1, "Your portfolio was strong; the task missed user research.", days_after=2
    )
    mailbox.append("Sent", _request(mailbox, 1))
    mailbox.append("INBOX", reply)
    mailbox.append("Archive", reply)
    _, _, store = _sync(mailbox)
    [stored] = store.messages_with_id(f"<rep1.2.{mailbox.user}@acme.example>")
    assert store.location_count("test", "INBOX") == store.location_count("test", "Archive") == 1
    assert stored.ref > 0
    store.close()


def test_newsletters_from_the_company_and_a_friend_on_free_mail_are_not_kept(mailbox):
    mailbox.append("Sent", _request(mailbox, 1, to="Rik <rik.recruiter@hotmail.nl>"))
    later = NOW - timedelta(days=5)
    mailbox.append(
        "INBOX",
        make_message(
            sender="Rik <rik.recruiter@hotmail.nl>",
            to=mailbox.address,
            subject="Re: Feedback on my interview 1",
            body="The team liked your energy but wanted more SAP experience.",
            date=later,
            message_id=f"<rik.{mailbox.user}@hotmail.nl>",
            in_reply_to=f"<req1.{mailbox.user}@jobs.example>",
        ),
        # A friend on the recruiter's free-mail domain.
        make_message(
            sender="Mila <mila.vos@hotmail.nl>",
            to=mailbox.address,
            subject="Etentje zaterdag?",
            body="Heb je zin om zaterdag te komen eten?",
            date=later,
            message_id=f"<mila.{mailbox.user}@hotmail.nl>",
        ),
    )
    mailbox.append("Sent", _request(mailbox, 2, to="Dana <dana@acme.example>"))
    mailbox.append(
        "INBOX",
        *[
            make_message(
                sender="Acme Careers <careers-news@acme.example>",
                to=mailbox.address,
                subject=f"New roles at Acme, week {k}",
                body="See our open roles.",
                date=later + timedelta(hours=k),
                message_id=f"<news{k}@acme.example>",
                headers={"List-Unsubscribe": "<mailto:unsub@acme.example>"},
            )
            for k in range(30)
        ],
        make_message(
            sender="Acme <no-reply@acme.example>",
            to=mailbox.address,
            subject="Your password was changed",
            body="Your password was changed.",
            date=later,
            message_id=f"<pw.{mailbox.user}@acme.example>",
        ),
    )
    report, _, store = _sync(mailbox)
    assert report.pruned >= 31
    kept = {m.message_id for m in store.messages(own=False)}
    assert kept == {f"<rik.{mailbox.user}@hotmail.nl>"}
    store.close()
    # The next sync fetches none of the passed-over mail again.
    report2, _, store = _sync(mailbox)
    assert report2.fetched == 0
    store.close()


def test_a_reply_deleted_on_the_server_is_marked_gone_and_keeps_its_label(mailbox, capsys):
    mailbox.append("Sent", _request(mailbox, 1))
    mailbox.append(
        "INBOX",
        _reply(mailbox, 1, "We decided not to move forward with your application.", days_after=2),
    )
    _, _, store = _sync(mailbox)
    store.close()
    before = _digest(mailbox)["threads"][0]
    assert before["status"] == "rejection"
    client = mailbox.server.client(mailbox.user)
    client.select_folder("INBOX")
    client.delete_messages(client.search(["ALL"]))
    client.expunge()
    client.logout()
    report, _, store = _sync(mailbox)
    assert report.expunged == 1
    assert store.gone_count("test") == 1
    store.close()
    after = _digest(mailbox)["threads"][0]
    assert after["status"] == "rejection" and after["due"] is None  # not "chase them again"
    capsys.readouterr()
    assert main(mailbox.cli("status"), mailbox.environ) == 0
    assert "(1 since deleted on the server)" in capsys.readouterr().out


def test_a_moved_reply_is_the_same_message(mailbox):
    mailbox.append("Sent", _request(mailbox, 1))
    mailbox.append(
        "INBOX", _reply(mailbox, 1, "Your pitch was clear; pricing was vague.", days_after=2)
    )
    _, _, store = _sync(mailbox)
    store.close()
    client = mailbox.server.client(mailbox.user)
    client.select_folder("INBOX")
    client.move(client.search(["ALL"]), "Archive")
    client.logout()
    report, _, store = _sync(mailbox)
    assert store.gone_count("test") == 0 and report.new_messages == 0
    assert len(store.messages(own=False)) == 1
    store.close()


def test_search_answers_are_asked_for_in_uid_spans(mailbox, monkeypatch):
    import watcher.imap as imap

    mailbox.append(
        "INBOX",
        *[
            make_message(
                sender="Dana <dana@acme.example>",
                to=mailbox.address,
                subject=f"n{k}",
                body="x",
                date=NOW,
                message_id=f"<s{k}.{mailbox.user}@acme.example>",
            )
            for k in range(25)
        ],
    )
    from watcher.config import load_config
    from watcher.credentials import get_secret

    account = load_config(mailbox.config_path).accounts[0]
    query = SearchQuery(1, 25, None, ("dana@acme.example",))
    source = ImapSource(account, get_secret(account, mailbox.environ))
    try:
        whole = source.search("INBOX", query)
        monkeypatch.setattr(imap, "SEARCH_UID_SPAN", 4)
        assert source.search("INBOX", query) == whole == list(range(1, 26))
        assert source.search("INBOX", query, "flat") == whole
    finally:
        source.close()


def _v1_state(path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    row = (
        "acct",
        0,
        "2025-03-04T10:00:00+00:00",
        "dana@acme.example",
        "Dana",
        "[]",
        "[]",
        "[]",
        "Re: x",
        "x",
        None,
        "[]",
        "{}",
        "Thanks",
        None,
    )
    cols = (
        "account, own, date, sender, sender_name, to_addrs, cc_addrs, reply_to, subject, "
        "normalized_subject, in_reply_to, refs, signals, body_text, body_html"
    )
    conn.execute(
        f"INSERT INTO messages (message_id, {cols}) VALUES (?, {', '.join('?' * 15)})",
        ("<r@acme>", *row),
    )
    conn.execute(
        f"INSERT INTO messages (message_id, {cols}) VALUES (?, {', '.join('?' * 15)})",
        ("<s@me>", "acct", 1, *row[2:]),
    )
    conn.execute("INSERT INTO locations VALUES ('acct', 'INBOX', 7, '<r@acme>')")
    conn.execute("INSERT INTO labels VALUES ('<r@acme>', 'rejection', 0.8, 'reply-shipped-x')")
    conn.execute("INSERT INTO corrections VALUES ('<r@acme>', 'feedback', '2025-03-05')")
    conn.execute("INSERT INTO request_marks VALUES ('<s@me>', 1, 'user', NULL)")
    conn.close()


def test_a_version_1_state_file_migrates_without_losing_a_label_or_a_mark(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _v1_state(data / "state.sqlite3")
    store = Store.open(data)
    [reply] = store.messages_with_id("<r@acme>")
    [sent] = store.messages_with_id("<s@me>")
    assert store.labels()[reply.ref].label == "rejection"
    assert store.corrections() == {reply.ref: "feedback"}
    assert store.request_marks()[sent.ref].source == "user"
    assert store.known_uids("acct", "INBOX") == {7}
    store.close()


def test_several_commands_starting_at_once_on_a_new_data_directory_all_work(tmp_path):
    data = tmp_path / "data"
    code = (
        "import sys; from pathlib import Path; from watcher.storage import Store; "
        "Store.open(Path(sys.argv[1])).close()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(data)], stderr=subprocess.PIPE)
        for _ in range(8)
    ]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    conn = sqlite3.connect(data / "state.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    conn.close()


def test_after_a_failed_sync_the_digest_proposes_no_ask_for_that_account(mailbox, capsys):
    mailbox.append("Sent", _request(mailbox, 1))
    assert main(mailbox.cli("sync"), mailbox.environ) == 0
    later = (NOW + timedelta(days=30)).isoformat()
    capsys.readouterr()
    assert main(mailbox.cli("digest", "--now", later), mailbox.environ) == 0
    assert "Due for a second ask" in capsys.readouterr().out
    assert main(mailbox.cli("sync"), {"FW_TEST_PASSWORD": "wrong"}) == 3
    capsys.readouterr()
    assert main(mailbox.cli("digest", "--now", later), mailbox.environ) == 0
    out = capsys.readouterr().out
    warning = [line for line in out.splitlines() if line.startswith("WARNING")]
    assert len(warning) == 1 and "refused the login" in warning[0]
    assert "Due for" not in out and "draft" not in out
    assert "Not checked: an answer may be waiting on the server (1)" in out
    # The next complete sync lifts it.
    assert main(mailbox.cli("sync"), mailbox.environ) == 0
    capsys.readouterr()
    assert main(mailbox.cli("digest", "--now", later), mailbox.environ) == 0
    assert "Due for a second ask" in capsys.readouterr().out
