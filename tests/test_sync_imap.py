"""The read-only incremental sync against a real Dovecot."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest
from mailfactory import make_message

from watcher.cli import main
from watcher.config import load_config
from watcher.credentials import get_secret
from watcher.imap import ImapSource
from watcher.service import lazy_request_detector
from watcher.storage import Store
from watcher.sync import AccountSync

pytestmark = pytest.mark.dovecot

NOW = datetime.now(timezone.utc)


def _request(mb, n: int, to: str = "dana@acme.example") -> bytes:
    return make_message(
        sender=f"Sam Seeker <{mb.address}>",
        to=to,
        subject=f"Feedback on my interview {n}",
        body="Thanks again for the interview. How do I stack up against the other candidates, "
        "and what could I have done better?",
        date=NOW - timedelta(days=10 - n),
        message_id=f"<req{n}.{mb.user}@jobs.example>",
    )


def _reply(mb, n: int, sender: str = "Dana <dana@acme.example>") -> bytes:
    return make_message(
        sender=sender,
        to=mb.address,
        subject=f"Re: Feedback on my interview {n}",
        body="Your SQL was strong, the case study lacked a clear recommendation.",
        date=NOW - timedelta(days=9 - n),
        message_id=f"<rep{n}.{mb.user}@acme.example>",
        in_reply_to=f"<req{n}.{mb.user}@jobs.example>",
    )


def _noise(mb, n: int) -> bytes:
    return make_message(
        sender="Jobs Weekly <alerts@jobboard.example>",
        to=mb.address,
        subject=f"10 new jobs {n}",
        body="New jobs matching your search.",
        date=NOW - timedelta(days=3),
        message_id=f"<noise{n}.{mb.user}@jobboard.example>",
    )


def _sync(mb):
    config = load_config(mb.config_path)
    account = config.accounts[0]
    store = Store.open(mb.data_dir)
    source = ImapSource(account, get_secret(account, mb.environ), count_traffic=True)
    try:
        report = AccountSync(
            source,
            store,
            account,
            now=NOW,
            lookback_days=180,
            detect_requests=lazy_request_detector(mb.data_dir),
        ).run()
    finally:
        source.close()
    stats = source.stats
    return report, stats, store


def _load_scenario(mb):
    mb.append("Sent", _request(mb, 1), _request(mb, 2, to="lee@globex.example"))
    mb.append("INBOX", _reply(mb, 1), _noise(mb, 1), _noise(mb, 2))
    mb.append("Archive", _reply(mb, 2, sender="Kim <kim@globex.example>"))
    mb.append("Trash", _reply(mb, 3, sender="Dana <dana@acme.example>"))


def test_first_sync_records_requests_and_replies_in_every_watched_folder(mailbox):
    _load_scenario(mailbox)
    report, _, store = _sync(mailbox)
    assert set(report.folders) == {"INBOX", "Sent", "Archive"}
    ids = {m.message_id for m in store.messages()}
    assert ids == {
        f"<req1.{mailbox.user}@jobs.example>",
        f"<req2.{mailbox.user}@jobs.example>",
        f"<rep1.{mailbox.user}@acme.example>",
        f"<rep2.{mailbox.user}@acme.example>",
    }
    assert report.requests == 2
    assert store.location_count("test", "Archive") == 1


def test_second_sync_with_nothing_new_fetches_nothing(mailbox):
    _load_scenario(mailbox)
    _sync(mailbox)
    report, stats, store = _sync(mailbox)
    assert report.fetched == 0 and report.searches == 0
    # LOGIN, LIST, one STATUS per watched folder, LOGOUT (and CAPABILITY chatter): no FETCH.
    assert stats.commands <= 3 + len(report.folders) + 2
    assert store.message_count() == 4


def test_traffic_is_counted_only_when_asked(mailbox):
    """Counting wraps imaplib's private connection object: the product never asks for it."""
    account = load_config(mailbox.config_path).accounts[0]
    source = ImapSource(account, get_secret(account, mailbox.environ))
    try:
        assert source.stats is None
        assert "send" not in vars(source.client._imap)  # the class's own method, unwrapped
    finally:
        source.close()


