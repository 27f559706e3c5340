"""The pure part of recipient facts: which keys to look up, a fact from a few header fields."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mailfactory import make_message

from watcher.classify.features import RecipientFacts
from watcher.hiringfacts import (
    SeenFacts,
    Sighting,
    derive,
    fact_batches,
    fact_keys,
    first_recipient,
    lookup_terms,
    merge_facts,
    message_facts,
    sighting,
    stale_keys,
)
from watcher.mail.messages import parse_message

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
OWN = frozenset({"sam@jobs.example"})


def _headers(sender: str, subject: str, when: datetime = T0, **extra: str) -> bytes:
    lines = [f"From: {sender}", f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}"]
    lines.append(f"Subject: {subject}")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _sent(to: str, when: datetime, cc: str = "") -> object:
    raw = make_message(
        sender="Sam <sam@jobs.example>",
        to=to,
        subject="Feedback?",
        body="Could you tell me what I could have done better?",
        date=when,
        message_id=f"<{to}.{when.timestamp()}@jobs.example>",
        headers={"Cc": cc} if cc else None,
    )
    return parse_message(raw)


def test_keys_are_the_address_and_its_company_domain_but_free_mail_by_address_only():
    assert fact_keys("HR@Company.Example") == ("hr@company.example", "@company.example")
    assert fact_keys("mum@gmail.com") == ("mum@gmail.com",)
    # One search of a domain finds its addresses: they are not searched again.
    keys = {"hr@company.example", "@company.example", "mum@gmail.com"}
    assert lookup_terms(keys) == {"@company.example", "mum@gmail.com"}
    assert lookup_terms({"hr@company.example"}) == {"hr@company.example"}


def test_a_sighting_from_headers_person_or_machine():
    invite = sighting(
        _headers("Dana Hoyt <Dana@Company.example>", "Invitation to interview for the role")
    )
    assert invite == Sighting("dana@company.example", T0, True, True)
    ats = sighting(
        _headers(
            "Careers <no-reply@company.example>",
            "Your application for Data Analyst",
            List_Unsubscribe="<mailto:u@company.example>",
        )
    )
    assert ats is not None and ats.hiring and not ats.person
    assert not sighting(_headers("x <noreply@company.example>", "Your application")).person
    assert not sighting(_headers("a@company.example", "Offer", Precedence="bulk")).person
    assert not sighting(_headers("a@company.example", "x", Auto_Submitted="auto-generated")).person
    assert sighting(_headers("a@company.example", "x", Auto_Submitted="no")).person
    mum = sighting(_headers("Mum <mum@gmail.com>", "Sunday lunch"))
    assert mum is not None and not mum.hiring and mum.person
    encoded = sighting(_headers("a@b.example", "=?utf-8?q?Ihre_Bewerbung_als_Analyst?="))
    assert encoded is not None and encoded.hiring
    assert sighting(b"Subject: no sender\r\n\r\n") is None
    assert sighting(b"") is None


def test_derive_counts_the_domain_for_anyone_and_the_address_for_a_person():
    later = T0 + timedelta(days=5)
    seen = [
        Sighting("noreply@company.example", T0, True, False),  # the ATS acknowledgement
        Sighting("hr@company.example", later, True, True),  # the invitation
        Sighting("news@company.example", later, False, False),
        Sighting("sam@jobs.example", T0, True, True),  # the user's own: never counted
        Sighting("mum@gmail.com", T0, False, True),
    ]
    keys = {"hr@company.example", "@company.example", "mum@gmail.com", "x@gmail.com"}
    facts = derive(keys, seen, OWN, later)
    assert facts["@company.example"] == SeenFacts("@company.example", T0, later, 3, later)
    assert facts["hr@company.example"] == SeenFacts("hr@company.example", later, later, 1, later)
    assert facts["mum@gmail.com"] == SeenFacts("mum@gmail.com", None, None, 1, later)
    # Checked and nothing found is a fact too (so it is not looked up again at once).
    assert facts["x@gmail.com"] == SeenFacts("x@gmail.com", None, None, 0, later)
    ats_only = derive({"noreply@company.example"}, seen[:1], OWN, later)
    assert ats_only["noreply@company.example"].first_hiring is None  # not a person


def test_only_hiring_mail_dated_before_the_message_counts():
    seen = {
        "hr@company.example": SeenFacts("hr@company.example", T0, T0, 2, T0),
        "@company.example": SeenFacts("@company.example", T0 - timedelta(days=3), T0, 4, T0),
    }
    before = message_facts(_sent("hr@company.example", T0 - timedelta(days=1)), OWN, seen)
    assert before == {"hr@company.example": RecipientFacts(False, True, 2)}
    after = message_facts(_sent("HR <hr@company.example>", T0 + timedelta(hours=1)), OWN, seen)
    assert after == {"hr@company.example": RecipientFacts(True, True, 2)}
    assert message_facts(_sent("mum@gmail.com", T0), OWN, seen) == {
        "mum@gmail.com": RecipientFacts()
    }


def test_first_recipient_leaves_out_the_user():
    m = _sent("sam@jobs.example, Dana <dana@company.example>", T0)
    assert first_recipient(m, OWN) == "dana@company.example"
    assert first_recipient(_sent("sam@jobs.example", T0), OWN) is None


def test_stale_keys_are_those_never_checked_or_older_than_a_day():
    now = T0 + timedelta(days=10)
    cached = {
        "hr@company.example": SeenFacts("hr@company.example", checked_at=now - timedelta(hours=2)),
        "@company.example": SeenFacts("@company.example", checked_at=now - timedelta(days=2)),
        "mum@gmail.com": SeenFacts("mum@gmail.com", checked_at=now - timedelta(hours=1)),
    }
    assert stale_keys(["hr@company.example"], cached, now) == {"@company.example"}
    assert stale_keys(["mum@gmail.com"], cached, now) == set()
    assert stale_keys(["new@other.example"], cached, now) == {"new@other.example", "@other.example"}


def test_merge_keeps_the_earliest_first_and_the_latest_latest():
    a = {"k": SeenFacts("k", T0, T0, 1, None)}
    b = {"k": SeenFacts("k", T0 - timedelta(days=1), None, 3, T0)}
    assert merge_facts(a, b)["k"] == SeenFacts("k", T0 - timedelta(days=1), T0, 3, T0)


def test_batches_split_only_where_one_address_needs_two_facts():
    yes, no = RecipientFacts(hiring_mail=True), RecipientFacts()
    facts = [{"a@x.example": no}, {"b@y.example": yes}, {"a@x.example": yes}, {"a@x.example": no}]
    assert fact_batches(facts) == [
        ([0, 1, 3], {"a@x.example": no, "b@y.example": yes}),
        ([2], {"a@x.example": yes}),
    ]
    assert fact_batches([]) == []
