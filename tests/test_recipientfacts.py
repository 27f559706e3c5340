"""Facts about a first ask's recipient, read from the mailbox's headers (a real Dovecot, a
Maildir): a company that sent an interview invitation and a rejection, against the user's
mother on gmail.com. Only derived facts are stored; no flag changes; a server that refuses
the search costs a log line, not the sync."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from imapquirks import FETCH_COMMANDS, ImapQuirkProxy, RefuseSearch
from mailfactory import make_message

from watcher.classify.features import RecipientFacts
from watcher.config import Account, load_config
from watcher.credentials import get_secret
from watcher.imap import ImapSource
from watcher.labels import RequestVerdict
from watcher.localmail import MaildirSource
from watcher.storage import Store
from watcher.sync import AccountSync

NOW = datetime.now(timezone.utc).replace(microsecond=0)
HR = "hr@company.example"
MUM = "mum@gmail.com"


def _mail(user: str, address: str) -> dict[str, list[tuple[bytes, datetime]]]:
    """Folder -> [(message, arrival)]: the company's invitation (INBOX, from a person) and
    rejection (a user folder, from its ATS), the mother's chat, and two sent messages."""

    def msg(n: str, sender: str, to: str, subject: str, body: str, days: int, **headers: str):
        when = NOW - timedelta(days=days)
        raw = make_message(
            sender=sender,
            to=to,
            subject=subject,
            body=body,
            date=when,
            message_id=f"<{n}.{user}@test.example>",
            headers=headers or None,
        )
        return raw, when

    me = f"Sam Seeker <{address}>"
    return {
        "INBOX": [
            msg(
                "invite",
                f"Dana Hoyt <{HR}>",
                address,
                "Invitation to interview for the Data Analyst role",
                "We would like to invite you to an interview on Tuesday.",
                30,
            ),
            msg("mumchat", f"Mum <{MUM}>", address, "Sunday lunch", "Come round at one?", 12),
        ],
        "Jobs": [
            msg(
                "reject",
                "Company Careers <no-reply@company.example>",
                address,
                "Your application for Data Analyst",
                "Thank you for your interest; we have decided to move forward with others.",
                10,
                **{"List-Unsubscribe": "<mailto:unsubscribe@company.example>"},
            )
        ],
        "Sent": [
            msg(
                "ask",
                me,
                f"HR <{HR}>",
                "Data Analyst",
                "Thank you for letting me know. Could you tell me what I could have done "
                "better in the interview?",
                5,
            ),
            msg(
                "tomum",
                me,
                f"Mum <{MUM}>",
                "Re: Sunday lunch",
                "Lunch sounds lovely. I asked them for feedback but heard nothing yet. "
                "Any feedback on the cake idea?",
                4,
            ),
        ],
    }


