"""Drafts in the user's language, greeting and sign-off; no ask where none fits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_followups import ME, OWN, T0, labels, msg

from watcher.config import FollowupPolicy
from watcher.conversations import build_threads
from watcher.draft_texts import TEXTS
from watcher.drafts import compose, compose_thank_you, other_contacts, why_no_ask
from watcher.followups import assess
from watcher.labels import DueAsk
from watcher.mail.autosignals import AutoSignals
from watcher.mail.headers import Address
from watcher.mail.messages import Message, normalize_subject

NOW = T0 + timedelta(days=8)

REQUESTS = {
    "nl": (
        "Hoi Sanne,\n\nBedankt voor het gesprek van vorige week. Zou je me wat feedback kunnen "
        "geven over wat ik beter had kunnen doen?\n\nGroetjes,\nJoost",
        "Hoi Sanne,",
        "Groetjes,\nJoost",
        "gaat",
    ),
    "fr": (
        "Bonjour Madame Durand,\n\nJe vous remercie pour l'entretien. Pourriez-vous me faire un "
        "retour sur ce qui m'a manqué par rapport aux autres candidats ?\n\nBien cordialement,"
        "\nLucía Fernández",
        "Bonjour Madame Durand,",
        "Bien cordialement,\nLucía Fernández",
        "vous",
    ),
    "de": (
        "Sehr geehrte Frau Schäfer,\n\nvielen Dank für das Gespräch. Könnten Sie mir sagen, was "
        "mir im Vergleich zu den anderen gefehlt hat?\n\nMit freundlichen Grüßen\nJonas Schulz",
        "Sehr geehrte Frau Schäfer,",
        "Mit freundlichen Grüßen\nJonas Schulz",
        "ich hoffe, es geht Ihnen gut",  # lower case after the comma, as German goes on
    ),
    "es": (
        "Hola Marta,\n\nMuchas gracias por la entrevista. ¿Podrías darme algo de feedback sobre "
        "lo que podría mejorar?\n\nUn abrazo,\nLucía",
        "Hola Marta,",
        "Un abrazo,\nLucía",
        "Espero que estés bien",
    ),
    "pt": (
        "Olá Ana,\n\nObrigado pela entrevista. Gostaria de saber o que poderia ter feito melhor "
        "em comparação com os outros candidatos.\n\nCumprimentos,\nRui",
        "Olá Ana,",
        "Cumprimentos,\nRui",
        "Espero que esteja tudo bem",
    ),
    "en": (
        "Hi Tom,\n\nThanks for the interview. Could you share any feedback on what I could "
        "have done better?\n\nCheers,\nSam",
        "Hi Tom,",
        "Cheers,\nSam",
        "stack up",
    ),
}


def _state(body, replies=(), label_of=None, now=NOW, to="boss@acme.example", cc=(), asks=1):
    ask = Message(
        "<a>",
        None,
        (),
        Address(ME, "Sam Seeker"),
        (Address(to, "Sanne de Vries"),),
        tuple(Address(c) for c in cc),
        (),
        T0,
        "Feedback please",
        normalize_subject("Feedback please"),
        body,
    )
    own = [ask] + [
        msg(f"<a{i}>", ME, to, T0 + timedelta(days=7 * i), irt="<a>") for i in range(1, asks)
    ]
    t = build_threads(own, {m.message_id for m in own}, list(replies), OWN)[0]
    return assess(t, label_of or {}, {}, FollowupPolicy(), now, 0.6)


@pytest.mark.parametrize("lang", sorted(REQUESTS))
def test_a_second_ask_in_the_users_language_greeting_and_signoff(lang):
    body, greeting, signoff, words = REQUESTS[lang]
    draft = compose(_state(body), "Sam Seeker")
    assert draft.language == lang
    assert draft.body.startswith(greeting + "\n\n") and draft.body.endswith("\n\n" + signoff)
    assert words in draft.body
    assert "{" not in draft.body and draft.in_reply_to == "<a>" and draft.subject.startswith("Re:")


@pytest.mark.parametrize("lang", sorted(REQUESTS))
def test_the_last_ask_is_shorter_and_gives_leave_to_say_no(lang):
    body = REQUESTS[lang][0]
    second = compose(_state(body), "Sam").body
    last = compose(_state(body, asks=2, now=T0 + timedelta(days=20)), "Sam").body
    assert len(last) < len(second)
    assert any(no in last for no in ('"no"', "„Nein“", "« non »", "«no»", "“não”", "„nee”"))


def test_every_register_has_every_part():
    parts = {"follow_up", "redirect", "ask", "last", "thanks_feedback", "thanks_rejection"}
    for key, texts in TEXTS.items():
        assert set(texts) == parts, key
        assert "{date}" in texts["follow_up"] and "{name}" in texts["redirect"], key


def test_informal_dutch_and_formal_dutch_differ():
    informal = compose(_state(REQUESTS["nl"][0])).body
    formal = compose(
        _state("Geachte heer Visser,\n\nZou u mij willen laten weten wat er ontbrak?\n\nNoor")
    ).body
    assert " je " in informal and " u " not in informal
    assert " u " in formal and formal.startswith("Geachte heer Visser,") and formal.endswith("Noor")


def test_no_greeting_or_signoff_in_the_request_gets_a_plain_one():
    draft = compose(_state("any feedback on the interview?"), "Sam Seeker")
    assert draft.body.startswith("Hi Sanne,") and draft.body.endswith("Best regards,\nSam Seeker")


def _bounce(when=T0 + timedelta(minutes=1)):
    return msg(
        "<b>",
        "mailer-daemon@mail.example",
        ME,
        when,
        "Undelivered Mail Returned to Sender",
        signals=AutoSignals(bounce=True, bounced_recipients=("boss@acme.example",)),
    )


def test_a_bounced_thread_gets_no_ask_and_names_who_was_cc_d():
    state = _state(
        "Hi, any feedback?", [_bounce()], labels(b="no_response"), cc=["hr@acme.example"]
    )
    no = why_no_ask(state)
    assert no is not None and no.kind == "undeliverable" and "boss@acme.example" in no.reason
    assert [(c.email, c.how) for c in no.contacts] == [("hr@acme.example", "cc'd on your request")]
    redirected = compose(state, "Sam", to="hr@acme.example")
    assert redirected.to == "hr@acme.example" and "could not be delivered" in redirected.body
    assert "Sanne de Vries" in redirected.body and redirected.body.startswith("Hello,")


def test_a_colleague_who_replied_and_an_address_a_reply_names_are_contacts():
    colleague = msg(
        "<c>",
        "coordinator@acme.example",
        ME,
        T0 + timedelta(days=1),
        "Re: Feedback please",
        irt="<a>",
        body="Please write to talent@acme.example or noreply@acme.example.",
    )
    state = _state(
        "Hi, any feedback?",
        [_bounce(), colleague],
        labels(b="no_response", c="no_response"),
    )
    emails = [c.email for c in other_contacts(state, OWN)]
    assert emails == ["coordinator@acme.example", "talent@acme.example"]


def test_an_answered_thread_gets_a_thank_you_not_an_ask():
    reply = msg("<r>", "boss@acme.example", ME, T0 + timedelta(days=1), "Re: Feedback", irt="<a>")
    body = REQUESTS["nl"][0]
    state = _state(body, [reply], labels(r="feedback"))
    no = why_no_ask(state)
    assert no is not None and no.kind == "answered" and "sent feedback" in no.reason
    thanks = compose_thank_you(state, "Joost")
    assert thanks is not None and thanks.kind == "thank_you" and thanks.in_reply_to == "<r>"
    assert thanks.body.startswith("Hoi Sanne,\n\nHeel erg bedankt") and thanks.body.endswith(
        "Groetjes,\nJoost"
    )
    rejected = _state(body, [reply], labels(r="rejection"))
    assert why_no_ask(rejected).reason.endswith("answered (a rejection) on Tue 04 Mar 2025")
    assert "Bedankt voor je bericht" in compose_thank_you(rejected).body
    assert compose_thank_you(_state(body)) is None and why_no_ask(_state(body)) is None


def test_a_due_third_ask_is_the_last_one():
    state = _state(REQUESTS["en"][0], asks=2, now=T0 + timedelta(days=20))
    assert state.due == DueAsk.THIRD and "last note" in compose(state).body


def test_the_draft_command_names_the_contact_and_the_command_to_write_to_them():
    from watcher.cli import no_draft_line

    state = _state(
        "Hi, any feedback?", [_bounce()], labels(b="no_response"), cc=["hr@acme.example"]
    )
    line = no_draft_line(state, OWN, "feedback-watcher draft '<a>'")
    assert line == (
        "no draft: your last ask to boss@acme.example bounced (undeliverable); another contact "
        "in this thread: hr@acme.example (cc'd on your request): "
        "feedback-watcher draft '<a>' --to hr@acme.example"
    )
    assert no_draft_line(_state("Hi, any feedback?"), OWN, "x") is None
