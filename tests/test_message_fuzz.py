"""No input makes parse_message raise or fall back: random, mutated and adversarial messages.

An "escape" is either an exception out of parse_message or its last-resort fallback (logged
as a warning by watcher.mail.messages); every property asserts there were none. Budgets are fixed
(a few hundred examples per property, no deadline) so the file stays well under 30 s.
"""

from __future__ import annotations

import base64
import logging
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.mail.autosignals import AutoSignals
from watcher.mail.headers import Address
from watcher.mail.messages import Message, normalize_subject, parse_message

pytestmark = pytest.mark.slow

UGLY = Path(__file__).parent / "data" / "ugly"
SEEDS = [p.read_bytes() for p in sorted(UGLY.glob("*.eml"))]

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _Escapes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def no_escapes() -> Iterator[None]:
    """Fail when watcher.mail.messages logged its fallback (an exception it had to swallow)."""
    handler = _Escapes()
    logger = logging.getLogger("watcher.mail.messages")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not handler.records, handler.records[0].getMessage()


def _utf8_clean(text: str) -> None:
    text.encode("utf-8")  # lone surrogates would break SQLite and JSON later


def check(raw: bytes, internaldate: datetime | None = None) -> Message:
    """Parse under the escape guard and assert the record's invariants."""
    with no_escapes():
        m = parse_message(raw, internaldate)
    assert isinstance(m, Message)
    assert m.message_id.startswith("<") and m.message_id.endswith(">")
    assert m.in_reply_to is None or (m.in_reply_to.startswith("<") and m.in_reply_to.endswith(">"))
    assert all(r.startswith("<") and r.endswith(">") for r in m.references)
    assert m.date.tzinfo is not None
    assert isinstance(m.subject, str) and "\n" not in m.subject and "\r" not in m.subject
    assert m.normalized_subject == normalize_subject(m.subject)
    assert isinstance(m.body_text, str) and "\r" not in m.body_text and "\x00" not in m.body_text
    assert m.body_html is None or isinstance(m.body_html, str)
    assert isinstance(m.signals, AutoSignals)
    for addr in (m.sender,) * (m.sender is not None) + m.to + m.cc + m.reply_to:
        assert isinstance(addr, Address) and "@" in addr.email and addr.email == addr.email.lower()
        _utf8_clean(addr.email + addr.name)
    for text in (m.message_id, m.subject, m.body_text, m.body_html or "", *m.references):
        _utf8_clean(text)
    if m.signals.return_date is not None:
        assert abs((m.signals.return_date - m.date.date()).days) <= 400
    return m


# ---------------------------------------------------------------- strategies

CHARSETS = [
    "utf-8",
    "utf8",
    "iso-8859-1",
    "windows-1252",
    "us-ascii",
    "unknown-8bit",
    "x-user-defined",
    "koi8-r",
    "shift_jis",
    "gb2312",
    "utf-16",
    "utf-7",
    "bogus-charset",
    "",
    '"',
    "base64",
    "rot13",
]
CTES = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus", ""]
TYPES = [
    "text/plain",
    "text/html",
    "text/calendar",
    "application/octet-stream",
    "image/png",
    "message/rfc822",
    "message/delivery-status",
    "message/disposition-notification",
    "text",
    "garbage",
]

header_text = st.one_of(
    st.text(max_size=80),
    st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
    st.builds(
        lambda cs, enc, body: f"=?{cs}?{enc}?{body}?=",
        st.sampled_from(CHARSETS),
        st.sampled_from(["q", "B", "b", "x"]),
        st.text("abcXYZ=_+/0123456789 ?", max_size=30),
    ),
)


