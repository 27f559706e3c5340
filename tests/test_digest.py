"""Digest rendering and follow-up drafts, from thread states built on plain values."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone
from email import message_from_bytes

from test_followups import ME, OWN, T0, msg

from watcher.config import FollowupPolicy
from watcher.conversations import build_threads
from watcher.digest import AccountHealth, Digest, render
from watcher.drafts import compose
from watcher.followups import assess
from watcher.mail.headers import Address
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


def _states(replies, label_of, texts, now=NOW, asks=None):
    asks = asks or [msg("<a>", ME, "tom@northwind.example", T0, "Final round")]
    threads = build_threads(asks, {a.message_id for a in asks}, replies, OWN)
    return tuple(assess(t, label_of, texts, FollowupPolicy(), now, 0.6) for t in threads)


def test_a_holding_reply_shows_under_its_thread_with_the_moved_ask():
    reply = msg("<h>", "tom@northwind.example", ME, T0 + timedelta(days=1), "Re: x", irt="<a>")
    text = "Hi Sam,\n\nThanks for the nudge. I'll come back to you before Friday 14 March."
    d = Digest(NOW, _states([reply], {"<h>": ("no_response", 0.9, False)}, {"<h>": text}), ())
    out = render(d, "text")
    assert (
        "    > holding reply from tom@northwind.example: I'll come back to you before Friday "
        "14 March. (next ask moved to Mon 17 Mar)"
    ) in out
    assert "Waiting (1)" in out and "next ask Mon 17 Mar 2025" in out
    assert "Holding reply from tom@northwind.example (next ask moved to Mon 17 Mar)" in render(
        d, "html"
    )


def test_a_holding_reply_without_a_date_says_so():
    reply = msg("<h>", "tom@northwind.example", ME, T0 + timedelta(days=1), "Re: x", irt="<a>")
    text = "Hallo Sam,\n\nich kläre das intern und melde mich dann."
    now = NOW - timedelta(days=1)
    labels = {"<h>": ("no_response", 0.9, False)}
    d = Digest(now, _states([reply], labels, {"<h>": text}, now=now), ())
    assert "ich kläre das intern und melde mich dann. (next ask moved to Tue 11 Mar)" in render(
        d, "text"
    )
    # Once that day comes the thread is due, and the line still says what was written.
    d = Digest(NOW, _states([reply], labels, {"<h>": text}), ())
    assert "melde mich dann. (no date given)" in render(d, "text")


def test_feedback_stays_listed_and_new_is_a_marker():
    first = msg("<f>", "tom@northwind.example", ME, T0 + timedelta(days=1), "Re: x", irt="<a>")
    states = _states([first], {"<f>": ("feedback", 0.9, False)}, {"<f>": "Your SQL was strong."})
    fresh = render(Digest(NOW, states, (), since=T0), "text")
    assert "    > NEW tom@northwind.example: Your SQL was strong." in fresh
    later = Digest(NOW, states, (), since=T0 + timedelta(days=2))
    for fmt in ("text", "markdown", "html"):
        page = render(later, fmt)
        assert "Your SQL was strong." in page and "NEW" not in page, fmt
    assert "**NEW** tom@northwind.example" in render(Digest(NOW, states, (), since=T0), "markdown")
    assert '<span class="new">NEW</span>' in render(Digest(NOW, states, (), since=T0), "html")


def test_a_rejection_shows_its_first_lines():
    text = (
        "Dear Sam,\n\nThank you for your interest.\nUnfortunately we went with another "
        "candidate.\nWe wish you luck.\nFourth line never shown.\n"
    )
    reply = msg("<r>", "tom@northwind.example", ME, T0 + timedelta(days=1), "Re: x", irt="<a>")
    d = Digest(NOW, _states([reply], {"<r>": ("rejection", 0.9, False)}, {"<r>": text}), ())
    out = render(d, "text")
    assert (
        "    > NEW tom@northwind.example: Thank you for your interest. Unfortunately we went with "
        "another candidate. We wish you luck."
    ) in out
    assert "Fourth line" not in out and "Fourth line" not in render(d, "html")


def test_an_out_of_office_return_is_shown_beside_the_next_ask():
    from watcher.mail.autosignals import AutoSignals

    ooo = msg(
        "<o>",
        "tom@northwind.example",
        ME,
        T0,
        "Automatic reply",
        irt="<a>",
        signals=AutoSignals(
            auto_submitted="auto-replied", return_date=datetime(2025, 3, 14).date()
        ),
    )
    d = Digest(NOW, _states([ooo], {"<o>": ("no_response", 0.9, False)}, {}), ())
    assert "next ask Mon 17 Mar 2025 (away until Fri 14 Mar)" in render(d, "text")


def test_a_due_draft_is_a_mailto_link_built_from_the_products_own_fields():
    from urllib.parse import parse_qs, unquote, urlsplit

    ask = msg("<a&1@mail.example>", ME, "tom@northwind.example", T0, 'Final round "&" <b>')
    d = Digest(NOW, _states([], {}, {}, asks=[ask]), ())
    page = render(d, "html")
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert len(hrefs) == 1
    url = urlsplit(html.unescape(hrefs[0]))
    assert url.scheme == "mailto" and unquote(url.path) == "tom@northwind.example"
    query = parse_qs(url.query)
    assert query["subject"] == ['Re: Final round "&" <b>']
    assert query["in-reply-to"] == ["<a&1@mail.example>"]
    assert query["body"][0].startswith("Hello,\r\n\r\nI hope you're well.")
    assert "<b>" not in page and "overflow-wrap:anywhere" in page
    assert "draft: feedback-watcher draft '<a&1@mail.example>'" in render(d, "text")


def test_an_account_that_never_synced_says_so_plainly():
    d = Digest(NOW, (), (AccountHealth("personal", None, None),))
    text = render(d, "text")
    assert "WARNING: personal has not synced yet" in text
    assert "Last sync: personal never synced" in text and "since never" not in text
    assert "Last sync: personal never synced" in render(d, "html")


def test_json_carries_the_holding_reply_and_the_return_date():
    reply = msg("<h>", "tom@northwind.example", ME, T0 + timedelta(days=1), "Re: x", irt="<a>")
    text = "Ich melde mich nächste Woche bei Ihnen."
    d = Digest(NOW, _states([reply], {"<h>": ("no_response", 0.9, False)}, {"<h>": text}), ())
    (thread,) = json.loads(render(d, "json"))["threads"]
    assert thread["holding"] == {
        "message_id": "<h>",
        "promised": "2025-03-14",
        "quote": text,
        "moved_next_ask": True,
    }
    assert thread["away_until"] is None and thread["next_due"].startswith("2025-03-17")


def test_a_bounced_thread_names_who_else_to_write_to_in_every_format():
    from watcher.mail.autosignals import AutoSignals

    ask = msg("<a>", ME, "tom@northwind.example", T0, "Final round")
    ask = ask.__class__(**{**ask.__dict__, "cc": (Address("hr@northwind.example"),)})
    bounce = msg(
        "<b>",
        "mailer-daemon@mail.example",
        ME,
        T0 + timedelta(minutes=1),
        "Undelivered",
        signals=AutoSignals(bounce=True, bounced_recipients=("tom@northwind.example",)),
    )
    states = _states([bounce], {"<b>": ("no_response", 0.9, False)}, {}, asks=[ask])
    d = Digest(NOW, states, ())
    text = render(d, "text")
    assert "Undeliverable: find another contact (1)" in text and "Due for" not in text
    assert (
        "    another contact: hr@northwind.example (cc'd on your request): "
        "feedback-watcher draft '<a>' --to hr@northwind.example"
    ) in text
    assert (
        "another contact: hr@northwind.example (cc&#x27;d on your request): <code>"
        "feedback-watcher draft &#x27;&lt;a&gt;&#x27; --to hr@northwind.example</code>"
    ) in render(d, "html")
