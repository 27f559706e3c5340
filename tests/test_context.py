"""The request detector's context (pure), its three verdicts, and personal mail about the job
search not tracked through a whole CLI sync."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mailfactory import make_message

from watcher.classify.features import (
    RecipientFacts,
    SentContext,
    asking_sentences,
    own_and_quoted,
    sent_context,
)
from watcher.classify.stems import stems_pattern
from watcher.cli import main
from watcher.labels import RequestVerdict
from watcher.mail.messages import parse_message

ME = "sam.rivers@gmail.com"
OWN = frozenset({ME})
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)

TO_MOTHER = """Hi Mum,

The Tilburg job didn't work out in the end. I asked them for feedback but heard nothing,
which is normal these days apparently. Another interview next week though!

Sunday lunch is fine, I'll bring dessert.

Love,
Sam

On Sat, 1 Mar 2025 at 18:02, Ann Rivers <ann.rivers@hotmail.com> wrote:
> How are the interviews going love? Are you eating properly? Lots of love, Mum
"""

TO_HIRING_MANAGER = """Hi Daniel,

Thank you for letting me know, even if it is not the news I hoped for.

Could you share any feedback on my interview? I would like to know where I fell short
against the other candidates, so I can prepare better next time.

Best regards,
Sam Rivers

On Fri, 28 Feb 2025 at 16:40, Daniel Hoyt <d.hoyt@bluefinch.example> wrote:
> Dear Sam, thank you for your application and for interviewing with us. After careful
> consideration we have decided to move forward with another candidate.
"""


def sent(to: str, subject: str, body: str, when: datetime = T0, mid: str = "<s1@x>", **kw):
    raw = make_message(
        sender=ME, to=to, subject=subject, body=body, date=when, message_id=mid, **kw
    )
    return parse_message(raw)


def test_personal_mail_about_asking_is_a_report_to_a_free_mail_recipient():
    m = sent("ann.rivers@hotmail.com", "Re: how are things", TO_MOTHER, in_reply_to="<m@x>")
    own, quoted = own_and_quoted(m)
    assert "heard nothing" in own and "How are the interviews" not in own
    assert "How are the interviews going" in quoted
    c = sent_context(m, {}, OWN)
    assert c.free_mail and c.reply and c.quoted_personal and c.reports_asking
    assert not c.quoted_hiring and not c.own_domain and not c.hiring_contact
    assert c.recipients == 1


def test_a_reply_to_a_rejection_asks_the_hiring_manager_and_answers_hiring_mail():
    m = sent("d.hoyt@bluefinch.example", "Re: Your application", TO_HIRING_MANAGER)
    c = sent_context(m, {}, OWN)
    assert c.reply and c.quoted_hiring and c.asks_you
    assert not c.free_mail and not c.reports_asking and not c.quoted_personal


def test_recipient_facts_own_domain_and_recipient_count():
    work = frozenset({"sam@rivers-consulting.example"})
    raw = make_message(
        sender="sam@rivers-consulting.example",
        to="ana@rivers-consulting.example, joe@acme.example, sam@rivers-consulting.example",
        subject="Friday lunch",
        body="Lunch at 12:30, who's in?",
        date=T0,
        message_id="<l@x>",
    )
    c = sent_context(parse_message(raw), {}, work)
    assert c.own_domain and c.recipients == 2 and not c.reply and not c.hiring_contact
    facts = {"d.hoyt@bluefinch.example": RecipientFacts(hiring_mail=True, messages=2)}
    m = sent("d.hoyt@bluefinch.example", "Following up", "Any news on the feedback?")
    assert sent_context(m, facts, OWN).hiring_contact
    colleague = {"d.hoyt@bluefinch.example": RecipientFacts(domain_hiring_mail=True)}
    assert sent_context(m, colleague, OWN).hiring_contact
    assert not sent_context(m, {}, OWN).hiring_contact


def test_what_a_message_asks_is_read_apart_from_its_story():
    own, _ = own_and_quoted(sent("ann.rivers@hotmail.com", "Re: how are things", TO_MOTHER))
    # the letter to a mother reports asking companies; what it asks her is something else
    assert "heard nothing" not in asking_sentences(own)
    asks = asking_sentences(
        "Thank you for letting me know. Could you tell me where I fell short compared with"
        " the other candidates? I start a new course in May."
    )
    assert asks.startswith("Could you tell me where I fell short")
    assert "ask_assessment" in asks and "new course" not in asks
    cv = asking_sentences("hey Jamie, any chance you could look at my CV before Friday?")
    assert "ask_document" in cv and "ask_assessment" not in cv
    german = asking_sentences("Könnten Sie mir sagen, woran es lag?")
    assert "ask_assessment" in german
    assert asking_sentences("I start on Monday. See you then.") == ""


def test_stems_match_from_the_start_of_a_word_and_short_ones_whole():
    rx = stems_pattern(["sap", "kommunikat", "cv"])
    assert rx.search("your sap skills") and rx.search("ihre kommunikation")
    assert not rx.search("we were disappointed") and not rx.search("cvs and more")
    assert not rx.search("selbstkommunikation")


def test_typed_smileys_and_laughs_count_like_emoji():
    m = sent("jamie@friends.example", "cv", "be brutal :) haha, thanks!")
    assert sent_context(m, {}, OWN).emoji == 2
    formal = sent("hr@acme.example", "Re: interview", "Dear Ms Dr. D. Smith: thank you (again).")
    assert sent_context(formal, {}, OWN).emoji == 0


def test_context_vector_is_fixed_width_and_reads_only_the_message():
    m = sent("x@y.example", "Fwd: photos", "---------- Forwarded message ---------\nhi")
    c = sent_context(m, {}, OWN)
    assert isinstance(c, SentContext) and c.forward
    assert len(c.vector()) == len(sent_context(m, {}, frozenset()).vector())
    assert sent_context(m, {}, OWN) == c  # pure: same input, same answer


def test_request_verdict_has_three_tiers():
    assert RequestVerdict.of(0.9, 0.2, 0.5) is RequestVerdict.YES
    assert RequestVerdict.of(0.5, 0.2, 0.5) is RequestVerdict.YES
    assert RequestVerdict.of(0.35, 0.2, 0.5) is RequestVerdict.UNSURE
    assert RequestVerdict.of(0.1, 0.2, 0.5) is RequestVerdict.NO
    assert f"{RequestVerdict.UNSURE}" == "unsure"


# -- through the CLI: a small Maildir --------------------------------------------------------


def _maildir(root: Path, sent_mail: list[bytes], inbox: list[bytes]) -> None:
    for folder, items in (("cur", inbox), ("Sent/cur", sent_mail)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for n, raw in enumerate(items, 1):
            (root / folder / f"{1740000000 + n}.{n}.host:2,S").write_bytes(raw)


def test_personal_mail_about_the_job_search_is_not_tracked_through_a_sync(tmp_path, capsys):
    when = T0
    mails = [
        make_message(
            sender=ME,
            to="d.hoyt@bluefinch.example",
            subject="Re: Your application",
            body=TO_HIRING_MANAGER,
            date=when,
            message_id="<ask@x>",
            in_reply_to="<rej@bluefinch.example>",
        ),
        make_message(
            sender=ME,
            to="ann.rivers@hotmail.com",
            subject="Re: how are things",
            body=TO_MOTHER,
            date=when + timedelta(days=1),
            message_id="<mum@x>",
            in_reply_to="<mum0@x>",
        ),
        make_message(
            sender=ME,
            to="tom.p@gmail.com",
            subject="Re: did you hear back?",
            body="Not yet! They said two weeks and it's been three. I emailed the recruiter "
            "asking what went wrong but no answer so far. Pub on Friday?\n\n"
            "> Did you hear back from that job? Pub Friday?",
            date=when + timedelta(days=2),
            message_id="<friend@x>",
            in_reply_to="<f0@x>",
        ),
        make_message(
            sender=ME,
            to="lettings@hollins-property.example",
            subject="Flat 3 - boiler",
            body="Hi, the boiler at Flat 3 has stopped again (error F28). Could you send "
            "someone this week? I'm home on Tuesday and Thursday.\n\nThanks,\nSam",
            date=when + timedelta(days=3),
            message_id="<boiler@x>",
        ),
    ]
    box = tmp_path / "mail"
    _maildir(box, mails, [])
    config = tmp_path / "config.toml"
    config.write_text(
        f'lookback_days = 365\n[[accounts]]\nname = "me"\nmaildir = "{box}"\naddresses = ["{ME}"]\n'
    )
    config.chmod(0o600)
    argv = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert main([*argv, "sync", "--now", "2025-03-10T09:00:00+00:00"], {}) == 0
    capsys.readouterr()
    assert main([*argv, "digest", "--json", "--now", "2025-03-10T09:00:00+00:00"], {}) == 0
    tracked = {t["request_message_id"] for t in json.loads(capsys.readouterr().out)["threads"]}
    assert tracked == {"<ask@x>"}


def test_a_plain_ask_to_a_recruiter_on_free_mail_is_still_tracked():
    """Free mail is a hint, not a verdict: recruiters write from hotmail too."""
    from watcher.classify.classifier import RequestDetector

    body = (
        "Thanks again for the interview. How do I stack up against the other candidates, "
        "and what could I have done better?"
    )
    asks = [
        sent(to, "Feedback on my interview", body) for to in ("rik@hotmail.nl", "d@acme.example")
    ]
    verdicts = [v for _, v, _ in RequestDetector(None)(asks, {}, OWN)]
    assert verdicts == [RequestVerdict.YES, RequestVerdict.YES]