def _encode(payload: bytes, cte: str, draw_break: bool) -> bytes:
    if cte == "base64":
        data = base64.encodebytes(payload)
        return data[: len(data) // 2] + b"!*=" + data[len(data) // 2 :] if draw_break else data
    if cte == "quoted-printable":
        data = payload.replace(b"=", b"=3D")
        return data + b"=Z" if draw_break else data
    return payload


@st.composite
def mime_part(draw, depth: int = 0) -> bytes:
    ctype = draw(
        st.sampled_from(
            TYPES
            + (
                ["multipart/mixed", "multipart/alternative", "multipart/report"]
                if depth < 4
                else []
            )
        )
    )
    headers = [b"Content-Type: " + ctype.encode()]
    if ctype.startswith("multipart/"):
        boundary = draw(st.text("abcdef0123456789-=_", min_size=1, max_size=12))
        declared = (
            boundary if draw(st.booleans()) else draw(st.text("xyz", max_size=5))
        )  # wrong boundary
        headers[0] += b'; boundary="' + declared.encode() + b'"'
        if ctype == "multipart/report":
            headers[0] += b"; report-type=" + draw(
                st.sampled_from([b"delivery-status", b"disposition-notification"])
            )
        children = draw(st.lists(mime_part(depth + 1), max_size=4))
        body = b"".join(b"--" + boundary.encode() + b"\n" + c + b"\n" for c in children)
        if draw(st.booleans()):
            body += b"--" + boundary.encode() + b"--\n"  # otherwise truncated: no closing boundary
        return b"\n".join(headers) + b"\n\n" + body
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(CTES))
    headers[0] += b"; charset=" + charset.encode("latin-1")
    headers.append(b"Content-Transfer-Encoding: " + cte.encode())
    if draw(st.booleans()):
        headers.append(b'Content-Disposition: attachment; filename="f.bin"')
    if ctype == "message/rfc822" and depth < 4:
        payload = draw(message_bytes(depth + 1))
    elif ctype == "message/delivery-status":
        payload = (
            b"Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; "
            + draw(st.binary(max_size=30))
            + b"\nAction: failed\n"
        )
    else:
        payload = draw(
            st.one_of(
                st.binary(max_size=300),
                st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
            )
        )
    return b"\n".join(headers) + b"\n\n" + _encode(payload, cte, draw(st.booleans()))


@st.composite
def message_bytes(draw, depth: int = 0) -> bytes:
    names = [
        "From",
        "To",
        "Cc",
        "Reply-To",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Received",
        "Auto-Submitted",
        "Precedence",
        "List-Id",
        "X-Autoreply",
        "Content-Type",
    ]
    lines = []
    for name in draw(st.lists(st.sampled_from(names), max_size=10)):
        value = draw(header_text)
        lines.append(name.encode() + b": " + value.encode("utf-8", "surrogatepass"))
    head = b"\n".join(lines)
    body = (
        draw(mime_part(depth))
        if depth < 4 and draw(st.booleans())
        else b"\n" + draw(st.binary(max_size=200))
    )
    return head + b"\n" + body


