"""The scenario mailboxes of test_scenarios.py on a second real IMAP server: Cyrus IMAP.

Cyrus comes from Debian's packages, unpacked next to the Dovecot the other tests use (see
tests/cyrus.py), and runs in both namespace layouts: "classic" (Debian's imapd.conf: every
folder below INBOX, "." between levels: ``INBOX.Jobs.Quanta Pay``) and "unix" (Cyrus 3's
upstream default: ``Jobs/Quanta Pay``). For each scenario: ``feedback-watcher sync`` exits 0,
every thread of ``digest --json`` equals expected.json, no flag changes, and a second sync
fetches nothing. When a sync fails, the assertion carries the end of Cyrus's log of the
IMAP conversation, so the server's answer is in the report.
"""

from __future__ import annotations

import pytest
import scenario_runs
from conftest import CyrusMailbox
from scenario_runs import (
    NAMES,
    cases,
    check_no_unexpected_threads,
    check_not_tracked,
    check_thread,
    load_and_run,
)

pytestmark = [pytest.mark.cyrus, pytest.mark.slow]

# Threads the product gets wrong on every server (scenario_runs.KNOWN_WRONG) and those it gets
# wrong only on Cyrus, by (scenario, request Message-ID); strict=False so a fix shows as XPASS.
KNOWN_WRONG: dict[tuple[str, str], str] = {**scenario_runs.KNOWN_WRONG}


@pytest.fixture(scope="module")
def runs(cyrus, tmp_path_factory):
    """Each scenario loaded into the layout's Cyrus, synced twice and digested, on first use."""
    done: dict = {}

    def get(name: str):
        if name not in done:
            user = f"scenario-{name.replace('_', '-')}"
            mb = CyrusMailbox(cyrus, user, tmp_path_factory.mktemp(f"{cyrus.layout}-{name}"))
            try:
                done[name] = load_and_run(name, mb, resync=True)
            except AssertionError as exc:
                done[name] = AssertionError(
                    f"{exc}\n--- Cyrus {cyrus.layout}, the IMAP conversation's end ---\n"
                    + mb.telemetry()[-6000:]
                )
        if isinstance(done[name], AssertionError):
            raise done[name]
        return done[name]

    return get


@pytest.mark.parametrize("name,request_id", list(cases("threads", KNOWN_WRONG)))
def test_thread(runs, name, request_id):
    check_thread(runs(name), name, request_id)


@pytest.mark.parametrize("name,message_id", list(cases("not_requests", KNOWN_WRONG)))
def test_sent_mail_that_is_no_request_is_not_tracked(runs, name, message_id):
    check_not_tracked(runs(name), name, message_id)


@pytest.mark.parametrize("name", NAMES)
def test_no_unexpected_threads(runs, name):
    check_no_unexpected_threads(runs(name), name)


@pytest.mark.parametrize("name", NAMES)
def test_sync_and_digest_change_no_flags(runs, name):
    run = runs(name)
    assert run.flags_after == run.flags_before
    assert all(
        b"\\Seen" not in flags for folder in run.flags_after.values() for flags in folder.values()
    )


@pytest.mark.parametrize("name", NAMES)
def test_second_sync_fetches_nothing(runs, name):
    run = runs(name)
    assert run.resync_code == 0, run.resync_output
    assert " 0 messages fetched, 0 new," in run.resync_output, run.resync_output
    assert " 0 messages fetched" not in run.sync_output, run.sync_output


def test_the_layout_is_the_one_asked_for(cyrus_mailbox):
    """Guards the fixture: "classic" really lists INBOX.Jobs.Quanta Pay with "." as separator."""
    cyrus_mailbox.append("Jobs/Quanta Pay", b"Subject: x\r\n\r\nx\r\n")
    c = cyrus_mailbox.server.client(cyrus_mailbox.user)
    try:
        listed = {name: (flags, sep) for flags, sep, name in c.list_folders()}
    finally:
        c.logout()
    server = cyrus_mailbox.server
    want = "INBOX.Jobs.Quanta Pay" if server.layout == "classic" else "Jobs/Quanta Pay"
    assert want in listed, sorted(listed)
    assert listed[want][1] == server.separator.encode()
    assert b"\\Sent" in listed[server.folder("Sent")][0]
