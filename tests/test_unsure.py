"""The unsure tier of the request detector: sent messages the user is asked about."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from demostate import DemoState

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