@st.composite
def mutated_seed(draw) -> bytes:
    """A real-shaped message from the ugly corpus, damaged in a few random ways."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(
            st.sampled_from(
                ["truncate", "delete", "insert", "flip", "duplicate", "boundary", "charset", "cte"]
            )
        )
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "truncate":
            del data[pos:]
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif kind == "duplicate":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 400))]
        elif kind == "boundary":
            data = bytearray(bytes(data).replace(b"boundary=", b"boundary=X", 1))
        elif kind == "charset":
            data = bytearray(
                bytes(data).replace(
                    b"charset=", b"charset=" + draw(st.sampled_from(CHARSETS)).encode() + b"-", 1
                )
            )
        elif kind == "cte":
            data = bytearray(
                bytes(data).replace(b"quoted-printable", draw(st.sampled_from(CTES)).encode(), 1)
            )
    return bytes(data)


internaldates = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(timezone(timedelta(hours=5))),
    ),
)


# ---------------------------------------------------------------- properties


@FUZZ
@given(st.binary(max_size=4000), internaldates)
def test_random_bytes_never_escape(raw, internaldate):
    m = check(raw, internaldate)
    if internaldate is not None and b"Date" not in raw and b"Received" not in raw:
        assert m.date.replace(tzinfo=None) == internaldate.replace(tzinfo=None)


@FUZZ
@given(message_bytes())
def test_generated_mime_trees_never_escape(raw):
    check(raw)


@FUZZ
@given(mutated_seed())
def test_mutated_real_shaped_messages_never_escape(raw):
    check(raw)


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["From", "To", "Subject", "Date", "References", "In-Reply-To"]),
            st.binary(max_size=120),
        ),
        max_size=8,
    ),
    st.binary(max_size=300),
)
def test_8bit_headers_never_escape(headers, body):
    raw = (
        b"\r\n".join(name.encode() + b": " + value.replace(b"\n", b" ") for name, value in headers)
        + b"\r\n\r\n"
        + body
    )
    check(raw)


@FUZZ
@given(st.text(max_size=200))
def test_normalize_subject_is_idempotent_and_total(subject):
    once = normalize_subject(subject)
    assert normalize_subject(once) == once
    assert once == once.lower()


def test_parsing_is_deterministic():
    rng = random.Random(7)
    for seed in SEEDS:
        damaged = bytearray(seed)
        del damaged[rng.randrange(len(damaged)) :]
        assert parse_message(bytes(damaged)) == parse_message(bytes(damaged))


# ---------------------------------------------------------------- adversarial sizes and shapes


def test_20_mb_attachment():
    att = base64.encodebytes(os.urandom(15_000_000))
    raw = (
        b'From: a@x.example\nSubject: big\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nHello big.\n--b\nContent-Type: "
        b"application/octet-stream\n"
        b'Content-Disposition: attachment; filename="x.bin"\nContent-Transfer-Encoding: base64\n\n'
        + att
        + b"\n--b--\n"
    )
    assert len(raw) > 20_000_000
    assert check(raw).body_text == "Hello big."


def test_20_mb_text_body_is_capped():
    raw = b"From: a@x.example\nContent-Type: text/plain\n\n" + b"word " * 4_000_000
    m = check(raw)
    assert 0 < len(m.body_text) <= 2_000_000


def test_a_thousand_parts():
    parts = b"".join(
        b'--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename="p%d.txt"\n\n'
        b"part %d\n" % (i, i)
        for i in range(1000)
    )
    raw = (
        b'From: a@x.example\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: '
        b"text/plain\n\nbody\n" + parts + b"--b--\n"
    )
    assert check(raw).body_text == "body"  # the newline before a boundary belongs to it


def test_a_thousand_inline_text_parts_are_joined():
    parts = b"".join(b"--b\nContent-Type: text/plain\n\nline %d\n" % i for i in range(1000))
    m = check(
        b'From: a@x.example\nContent-Type: multipart/mixed; boundary="b"\n\n' + parts + b"--b--\n"
    )
    assert m.body_text.startswith("line 0") and m.body_text.endswith("line 999")


@pytest.mark.parametrize("depth", [20, 3000])
def test_deeply_nested_multiparts(depth):
    raw = (
        b"From: a@x.example\nSubject: deep\n"
        + b"".join(
            b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i)
            for i in range(depth)
        )
        + b"Content-Type: text/plain\n\ndeep text\n"
        + b"".join(b"--b%d--\n" % i for i in reversed(range(depth)))
    )
    m = check(raw)
    assert m.subject == "deep"
    assert ("deep text" in m.body_text) == (depth == 20)


@pytest.mark.parametrize("depth", [5, 3000])
def test_nested_message_rfc822(depth):
    raw = (
        b"From: a@x.example\nSubject: outer\n"
        + b"Content-Type: message/rfc822\n\n" * depth
        + b"From: b@y.example\n\ninner\n"
    )
    m = check(raw)
    assert m.subject == "outer" and "inner" not in m.body_text


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n",
        b"\r\n\r\n",
        b"From:",
        b"From: a@x.example",
        b"Subject: x\n\n",
        b":\n:\n",
        b"\xff\xfe\x00\x00",
        b"Content-Type: multipart/mixed\n\n--\n--\n",
        b"Content-Type: multipart/mixed; boundary=\n\n--\n",
        b"Content-Transfer-Encoding: base64\n\n=",
        b"Date: Mon, 99 Foo 99999 99:99:99 +9999\n\n",
        b"Date: Thu, 1 Jan 10000 00:00:00 +0000\n\n",
        b"From: " + b"a" * 200_000 + b"@x\n\n",
        b"References: " + b"<a@b> " * 20_000 + b"\n\n",
        b"Subject: " + b"=?utf-8?q?x?=" * 10_000 + b"\n\n",
    ],
)
def test_degenerate_inputs(raw):
    check(raw)