def test_message_appended_later_is_picked_up(mailbox):
    _load_scenario(mailbox)
    _sync(mailbox)
    late = _reply(mailbox, 1, sender="Dana <dana@acme.example>").replace(b"rep1.", b"late1.")
    mailbox.append("INBOX", late)
    report, _, store = _sync(mailbox)
    assert report.fetched == 1
    assert store.messages_with_id(f"<late1.{mailbox.user}@acme.example>")


def test_sync_changes_no_flags(mailbox):
    _load_scenario(mailbox)
    before = {f: mailbox.flags(f) for f in ("INBOX", "Sent", "Archive")}
    _sync(mailbox)
    _sync(mailbox)
    after = {f: mailbox.flags(f) for f in ("INBOX", "Sent", "Archive")}
    assert after == before
    assert all(b"\\Seen" not in flags for folder in after.values() for flags in folder.values())


def test_uidvalidity_change_reads_folder_again_without_duplicates(mailbox):
    _load_scenario(mailbox)
    _sync(mailbox)
    mailbox.server.reset_uidvalidity("INBOX", user=mailbox.user)
    report, _, store = _sync(mailbox)
    assert report.fetched == 1  # the INBOX reply again, found by search in the new numbering
    assert store.message_count() == 4
    assert store.location_count("test", "INBOX") == 1


def test_new_request_searches_older_mail_for_its_counterpart(mailbox):
    # A reply already in the INBOX is found once the request that it answers is synced.
    mailbox.append("INBOX", _reply(mailbox, 5, sender="Ola <ola@initech.example>"))
    _sync(mailbox)
    mailbox.append("Sent", _request(mailbox, 5, to="ola@initech.example"))
    report, _, store = _sync(mailbox)
    assert store.messages_with_id(f"<rep5.{mailbox.user}@acme.example>")


def test_cli_sync_and_status(mailbox, capsys):
    _load_scenario(mailbox)
    assert main(mailbox.cli("sync"), mailbox.environ) == 0
    out = capsys.readouterr().out
    assert "4 messages fetched" in out
    assert main(mailbox.cli("status"), mailbox.environ) == 0
    out = capsys.readouterr().out
    assert "last successful sync 20" in out and "Archive" in out


def test_wrong_password_is_one_clear_line(mailbox, capsys):
    env = {"FW_TEST_PASSWORD": "wrong"}
    assert main(mailbox.cli("sync"), env) == 3  # credentials, as the README documents
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [line for line in err if "Traceback" not in line]
    assert any("refused the login" in line for line in err)


def _tls_config(mailbox, ca_file: str | None) -> None:
    text = (
        mailbox.config_path.read_text()
        .replace('tls = "none"', 'tls = "ssl"')
        .replace(f"port = {mailbox.server.port}", f"port = {mailbox.server.ssl_port}")
    )
    if ca_file:
        text += f'ca_file = "{ca_file}"\n'
    mailbox.config_path.write_text(text)


def test_self_signed_certificate_refused_by_default(mailbox, capsys):
    _tls_config(mailbox, None)
    assert main(mailbox.cli("sync"), mailbox.environ) == 4
    assert "not trusted" in capsys.readouterr().err


def test_self_signed_certificate_accepted_with_ca_file(mailbox, capsys):
    ca = mailbox.tmp / "ca.pem"
    shutil.copy(mailbox.server.cert_file, ca)
    _tls_config(mailbox, str(ca))
    _load_scenario(mailbox)
    assert main(mailbox.cli("sync"), mailbox.environ) == 0
    assert "4 messages fetched" in capsys.readouterr().out


