"""Threads and follow-up rules on plain values (no I/O, no clock)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from watcher.conversations import build_threads
from watcher.followups import FollowupPolicy, add_business_days, assess, promised_date
from watcher.mail.autosignals import AutoSignals
from watcher.mail.headers import Address
from watcher.mail.messages import Message, normalize_subject

ME = "me@mail.example"
OWN = frozenset({ME, "me.alias@other.example"})
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)  # a Monday


def msg(mid, sender, to, when, subject="Feedback please", irt=None, refs=(), body="", signals=None):
    return Message(
        mid,
        irt,
        tuple(refs),
        Address(sender),
        (Address(to),),
        (),
        (),
        when,
        subject,
        normalize_subject(subject),
        body,
        None,
        signals or AutoSignals(),
    )


def labels(**by_id):
    return {f"<{k}>": (v, 0.95, False) for k, v in by_id.items()}


def one(threads):
    assert len(threads) == 1
    return threads[0]


def test_business_days_skip_weekends():
    assert add_business_days(date(2025, 3, 3), 5) == date(2025, 3, 10)
    assert add_business_days(date(2025, 3, 7), 1) == date(2025, 3, 10)  # Friday -> Monday


def test_reply_joins_by_references_and_earlier_mail_does_not():
    ask = msg("<a>", ME, "boss@acme.example", T0)
    before = msg("<r0>", "boss@acme.example", ME, T0 - timedelta(days=1), "Your application")
    reply = msg("<r1>", "boss@acme.example", ME, T0 + timedelta(days=1), "Re: x", irt="<a>")
    t = one(build_threads([ask], {"<a>"}, [before, reply], OWN))
    assert [r.message_id for r in t.replies] == ["<r1>"]


def test_unthreaded_reply_from_colleague_at_same_company_joins():
    ask = msg("<a>", ME, "boss@acme.example", T0, "Interview feedback")
    colleague = msg(
        "<r1>", "coordinator@acme.example", ME, T0 + timedelta(days=2), "Re: Interview feedback"
    )
    freemail_ask = msg("<b>", ME, "founder@gmail.com", T0)
    stranger = msg("<r2>", "someone@gmail.com", ME, T0 + timedelta(days=2), "hello")
    threads = build_threads([ask, freemail_ask], {"<a>", "<b>"}, [colleague, stranger], OWN)
    by_req = {t.request.message_id: [r.message_id for r in t.replies] for t in threads}
    assert by_req == {"<a>": ["<r1>"], "<b>": []}


def test_follow_up_ask_from_alias_joins_the_thread_and_thank_you_is_not_an_ask():
    ask = msg("<a>", ME, "boss@acme.example", T0)
    again = msg(
        "<a2>",
        "me.alias@other.example",
        "boss@acme.example",
        T0 + timedelta(days=8),
        "Following up",
    )
    thanks = msg("<t>", ME, "boss@acme.example", T0 + timedelta(days=20), "Thanks!")
    t = one(build_threads([ask, again, thanks], {"<a>", "<a2>"}, [], OWN))
    assert [m.message_id for m in t.asks] == ["<a>", "<a2>"]


def test_due_rules_second_third_and_gone_quiet():
    policy = FollowupPolicy()
    ask = msg("<a>", ME, "boss@acme.example", T0)
    t = one(build_threads([ask], {"<a>"}, [], OWN))
    early = assess(t, {}, {}, policy, T0 + timedelta(days=6), 0.6)
    assert early.due is None and early.next_due.date() == date(2025, 3, 10)
    due = assess(t, {}, {}, policy, T0 + timedelta(days=7), 0.6)
    assert due.due == "second_ask" and due.due_since.date() == date(2025, 3, 10)
    asks = [ask, msg("<b>", ME, "boss@acme.example", T0 + timedelta(days=7), irt="<a>")]
    t2 = one(build_threads(asks, {"<a>", "<b>"}, [], OWN))
    assert assess(t2, {}, {}, policy, T0 + timedelta(days=14), 0.6).due == "third_ask"
    asks.append(msg("<c>", ME, "boss@acme.example", T0 + timedelta(days=14), irt="<b>"))
    t3 = one(build_threads(asks, {"<a>", "<b>", "<c>"}, [], OWN))
    quiet = assess(t3, {}, {}, policy, T0 + timedelta(days=21), 0.6)
    assert quiet.gone_quiet and quiet.due is None


def test_feedback_wins_over_rejection_and_answered_threads_are_never_due():
    ask = msg("<a>", ME, "boss@acme.example", T0)
    r1 = msg("<r1>", "boss@acme.example", ME, T0 + timedelta(days=1), irt="<a>")
    r2 = msg("<r2>", "boss@acme.example", ME, T0 + timedelta(days=2), irt="<r1>")
    t = one(build_threads([ask], {"<a>"}, [r1, r2], OWN))
    state = assess(
        t, labels(r1="feedback", r2="rejection"), {}, FollowupPolicy(), T0 + timedelta(days=30), 0.6
    )
    assert state.status == "feedback" and state.due is None
    holding = assess(
        t,
        labels(r1="no_response", r2="no_response"),
        {},
        FollowupPolicy(),
        T0 + timedelta(days=30),
        0.6,
    )
    assert holding.status == "no_response" and holding.due == "second_ask"


def test_out_of_office_return_date_moves_the_due_date():
    ask = msg("<a>", ME, "boss@acme.example", T0)
    ooo = msg(
        "<o>",
        "boss@acme.example",
        ME,
        T0,
        "Automatic reply: Feedback please",
        irt="<a>",
        signals=AutoSignals(auto_submitted="auto-replied", return_date=date(2025, 3, 21)),
    )
    t = one(build_threads([ask], {"<a>"}, [ooo], OWN))
    state = assess(t, labels(o="no_response"), {}, FollowupPolicy(), T0 + timedelta(days=10), 0.6)
    assert state.due is None and state.next_due.date() == date(2025, 3, 24)


def test_holding_reply_promise_moves_the_due_date():
    assert promised_date("I'll get back to you by Friday", date(2025, 3, 4)) == date(2025, 3, 7)
    assert promised_date("let me check and come back to you next week", date(2025, 3, 4)) == date(
        2025, 3, 14
    )
    assert promised_date("Thanks, noted.", date(2025, 3, 4)) is None
    assert promised_date("I'm on leave until 2 April.", date(2025, 3, 4)) == date(2025, 4, 2)


def _holding_state(text, now, when=T0 + timedelta(days=1)):
    ask = msg("<a>", ME, "boss@acme.example", T0)
    reply = msg("<h>", "boss@acme.example", ME, when, "Re: Feedback please", irt="<a>")
    t = one(build_threads([ask], {"<a>"}, [reply], OWN))
    return assess(t, labels(h="no_response"), {"<h>": text}, FollowupPolicy(), now, 0.6)


def test_a_french_holding_reply_moves_the_next_ask_past_its_promise():
    # Tue 4 March: "by the end of next week" is Fri 14 March; the next ask Mon 17 March,
    # not Mon 10 March (five business days after the ask).
    text = "Bonjour,\n\nJe reviens vers vous d'ici la fin de la semaine prochaine."
    state = _holding_state(text, T0 + timedelta(days=8))
    assert state.due is None and state.next_due.date() == date(2025, 3, 17) and state.moved
    assert state.holding.promised == date(2025, 3, 14)
    assert state.holding.quote == "Je reviens vers vous d'ici la fin de la semaine prochaine."
    assert _holding_state(text, datetime(2025, 3, 17, 9, tzinfo=timezone.utc)).due == "second_ask"


def test_a_dutch_call_me_next_week_moves_it_too():
    state = _holding_state("Hoi Joost, bel me volgende week even. Groet, Sanne", T0)
    assert state.next_due.date() == date(2025, 3, 17)


def test_a_holding_reply_without_a_date_restarts_the_clock_from_its_own_date():
    # Asked Mon 3 March; the holding reply came Thu 6 March: five business days from then.
    text = "Ich kläre das mit der Fachabteilung und melde mich, sobald ich mehr weiß."
    state = _holding_state(text, T0 + timedelta(days=7), when=T0 + timedelta(days=3))
    assert state.due is None and state.next_due.date() == date(2025, 3, 13)
    assert state.holding.promised is None and "Fachabteilung" in state.holding.quote


def test_an_out_of_office_return_is_kept_for_the_digest():
    ask = msg("<a>", ME, "boss@acme.example", T0)
    ooo = msg(
        "<o>",
        "boss@acme.example",
        ME,
        T0,
        "Automatic reply",
        irt="<a>",
        signals=AutoSignals(auto_submitted="auto-replied", return_date=date(2025, 3, 21)),
    )
    t = one(build_threads([ask], {"<a>"}, [ooo], OWN))
    state = assess(t, labels(o="no_response"), {}, FollowupPolicy(), T0, 0.6)
    assert state.away_until == date(2025, 3, 21) and state.holding is None


def test_bounce_marks_undeliverable():
    ask = msg("<a>", ME, "gone@acme.example", T0)
    bounce = msg(
        "<b>",
        "mailer-daemon@mail.example",
        ME,
        T0 + timedelta(minutes=1),
        "Undelivered Mail Returned to Sender",
        signals=AutoSignals(bounce=True, bounced_recipients=("gone@acme.example",)),
    )
    t = one(build_threads([ask], {"<a>"}, [bounce], OWN))
    state = assess(t, labels(b="no_response"), {}, FollowupPolicy(), T0 + timedelta(days=8), 0.6)
    assert state.undeliverable and state.status == "no_response"
    # No ask is proposed to an address that bounced: the digest says to find another contact.
    assert state.due is None and state.next_due is None


def test_low_confidence_reply_needs_review_unless_corrected():
    ask = msg("<a>", ME, "boss@acme.example", T0)
    r1 = msg("<r1>", "boss@acme.example", ME, T0 + timedelta(days=1), irt="<a>")
    t = one(build_threads([ask], {"<a>"}, [r1], OWN))
    unsure = assess(t, {"<r1>": ("rejection", 0.41, False)}, {}, FollowupPolicy(), T0, 0.6)
    assert [r.message.message_id for r in unsure.needs_review] == ["<r1>"]
    fixed = assess(t, {"<r1>": ("feedback", 1.0, True)}, {}, FollowupPolicy(), T0, 0.6)
    assert fixed.needs_review == () and fixed.status == "feedback"


def test_message_sent_after_feedback_is_not_an_ask():
    ask = msg("<a>", ME, "boss@acme.example", T0)
    reply = msg("<r1>", "boss@acme.example", ME, T0 + timedelta(days=1), irt="<a>")
    thanks = msg("<t>", ME, "boss@acme.example", T0 + timedelta(days=2), "Re: x", irt="<r1>")
    t = one(build_threads([ask, thanks], {"<a>", "<t>"}, [reply], OWN))
    state = assess(t, labels(r1="feedback"), {}, FollowupPolicy(), T0 + timedelta(days=9), 0.6)
    assert state.asks == 1 and state.status == "feedback" and state.due is None


def test_groupwise_original_is_not_part_of_the_reply():
    from watcher.replytext import visible_text

    text = (
        "Dag Sanne,\n\nJe presentatie was sterk, maar de planning was te vaag.\n\nWim\n\n"
        ">>> Sanne de Vries <sanne@kpn.example> 6-1-2025 17:22 >>>\n"
        "Beste Wim, kun je me feedback geven?\n"
    )
    assert "kun je me" not in visible_text(text) and "planning" in visible_text(text)


def test_requests_to_two_people_at_one_company_are_two_threads_never_merged_by_domain():
    """Issue 13: a later request to someone else at the same company is its own request, even
    unanswered and within the follow-up window; only the same person asked again, or a message
    threaded under the first, is a follow-up ask."""
    first = msg("<a>", ME, "hiring.manager@bigcorp.example", T0, "Feedback on Data Analyst")
    other = msg(
        "<b>",
        ME,
        "recruiter@bigcorp.example",
        T0 + timedelta(days=40),
        "Feedback on Product Analyst",
    )
    threads = build_threads([first, other], {"<a>", "<b>"}, [], OWN)
    assert sorted(t.request.message_id for t in threads) == ["<a>", "<b>"]
    assert all(len(t.asks) == 1 for t in threads)
    again = msg("<c>", ME, "hiring.manager@bigcorp.example", T0 + timedelta(days=8), "Any news?")
    threaded = msg(
        "<d>", ME, "talent@bigcorp.example", T0 + timedelta(days=50), "Fwd: feedback", irt="<a>"
    )
    threads = build_threads([first, other, again, threaded], {"<a>", "<b>", "<c>", "<d>"}, [], OWN)
    by_request = {t.request.message_id: [m.message_id for m in t.asks] for t in threads}
    assert by_request == {"<a>": ["<a>", "<c>", "<d>"], "<b>": ["<b>"]}
    # A colleague of the person asked may still answer the first request.
    reply = msg(
        "<r>",
        "coordinator@bigcorp.example",
        ME,
        T0 + timedelta(days=3),
        "Re: Feedback on Data Analyst",
    )
    threads = build_threads([first, other], {"<a>", "<b>"}, [reply], OWN)
    replies = {t.request.message_id: [r.message_id for r in t.replies] for t in threads}
    assert replies == {"<a>": ["<r>"], "<b>": []}
