"""End to end over a real Dovecot: five job seekers' mailboxes, sync, then the digest as JSON.

Each scenario under tests/scenarios/<name>/ is a folder tree of real .eml files (the folder
path is the IMAP folder) and an expected.json (the judgements written by hand next to each
message in scenarios/make_scenarios.py): for every feedback request its asks, status, due ask,
gone-quiet and undeliverable flags, its replies and their labels; and the sent messages that
are not requests. The mailbox is APPENDed as it is,
``feedback-watcher sync`` and ``digest --json --now ...`` run through ``main()``, and every
thread is checked on its own, so one wrong thread names itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from scenariolib import NAMES, all_flags, digest, expected, files, folders, load, run

pytestmark = pytest.mark.dovecot

FIELDS = ("asks", "ask_message_ids", "status", "due", "gone_quiet", "undeliverable")

# Threads the product gets wrong today, by (scenario, request Message-ID): kept visible here
# rather than weakening expected.json. strict=False so a fix shows up as XPASS, not a failure.
KNOWN_WRONG: dict[tuple[str, str], str] = {}


@dataclass
class Run:
    expected: dict
    digest: dict
    flags_before: dict
    flags_after: dict

    def threads(self) -> dict[str, dict]:
        return {t["request_message_id"]: t for t in self.digest["threads"]}

    def right(self, want: dict) -> bool:
        got = self.threads().get(want["request_message_id"])
        return got is not None and not _differences(want, got)

    def summary(self) -> str:
        want = self.expected["threads"]
        got = self.threads()
        found = sum(t["request_message_id"] in got for t in want)
        right = sum(self.right(t) for t in want)
        extra = len(set(got) - {t["request_message_id"] for t in want})
        return (
            f"requests found {found}/{len(want)} (+{extra} not requests), "
            f"threads right {right}/{len(want)}"
        )


def _differences(want: dict, got: dict) -> list[str]:
    diffs = [f"{k}: expected {want[k]!r}, got {got[k]!r}" for k in FIELDS if want[k] != got[k]]
    got_labels = {r["message_id"]: r["label"] for r in got["replies"]}
    if sorted(got_labels) != want["replies"]:
        diffs.append(f"replies: expected {want['replies']}, got {sorted(got_labels)}")
    wrong = {
        mid: f"{want['reply_labels'][mid]} expected, got {got_labels[mid]}"
        for mid in set(got_labels) & set(want["reply_labels"])
        if got_labels[mid] != want["reply_labels"][mid]
    }
    if wrong:
        diffs.append(f"labels: {wrong}")
    return diffs


@pytest.fixture(scope="module")
def runs(dovecot, tmp_path_factory):
    """Each scenario loaded, synced and digested once, on first use.

    Models the package does not ship are rebuilt once into the shared cache directory
    (watcher.classify.classifier.cache_dir), not per data dir, so only the first scenario pays
    for it.
    """
    done: dict[str, Run] = {}

    def get(name: str) -> Run:
        if name not in done:
            done[name] = _run(name, dovecot, tmp_path_factory.mktemp(name))
        return done[name]

    return get


def _run(name: str, dovecot, tmp: Path) -> Run:
    mb = load(dovecot, name, f"scenario-{name.replace('_', '-')}", tmp)
    before = all_flags(mb)
    now = expected(name)["now"]
    code, out = run(mb, "sync", "--now", now)
    assert code == 0, out
    result = Run(expected(name), digest(mb, now), before, all_flags(mb))
    print(f"\n{name}: {result.summary()}")
    return result


def _cases(kind: str):
    for name in NAMES:
        want, names = expected(name), files(name)
        ids = (
            [t["request_message_id"] for t in want["threads"]]
            if kind == "threads"
            else want["not_requests"]
        )
        for mid in ids:
            reason = KNOWN_WRONG.get((name, mid))
            marks = [pytest.mark.xfail(strict=False, reason=reason)] if reason else []
            yield pytest.param(name, mid, id=f"{name}:{names.get(mid, mid)}", marks=marks)


@pytest.mark.parametrize("name,request_id", list(_cases("threads")))
def test_thread(runs, name, request_id):
    run = runs(name)
    want = next(t for t in run.expected["threads"] if t["request_message_id"] == request_id)
    got = run.threads().get(request_id)
    assert got is not None, (
        f"{name}: request {request_id} not found ({want['why']}); {run.summary()}"
    )
    diffs = _differences(want, got)
    assert not diffs, (
        f"{name} {request_id} ({want['why']}): " + "; ".join(diffs) + f" [{run.summary()}]"
    )


@pytest.mark.parametrize("name,message_id", list(_cases("not_requests")))
def test_sent_mail_that_is_no_request_is_not_tracked(runs, name, message_id):
    run = runs(name)
    asks = {a: t["request_message_id"] for t in run.digest["threads"] for a in t["ask_message_ids"]}
    assert message_id not in asks, (
        f"{name}: {message_id} counted as an ask of {asks.get(message_id)}; {run.summary()}"
    )


@pytest.mark.parametrize("name", NAMES)
def test_no_unexpected_threads(runs, name):
    run = runs(name)
    known = {t["request_message_id"] for t in run.expected["threads"]}
    known |= set(run.expected["not_requests"])  # reported by the test above
    extra = sorted(set(run.threads()) - known)
    assert not extra, f"{name}: unexpected threads {extra}; {run.summary()}"


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
                ids.add(str(msg["Message-ID"]))
        for t in want["threads"]:
            assert set(t["ask_message_ids"]) | set(t["replies"]) <= ids, (name, t)
            assert t["asks"] == len(t["ask_message_ids"])
            assert sorted(t["reply_labels"]) == t["replies"]
        assert set(want["not_requests"]) <= ids
