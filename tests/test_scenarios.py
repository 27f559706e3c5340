"""End to end over a real Dovecot: seven job seekers' mailboxes, sync, then the digest as JSON.

Each scenario under tests/scenarios/<name>/ is a folder tree of real .eml files (the folder
path is the IMAP folder) and an expected.json (the judgements written by hand next to each
message in scenarios/make_scenarios.py): for every feedback request its asks, status, due ask,
gone-quiet and undeliverable flags, its replies and their labels; and the sent messages that
are not requests. The mailbox is APPENDed as it is,
``feedback-watcher sync`` and ``digest --json --now ...`` run through ``main()``, and every
thread is checked on its own, so one wrong thread names itself. The loading and comparing
live in scenario_runs.py, shared with test_servers_cyrus.py.
"""

from __future__ import annotations

import pytest
from conftest import Mailbox
from scenario_runs import (
    KNOWN_WRONG,
    NAMES,
    cases,
    check_no_unexpected_threads,
    check_not_tracked,
    check_thread,
    expected,
    folders,
    load_and_run,
)

pytestmark = pytest.mark.dovecot


@pytest.fixture(scope="module")
def runs(dovecot, tmp_path_factory):
    """Each scenario loaded, synced and digested once, on first use.

    Models the package does not ship are rebuilt once into the shared cache directory
    (watcher.classify.classifier.cache_dir), not per data dir, so only the first scenario pays
    for it.
    """
    done = {}

    def get(name: str):
        if name not in done:
            user = f"scenario-{name.replace('_', '-')}"
            mb = Mailbox(dovecot, user, tmp_path_factory.mktemp(name))
            done[name] = load_and_run(name, mb)
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


def test_scenarios_are_real_rfc5322_and_consistent():
    """Every file parses as a message with a Message-ID and Date; expected ids all exist."""
    from email import message_from_bytes, policy

    assert len(NAMES) >= 4
    for name in NAMES:
        want = expected(name)
        ids = set()
        for paths in folders(name).values():
            for path in paths:
                raw = path.read_bytes()
                assert b"\n" not in raw.replace(b"\r\n", b""), f"{path}: bare LF"
                msg = message_from_bytes(raw, policy=policy.default)
                assert msg["Message-ID"] and msg["Date"] and msg["From"], path
                assert not msg.defects, (path, msg.defects)
                ids.add(str(msg["Message-ID"]).strip())  # a folded header keeps its space
        for t in want["threads"]:
            assert set(t["ask_message_ids"]) | set(t["replies"]) <= ids, (name, t)
            assert t["asks"] == len(t["ask_message_ids"])
            assert sorted(t["reply_labels"]) == t["replies"]
        assert set(want["not_requests"]) <= ids