def test_plaintext_to_remote_host_refused(mailbox, capsys):
    text = mailbox.config_path.read_text().replace(
        'host = "127.0.0.1"', 'host = "imap.example.com"'
    )
    mailbox.config_path.write_text(text)
    assert main(mailbox.cli("sync"), mailbox.environ) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'tls = "none" is only allowed' in err


def test_old_mailbox_is_read_back_from_its_newest_mail(mailbox):
    # A copied or archived mailbox whose newest mail is two years old: "the last 180 days"
    # counts back from that mail, not from today.
    old = NOW - timedelta(days=730)
    req = make_message(
        sender=mailbox.address,
        to="dana@acme.example",
        subject="Feedback?",
        body="Could you tell me what I could have done better in the interview?",
        date=old,
        message_id=f"<old.{mailbox.user}@jobs.example>",
    )
    rep = make_message(
        sender="dana@acme.example",
        to=mailbox.address,
        subject="Re: Feedback?",
        body="Your answers on budgeting were too vague.",
        date=old + timedelta(days=1),
        message_id=f"<oldrep.{mailbox.user}@x>",
        in_reply_to=f"<old.{mailbox.user}@jobs.example>",
    )
    mailbox.append("Sent", req, when=old)
    mailbox.append("INBOX", rep, when=old + timedelta(days=1))
    report, _, store = _sync(mailbox)
    assert report.requests == 1
    assert store.messages_with_id(f"<oldrep.{mailbox.user}@x>")


def test_draft_to_mailbox_is_appended_to_drafts_and_nothing_else_changes(mailbox, capsys):
    # A request with no answer for two weeks: a second ask is due.
    old = NOW - timedelta(days=14)
    req = make_message(
        sender=f"Sam Seeker <{mailbox.address}>",
        to="Dana Cole <dana@acme.example>",
        subject="Interview feedback",
        date=old,
        body="Could you tell me how I compared with the other candidates, and "
        "what I could have done better?",
        message_id=f"<due.{mailbox.user}@jobs.example>",
    )
    mailbox.append("Sent", req)
    assert main(mailbox.cli("sync"), mailbox.environ) == 0
    assert main(mailbox.cli("draft", f"<due.{mailbox.user}@jobs.example>"), mailbox.environ) == 0
    printed = capsys.readouterr().out
    assert "Subject: Re: Interview feedback" in printed and "Hi Dana," in printed
    assert mailbox.flags("Drafts") == {}  # printing writes nothing
    assert (
        main(
            mailbox.cli("draft", f"due.{mailbox.user}@jobs.example", "--to-mailbox"),
            mailbox.environ,
        )
        == 0
    )
    flags = mailbox.flags("Drafts")
    assert len(flags) == 1 and b"\\Draft" in next(iter(flags.values()))
    c = mailbox.server.client(mailbox.user)
    try:
        c.select_folder("Drafts", readonly=True)
        raw = next(iter(c.fetch(c.search(["ALL"]), ["BODY.PEEK[]"]).values()))[b"BODY[]"]
    finally:
        c.logout()
    from email import message_from_bytes

    draft = message_from_bytes(raw)
    assert draft["In-Reply-To"] == f"<due.{mailbox.user}@jobs.example>"
    assert f"<due.{mailbox.user}@jobs.example>" in draft["References"]
    assert "dana@acme.example" in draft["To"] and mailbox.address in draft["From"]
    assert mailbox.flags("INBOX") == {}


def test_a_draft_is_neither_fetched_nor_an_ask(mailbox):
    """Gmail shows drafts in All Mail beside sent mail; only the \\Draft flag tells them apart."""
    mailbox.append("Sent", _request(mailbox, 1))
    mailbox.append("Sent", _request(mailbox, 2), flags=[b"\\Draft"])
    report, stats, store = _sync(mailbox)
    assert report.requests == 1 and report.fetched == 1
    assert {m.message_id for m in store.messages()} == {f"<req1.{mailbox.user}@jobs.example>"}
    again, _, _ = _sync(mailbox)
    assert again.fetched == 0 and again.withheld == 0 and not again.partial