class Recorder:
    """A request detector that says "unsure" (P 0.5) to everything and keeps what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, RecipientFacts]]] = []

    def __call__(self, messages, facts, own):
        self.calls.append(([m.message_id for m in messages], dict(facts)))
        return [(m.key, RequestVerdict.UNSURE, 0.5) for m in messages]

    def last_facts(self, address: str) -> RecipientFacts:
        return next(f[address] for _, f in reversed(self.calls) if address in f)


def _sync(source, store: Store, account: Account, detector: Recorder):
    try:
        return AccountSync(
            source, store, account, now=NOW, lookback_days=180, detect_requests=detector
        ).run()
    finally:
        source.close()


def _check_facts(detector: Recorder, store: Store, account: str) -> None:
    # Judged once without the mailbox's facts, then again with them.
    assert len(detector.calls) == 2
    assert detector.calls[0][1][HR] == RecipientFacts()
    hr, mum = detector.last_facts(HR), detector.last_facts(MUM)
    assert hr.hiring_mail and hr.domain_hiring_mail and hr.messages == 1
    assert not mum.hiring_mail and not mum.domain_hiring_mail and mum.messages == 1
    facts = store.seen_facts(account, [HR, "@company.example", MUM])
    assert set(facts) == {HR, "@company.example", MUM}
    # The invitation (a person) for the address; the ATS's rejection only for the domain.
    assert facts[HR].first_hiring == facts[HR].latest_hiring == NOW - timedelta(days=30)
    assert facts["@company.example"].latest_hiring == NOW - timedelta(days=10)
    assert facts["@company.example"].messages == 2
    assert facts[MUM].first_hiring is None and facts[MUM].messages == 1
    assert all(f.checked_at == NOW for f in facts.values())


@pytest.mark.dovecot
def test_facts_from_the_mailbox_headers_only(mailbox):
    for folder, items in _mail(mailbox.user, mailbox.address).items():
        for raw, when in items:
            mailbox.append(folder, raw, when=when)
    before = {f: mailbox.flags(f) for f in ("INBOX", "Jobs", "Sent")}
    with ImapQuirkProxy(mailbox.server.port) as proxy:
        mailbox.port = proxy.port
        mailbox.write_config()
        account = load_config(mailbox.config_path).accounts[0]
        store = Store.open(mailbox.data_dir)
        detector = Recorder()
        source = ImapSource(account, get_secret(account, mailbox.environ))
        report = _sync(source, store, account, detector)
    assert proxy.log.errors == []
    _check_facts(detector, store, "test")
    # The state holds the two sent messages and nothing the lookup read.
    assert {m.message_id for m in store.messages()} == {
        f"<ask.{mailbox.user}@test.example>",
        f"<tomum.{mailbox.user}@test.example>",
    }
    # A first sync: the lookup rides on the own-mail SEARCH of INBOX and Jobs (sent mail read
    # and judged first), so no SEARCH of its own.
    assert report.fact_searches == 0
    assert report.fact_headers == 3
    searches = [bytes(c.raw) for c in proxy.log.commands if c.name == "UID SEARCH"]
    own = mailbox.address.encode()
    folded = [
        s
        for s in searches
        if b"SINCE" in s and b"FROM @company.example" in s and b"FROM mum@gmail.com" in s
    ]
    assert len(folded) == 2 and all(b"FROM " + own in s for s in folded)
    fetches = [bytes(c.raw) for c in proxy.log.commands if c.name in FETCH_COMMANDS]
    header_fetches = [f for f in fetches if b"HEADER.FIELDS (FROM DATE SUBJECT" in f]
    assert len(header_fetches) == 2
    assert all(b"BODY.PEEK[HEADER.FIELDS" in f and b"BODY[" not in f for f in header_fetches)
    assert not any(b"BODY[" in f for f in fetches)  # only ever BODY.PEEK
    assert {f: mailbox.flags(f) for f in ("INBOX", "Jobs", "Sent")} == before
    # A second sync has nothing new to judge: no lookup at all.
    mailbox.port = mailbox.server.port
    mailbox.write_config()
    account = load_config(mailbox.config_path).accounts[0]
    again = Recorder()
    source = ImapSource(account, get_secret(account, mailbox.environ))
    report = _sync(source, store, account, again)
    assert again.calls == [] and report.fact_searches == 0 and report.searches == 0


@pytest.mark.dovecot
def test_a_server_refusing_the_search_by_sender_costs_a_log_line(mailbox, caplog):
    for folder, items in _mail(mailbox.user, mailbox.address).items():
        for raw, when in items:
            mailbox.append(folder, raw, when=when)

    def by_recipient(keys, _criteria):
        values = {a.value for k in keys if k.name == "FROM" for a in k.args}
        return bool(values & {b"@company.example", MUM.encode()})

    with ImapQuirkProxy(mailbox.server.port, RefuseSearch(by_recipient, "BAD no")) as proxy:
        mailbox.port = proxy.port
        mailbox.write_config()
        account = load_config(mailbox.config_path).accounts[0]
        store = Store.open(mailbox.data_dir)
        detector = Recorder()
        source = ImapSource(account, get_secret(account, mailbox.environ))
        with caplog.at_level(logging.WARNING):
            report = _sync(source, store, account, detector)
    assert report.refused == {} and not report.may_have_missed_mail
    assert len(detector.calls) == 1  # judged once, without the mailbox's facts
    assert store.seen_facts("test", [HR, "@company.example", MUM]) == {}
    assert "refused a search by sender" in caplog.text
    # Nested OR, flat OR, then one key per SEARCH (its first key refused): nothing else lost.
    assert report.fact_searches == 3
    assert len(store.messages(own=True)) == 2


def _maildir(root: Path, user: str, address: str) -> None:
    places = {"INBOX": root, "Jobs": root / ".Jobs", "Sent": root / ".Sent"}
    n = 0
    for folder, items in _mail(user, address).items():
        for raw, when in items:
            cur = places[folder] / "cur"
            cur.mkdir(parents=True, exist_ok=True)
            n += 1
            path = cur / f"{int(when.timestamp())}.M{n}P1.test:2,"
            path.write_bytes(raw)
            os.utime(path, (when.timestamp(), when.timestamp()))


def test_a_maildir_gives_the_same_facts(tmp_path):
    address = "sam@jobs.example"
    _maildir(tmp_path / "mail", "local", address)
    account = Account(name="local", host="", username=address, maildir=str(tmp_path / "mail"))
    store = Store.open(tmp_path / "data")
    detector = Recorder()
    report = _sync(MaildirSource(tmp_path / "mail"), store, account, detector)
    _check_facts(detector, store, "local")
    assert report.fact_headers == 3
    assert len(store.messages()) == 2


class Promoter(Recorder):
    """Says "yes" (0.7) to a message whose recipient has written hiring mail, else "unsure"."""

    def __call__(self, messages, facts, own):
        super().__call__(messages, facts, own)
        out = []
        for m in messages:
            f = facts.get(m.recipients[0].email.lower(), RecipientFacts())
            hiring = f.hiring_mail or f.domain_hiring_mail
            out.append((m.key, RequestVerdict.YES if hiring else RequestVerdict.UNSURE, 0.5))
        return out


def test_a_fact_from_the_mailbox_makes_an_ask_unsure_not_tracked(tmp_path):
    """Until the request model learns from real facts (it learnt from simulated, rare ones), a
    fact the lookup found may make the digest ask the user, never start a thread by itself."""
    address = "sam@jobs.example"
    _maildir(tmp_path / "mail", "local", address)
    account = Account(name="local", host="", username=address, maildir=str(tmp_path / "mail"))
    store = Store.open(tmp_path / "data")
    _sync(MaildirSource(tmp_path / "mail"), store, account, Promoter())
    marks = {m.message_id: store.request_marks()[m.ref] for m in store.messages(own=True)}
    ask = marks["<ask.local@test.example>"]
    assert not ask.is_request and ask.unsure
