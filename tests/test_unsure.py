"""The unsure tier of the request detector: sent messages the user is asked about."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from demostate import DEMO_NOW, DemoState

from watcher.cli import main
from watcher.digest import AccountHealth, Digest, UnsureRequest, first_line, render
from watcher.storage import Store


def test_unsure_marks_are_no_requests_until_the_user_answers(tmp_path):
    demo = DemoState(tmp_path)
    cv = demo.mark_unsure("<s2@mail.example>", 0.41)
    store = demo.store()
    try:
        [(message, confidence)] = store.unsure_requests()
        assert message.ref == cv and confidence == 0.41
        assert cv not in {m.ref for m in store.messages(requests=True)}
        assert store.request_marks()[cv].unsure
        # The window: a message sent before `since` is left out.
        assert store.unsure_requests(message.date + timedelta(minutes=1)) == []
        assert store.unsure_requests(message.date)[0][0].ref == cv
        # The model never takes back the user's word; once answered it is no longer unsure.
        store.mark_requests([(cv, True, "user", None)])
        store.mark_requests([(cv, False, "model-unsure", 0.4)])
        assert store.unsure_requests() == []
        assert cv in {m.ref for m in store.messages(requests=True)}
    finally:
        store.close()


def test_sent_messages_are_newest_first_with_their_marks_and_since_is_exact(tmp_path):
    store = Store.open(tmp_path)
    from test_followups import ME, msg

    when = datetime(2025, 4, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 04:30Z on 2 Apr
    sent = [
        msg("<early>", ME, "a@x.example", when - timedelta(days=3)),
        msg("<late>", ME, "b@x.example", when),
        msg("<theirs>", "b@x.example", ME, when + timedelta(hours=1)),
    ]
    refs = store.add_messages("acct", "Sent", enumerate(sent, 1), frozenset({ME}))
    store.mark_requests([(refs[0], True, "model", 0.9)])
    rows = store.sent_messages()
    assert [m.message_id for m, _ in rows] == ["<late>", "<early>"]
    assert rows[0][1] is None and rows[1][1].is_request and rows[1][1].confidence == 0.9
    # 2 Apr 04:00 UTC is after the late message in any offset's reading of the date string
    since = datetime(2025, 4, 2, 4, 0, tzinfo=timezone.utc)
    assert [m.message_id for m, _ in store.sent_messages(since)] == ["<late>"]
    assert store.sent_messages(since + timedelta(hours=1)) == []
    assert store.is_own(refs[0]) is True and store.is_own(refs[2]) is False
    assert store.is_own(9999) is None
    store.close()


def _out(demo, capsys, *argv, code=0):
    capsys.readouterr()
    assert main(demo.cli(*argv), {}) == code
    out = capsys.readouterr()
    return out.out if code == 0 else out.err


def test_the_digest_asks_about_an_unsure_request_and_proposes_nothing_for_it(tmp_path, capsys):
    demo = DemoState(tmp_path)
    cv = demo.mark_unsure("<s2@mail.example>")
    text = _out(demo, capsys, "digest", "--now", DEMO_NOW)
    section = text.split("Did you ask for feedback here? (1)\n")[1].split("\n\n")[0]
    assert section.splitlines() == [
        f"  * [{cv}] could you look at my CV? (jamie.k@gmail.com, sent Wed 02 Apr 2025)",
        "    > hey Jamie, would you mind giving me some feedback on my CV before I send more "
        "applications? be brutal :) thanks!",
        f"  yes: feedback-watcher track {cv}; no: feedback-watcher ignore {cv}; "
        "or answer each in turn: feedback-watcher review",
    ]
    assert f"draft {cv}" not in text  # sent twelve days ago, yet no ask is proposed
    data = json.loads(_out(demo, capsys, "digest", "--json", "--now", DEMO_NOW))
    assert cv not in {t["handle"] for t in data["threads"]}
    [unsure] = data["unsure"]
    assert unsure["handle"] == cv and unsure["to"] == ["jamie.k@gmail.com"]
    assert unsure["subject"] == "could you look at my CV?" and unsure["confidence"] == 0.45
    assert unsure["first_line"].startswith("hey Jamie, would you mind")
    err = _out(demo, capsys, "draft", str(cv), "--now", DEMO_NOW, code=2)
    assert f"'feedback-watcher track {cv}' first" in err
    for fmt, shown in (("--markdown", f"- [{cv}] could you look"), ("--html", f"[{cv}] could")):
        assert shown in _out(demo, capsys, "digest", fmt, "--now", DEMO_NOW)

    # Yes: it becomes a thread, due for its second ask, with a draft.
    assert "tracked as a feedback request" in _out(demo, capsys, "track", str(cv))
    text = _out(demo, capsys, "digest", "--now", DEMO_NOW)
    assert "Did you ask for feedback here?" not in text
    assert f"draft: feedback-watcher draft {cv}" in text
    assert "<jamie.k@gmail.com>" in _out(demo, capsys, "draft", str(cv), "--now", DEMO_NOW)


def test_ignore_answers_no_and_the_question_goes_away(tmp_path, capsys):
    demo = DemoState(tmp_path)
    cv = demo.mark_unsure("<s2@mail.example>")
    assert "ignored" in _out(demo, capsys, "ignore", str(cv))
    text = _out(demo, capsys, "digest", "--now", DEMO_NOW)
    assert "Did you ask for feedback here?" not in text and f"[{cv}]" not in text


def test_an_old_unsure_message_is_not_asked_about_in_the_digest(tmp_path, capsys):
    demo = DemoState(tmp_path)
    demo.mark_unsure("<s2@mail.example>")  # sent 2 April
    text = _out(demo, capsys, "digest", "--now", "2025-05-20T08:00:00+01:00")
    assert "Did you ask for feedback here?" not in text


def _unsure(n, **kw):
    from test_followups import ME, msg

    base = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)
    m = msg(f"<u{n}>", ME, f"person{n}@co{n}.example", base + timedelta(hours=n), **kw)
    return UnsureRequest(replace(m, ref=100 + n), 0.5, kw.get("body", "Hi Sam,\n\nA question."))


def test_the_section_stays_short_and_says_how_many_more():
    from watcher.delivery import summary

    now = datetime(2025, 4, 2, 9, 0, tzinfo=timezone.utc)
    d = Digest(
        now, (), (AccountHealth("a", now, None),), unsure=tuple(_unsure(n) for n in range(8))
    )
    text = render(d, "text")
    assert "Did you ask for feedback here? (8)" in text
    assert text.count("    > A question.") == 5 and "... and 3 more: feedback-watcher sent" in text
    assert "feedback-watcher track HANDLE" in text
    assert "No feedback requests found yet" not in text
    page = render(d, "html")
    assert page.count("<blockquote>A question.</blockquote>") == 5
    assert "<code>feedback-watcher track HANDLE</code>" in page
    assert len(json.loads(render(d, "json"))["unsure"]) == 8
    assert summary(d) == "8 sent messages to confirm"


def test_mail_text_in_the_section_is_one_escaped_line():
    now = datetime(2025, 4, 2, 9, 0, tzinfo=timezone.utc)
    u = _unsure(1, subject="Quick \x1b[2Jquestion <b>x</b>", body="Dear Ms Lee,\n\n\x07Any tips?\n")
    d = Digest(now, (), (AccountHealth("a", now, None),), unsure=(u,))
    text = render(d, "text")
    assert "\x1b" not in text and "\x07" not in text
    assert "[101] Quick [2Jquestion <b>x</b> (person1@co1.example, sent" in text
    assert "    > Any tips?" in text  # the greeting line is passed over
    page = render(d, "html")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_first_line_skips_a_greeting_but_not_a_sentence():
    assert first_line("Hi Tom,\n\nCould you share feedback?") == "Could you share feedback?"
    assert first_line("Bonjour Claire\nAuriez-vous un retour ?") == "Auriez-vous un retour ?"
    assert first_line("hey Jamie, would you mind a look?") == "hey Jamie, would you mind a look?"
    assert first_line("Thanks!") == "Thanks!" and first_line("") == ""
    assert first_line("word " * 100, width=20) == "word word word wo..."
