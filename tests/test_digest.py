"""Digest rendering and follow-up drafts, from thread states built on plain values."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email import message_from_bytes

from test_followups import ME, OWN, T0, msg

from watcher.config import FollowupPolicy
from watcher.conversations import build_threads
from watcher.digest import AccountHealth, Digest, render
from watcher.drafts import compose
from watcher.followups import assess
from watcher.mailbox_write import draft_message

NOW = T0 + timedelta(days=8)


def _digest(reply_text="Your <script>alert(1)</script> SQL was strong", last_ok=NOW):
    ask = msg("<a>", ME, "boss@acme.example", T0, "Feedback <b>please</b>")
    quiet = msg("<q>", ME, "lee@globex.example", T0, "Globex interview")
    reply = msg("<r>", "boss@acme.example", ME, T0 + timedelta(days=1), irt="<a>")
    threads = build_threads([ask, quiet], {"<a>", "<q>"}, [reply], OWN)
    labels = {"<r>": ("feedback", 0.93, False)}
    states = tuple(
        assess(t, labels, {"<r>": reply_text}, FollowupPolicy(), NOW, 0.6) for t in threads
    )
    return Digest(NOW, states, (AccountHealth("personal", last_ok, None),))


def test_json_has_the_documented_fields():
    data = json.loads(render(_digest(), "json"))
    assert data["now"] == NOW.isoformat()
    by_id = {t["request_message_id"]: t for t in data["threads"]}
    assert by_id["<q>"]["due"] == "second_ask" and by_id["<q>"]["status"] == "no_response"
    assert by_id["<a>"]["status"] == "feedback" and by_id["<a>"]["due"] is None
    reply = by_id["<a>"]["replies"][0]
    assert set(reply) >= {"message_id", "from", "date", "label", "confidence", "text"}
    assert reply["label"] == "feedback" and reply["from"] == "boss@acme.example"
    for t in data["threads"]:
        assert set(t) >= {
            "counterpart",
            "subject",
            "asks",
            "due_since",
            "gone_quiet",
            "undeliverable",
            "replies",
        }


def test_text_digest_lists_due_asks_with_draft_commands_and_new_feedback():
    text = render(_digest(), "text")
    assert "Due for a second ask (1)" in text and "feedback-watcher draft '<q>'" in text
    assert "Feedback received (1)" in text and "SQL was strong" in text
    assert not text.startswith("WARNING")


def test_stale_sync_is_said_first():
    text = render(_digest(last_ok=NOW - timedelta(days=2)), "text")
    assert text.startswith("WARNING: personal has not synced since")


def test_html_escapes_mail_and_loads_nothing_remote():
    page = render(_digest(), "html")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>please</b>" not in page
    assert "http://" not in page and "https://" not in page and "src=" not in page
    assert "default-src 'none'" in page


def test_drafts_are_warm_specific_and_thread_correctly():
    states = _digest().states
    due = next(s for s in states if s.due == "second_ask")
    draft = compose(due, "Sam Seeker")
    assert draft.to == "lee@globex.example" and draft.subject == "Re: Globex interview"
    assert "stack up" in draft.body and "better or differently" in draft.body
    assert draft.body.rstrip().endswith("Sam Seeker")
    raw = draft_message(draft, ME, "Sam Seeker", datetime(2025, 3, 12, tzinfo=timezone.utc))
    parsed = message_from_bytes(raw)
    assert parsed["In-Reply-To"] == "<q>" and "<q>" in parsed["References"]
    assert parsed["To"] == "lee@globex.example"


def test_third_ask_is_shorter_and_gracious():
    states = _digest().states
    due = next(s for s in states if s.due == "second_ask")
    second = compose(due).body
    third = compose(due.__class__(**{**due.__dict__, "due": "third_ask", "asks": 2})).body
    assert len(third) < len(second) and "no" in third.lower()
