"""Parsing raw messages into Message records: headers, dates, bodies, charsets, ugly real shapes."""

from __future__ import annotations

import base64
import dataclasses
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from watcher.mail.charsets import codec_for, decode_bytes
from watcher.mail.headers import Address, decode_header_text, parse_addresses, parse_date, parse_ids
from watcher.mail.messages import EPOCH, Message, normalize_subject, parse_message
from watcher.mail.mimeparts import MAX_DEPTH, Part
from watcher.mail.mimeparts import parse as parse_mime

UGLY = Path(__file__).parent / "data" / "ugly"


def ugly(name: str) -> Message:
    return parse_message((UGLY / name).read_bytes())


def msg(headers: str, body: str = "Hello.\n", *, raw_body: bytes | None = None) -> bytes:
    return (
        headers.strip("\n").encode("utf-8")
        + b"\n\n"
        + (raw_body if raw_body is not None else body.encode())
    )


# ---------------------------------------------------------------- the record


def test_message_is_frozen_and_keeps_contract_fields():
    m = parse_message(msg("From: a@b.example\nSubject: hi\nMessage-ID: <x@y>"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.subject = "changed"  # type: ignore[misc]
    names = {f.name for f in dataclasses.fields(Message)}
    assert {
        "message_id",
        "in_reply_to",
        "references",
        "sender",
        "to",
        "cc",
        "reply_to",
        "date",
        "subject",
        "normalized_subject",
        "body_text",
        "body_html",
        "signals",
    } <= names
    assert m.sender == Address("a@b.example", "")
    assert m.sender.domain == "b.example"


def test_recipients_are_to_plus_cc():
    m = parse_message(msg("From: a@x.example\nTo: b@x.example\nCc: c@x.example"))
    assert [a.email for a in m.recipients] == ["b@x.example", "c@x.example"]


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<abc@host>", ("<abc@host>",)),
        ("abc@host", ("<abc@host>",)),
        ("  < abc@host >  ", ("<abc@host>",)),
        ("<abc@\n host>", ("<abc@host>",)),
        ("<a@b> <c@d>\n\t<e@f>", ("<a@b>", "<c@d>", "<e@f>")),
        ("<a@b>,<c@d>", ("<a@b>", "<c@d>")),
        ("a@b, c@d", ("<a@b>", "<c@d>")),
        ("<a@b> <a@b>", ("<a@b>",)),
        ("garbage without id", ()),
        ("<> <@>", ()),
        ("", ()),
    ],
)
def test_parse_ids_tolerates_brackets_whitespace_and_garbage(value, expected):
    assert parse_ids(value) == expected


def test_in_reply_to_phrase_form_takes_the_message_id_not_the_address():
    value = 'Your message of "Wed, 12 Mar 2025" <alex@mail.example> <req-1@mail.example>'
    assert parse_ids(value, prefer_last=True) == ("<req-1@mail.example>",)


def test_missing_message_id_is_stable_and_content_derived():
    base = "From: a@x.example\nTo: b@x.example\nSubject: s\nDate: Mon, 3 Mar 2025 10:00:00 +0000"
    one = parse_message(msg("Received: from a by b; Mon, 3 Mar 2025 10:00:01 +0000\n" + base))
    two = parse_message(msg("Received: from c by d; Mon, 3 Mar 2025 10:00:09 +0000\n" + base))
    other = parse_message(msg(base, "Different body.\n"))
    assert one.message_id == two.message_id  # trace headers do not change the identity
    assert one.message_id != other.message_id
    assert one.message_id.startswith("<") and one.message_id.endswith("@feedback-watcher.invalid>")


def test_references_and_in_reply_to_are_read():
    m = parse_message(msg("From: a@x.example\nIn-Reply-To: <p@x>\nReferences: <r1@x>\n <p@x>"))
    assert m.in_reply_to == "<p@x>"
    assert m.references == ("<r1@x>", "<p@x>")


# ---------------------------------------------------------------- addresses


def test_addresses_are_lowercased_and_names_decoded():
    got = parse_addresses(["=?utf-8?q?M=C3=BCller=2C_Hans?= <Hans.Mueller@Example.DE>, bob@Y.com"])
    assert got == (Address("hans.mueller@example.de", "Müller, Hans"), Address("bob@y.com", ""))


def test_addresses_quoted_names_comments_groups_and_junk():
    got = parse_addresses(
        [
            '"Doe, Jane" <jane@x.com>, Group: a@b.com, c@d.com;, undisclosed-recipients:;',
            "bob@x.com (Bob Smith), <mailto:CARL@x.com>, not an address, x@y.com <x@y.com>",
        ]
    )
    assert got == (
        Address("jane@x.com", "Doe, Jane"),
        Address("a@b.com", ""),
        Address("c@d.com", ""),
        Address("bob@x.com", "Bob Smith"),
        Address("carl@x.com", ""),
        Address("x@y.com", ""),
    )


def test_unquoted_comma_in_display_name_is_rejoined():
    assert parse_addresses(["Müller, Hans <h@x.de>"]) == (Address("h@x.de", "Müller, Hans"),)


def test_raw_8bit_utf8_and_latin1_display_names():
    raw = b"From: Ren\xc3\xa9e <r@x.fr>\nTo: Jos\xe9 <j@x.es>\n\nhi\n"
    m = parse_message(raw)
    assert m.sender == Address("r@x.fr", "Renée")
    assert m.to == (Address("j@x.es", "José"),)


def test_encoded_word_inside_quotes_is_decoded():
    m = parse_message(msg('From: "=?utf-8?B?SsO8cmdlbg==?=" <j@x.de>'))
    assert m.sender == Address("j@x.de", "Jürgen")


# ---------------------------------------------------------------- header text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=?utf-8?q?Caf=C3=A9?=", "Café"),
        ("=?UTF-8?B?w6k?=", "é"),  # missing padding
        ("=?utf-8?b?w6k=?==?utf-8?b?w6k=?=", "éé"),  # glued words
        ("=?utf-8?B?4oA=?= =?utf-8?B?lA==?=", "\u2014"),  # a character split across words
        ("=?x-unknown?Q?Caf=E9?=", "Café"),  # unknown charset: sniffed
        ("=?utf8?Q?S=C3=BC?= d", "Sü d"),
        ("=?iso-8859-1?q?a?=\r\n =?iso-8859-1?q?b?=", "ab"),  # whitespace between words dropped
        ("pre=?utf-8?q?x?=post", "prexpost"),
        ("=?utf-8*en?q?lang?=", "lang"),  # RFC 2231 language tag
        ("=?bogus?X?nope?=", "=?bogus?X?nope?="),  # not an encoded word: kept
        ("plain\r\n\tfolded   text", "plain folded text"),
        ("", ""),
    ],
)
def test_decode_header_text(value, expected):
    assert decode_header_text(value) == expected


# ---------------------------------------------------------------- subjects


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Feedback", "feedback"),
        ("RE: RE: Fwd: FW: Feedback", "feedback"),
        ("AW: WG: Rückmeldung", "rückmeldung"),
        ("SV: VS: Antw: Feedback", "feedback"),
        ("Réf. : TR : RV: Enc: Retour", "retour"),
        ("R: Rif: I: Odp: Vá: Riscontro", "riscontro"),
        ("Re[2]: Re(3): RE^4: Feedback", "feedback"),
        ("[EXT] RE: [External] Feedback  request", "feedback request"),
        ("Re:Re:Feedback", "feedback"),
        ("回复：反馈", "反馈"),
        ("Отв: ответ", "ответ"),
        ("Feedback (fwd)", "feedback"),
        ("Regarding: my interview", "regarding: my interview"),
        ("Reply needed", "reply needed"),
        ("Research role", "research role"),
        ("", ""),
    ],
)
def test_normalize_subject(subject, expected):
    assert normalize_subject(subject) == expected


# ---------------------------------------------------------------- dates


def test_date_header_parsed_aware():
    when = parse_date("Mon, 3 Mar 2025 10:00:00 +0100 (CET)")
    assert when == datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
    assert parse_date("3 Mar 2025 10:00:00 -0000").tzinfo is not None
    assert parse_date("2025-03-03T10:00:00+02:00") == datetime(
        2025, 3, 3, 8, 0, tzinfo=timezone.utc
    )
    assert parse_date("garbage") is None
    assert parse_date("Thu, 1 Jan 1970 00:00:00 +0000") is None  # zeroed clock


def test_date_falls_back_to_internaldate_then_received_then_epoch():
    received = (
        "Received: from a by b; Tue, 4 Mar 2025 10:00:00 +0000\n"
        "Received: by c; Mon, 3 Mar 2025 09:00:00 +0000"
    )
    internal = datetime(2025, 3, 5, 12, 0)  # naive: taken as UTC
    assert parse_message(
        msg("From: a@x.example\nDate: broken\n" + received), internal
    ).date == internal.replace(tzinfo=timezone.utc)
    assert parse_message(msg("From: a@x.example\nDate: broken\n" + received)).date == datetime(
        2025, 3, 4, 10, 0, tzinfo=timezone.utc
    )
    assert parse_message(msg("From: a@x.example")).date == EPOCH


# ---------------------------------------------------------------- bodies and charsets


def test_plain_preferred_over_html_and_html_kept():
    raw = msg(
        'From: a@x.example\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b"',
        "--b\nContent-Type: text/html\n\n<p>HTML version</p>\n--b\nContent-Type: text/plain\n\n"
        "Plain version\n--b--\n",
    )
    m = parse_message(raw)
    assert m.body_text.strip() == "Plain version"
    assert m.body_html is not None and "HTML version" in m.body_html


def test_html_only_converted_with_html_to_text():
    m = parse_message(
        msg(
            "From: a@x.example\nContent-Type: text/html; charset=utf-8",
            "<p>Hi <b>there</b></p><p>Two</p>",
        )
    )
    assert "Hi there" in m.body_text and "Two" in m.body_text
    assert "<p>" not in m.body_text
    assert m.body_html == "<p>Hi <b>there</b></p><p>Two</p>"


def test_empty_plain_part_falls_back_to_html():
    raw = msg(
        'From: a@x.example\nContent-Type: multipart/alternative; boundary="b"',
        "--b\nContent-Type: text/plain\n\n   \n--b\nContent-Type: text/html\n\n<p>Real text</p>\n"
        "--b--\n",
    )
    assert parse_message(raw).body_text.strip() == "Real text"


@pytest.mark.parametrize(
    ("label", "payload", "expected"),
    [
        ("utf8", "Grüße".encode(), "Grüße"),
        ("unknown-8bit", "Grüße".encode("cp1252"), "Grüße"),
        ("x-user-defined", "Grüße".encode(), "Grüße"),
        ("iso-8859-1", "Grüße".encode(), "Grüße"),  # UTF-8 bytes under a Latin-1 label
        ("utf-8", "Grüße “quoted”".encode("cp1252"), "Grüße “quoted”"),  # the reverse lie
        ("us-ascii", "don’t".encode("cp1252"), "don’t"),
        ("ks_c_5601-1987", "안녕".encode("cp949"), "안녕"),
        ("gb2312", "你好".encode("gb18030"), "你好"),
        ("no-such-charset", "Grüße".encode(), "Grüße"),
        ("base64", b"plain", "plain"),  # a Python codec that is not a charset
        ("unicode_escape", b"a\\nb", "a\\nb"),
        (None, "Grüße".encode("latin-1"), "Grüße"),
    ],
)
def test_decode_bytes_repairs_labels(label, payload, expected):
    assert decode_bytes(payload, label) == expected


def test_codec_for_rejects_non_charsets():
    assert codec_for("rot13") is None
    assert codec_for("zlib") is None
    assert codec_for(' "UTF-8" ') == "utf-8"


def test_every_charset_path_in_a_message_body():
    body = "Ünïcödé text".encode("cp1252")
    for label in ("utf8", "unknown-8bit", "x-user-defined", "bogus", "utf-8", ""):
        raw = msg(
            f"From: a@x.example\nContent-Type: text/plain; charset={label}\n"
            f"Content-Transfer-Encoding: 8bit",
            raw_body=body,
        )
        assert parse_message(raw).body_text == "Ünïcödé text", label


def test_bad_base64_tolerated():
    good = base64.b64encode(b"The quick brown fox jumps over the lazy dog.").decode()
    for broken in (good.rstrip("="), good[:20] + "!!\n" + good[20:], good[:16] + "==" + good[16:]):
        raw = msg(
            "From: a@x.example\nContent-Type: text/plain\nContent-Transfer-Encoding: base64", broken
        )
        text = parse_message(raw).body_text
        assert "quick brown" in text and "lazy dog" in text[-20:], broken


def test_quoted_printable_soft_breaks_and_bad_escapes():
    raw = msg(
        "From: a@x.example\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
        "quoted-printable",
        "Gr=C3=BC=C3=9Fe, lo=\nng line =ZZ end=",
    )
    assert parse_message(raw).body_text == "Grüße, long line =ZZ end"


def test_attachments_and_forwarded_messages_are_not_body():
    m = ugly("13_forward_with_attachments.eml")
    assert "Kubernetes" in m.body_text
    assert "INNER-FORWARDED-TEXT" not in m.body_text
    assert "ATTACHED-TEXT-FILE" not in m.body_text
    assert "JVBER" not in m.body_text


def test_newlines_normalised_and_nul_removed():
    raw = b"From: a@x.example\r\nContent-Type: text/plain\r\n\r\nline one\r\nline\x00 two\r\n"
    assert parse_message(raw).body_text == "line one\nline two\n"


def test_no_body_at_all():
    m = parse_message(b"From: a@x.example\nSubject: only headers")
    assert m.body_text == "" and m.body_html is None and m.subject == "only headers"


def test_non_bytes_input_is_tolerated():
    assert parse_message("From: a@x.example\n\nhi").body_text == "hi"  # type: ignore[arg-type]
    assert parse_message(bytearray(b"From: a@x.example\n\nhi")).body_text == "hi"  # type: ignore[arg-type]
    assert parse_message(None).message_id.endswith("@feedback-watcher.invalid>")  # type: ignore[arg-type]


# ---------------------------------------------------------------- the ugly corpus


def test_ugly_corpus_is_present():
    assert len(list(UGLY.glob("*.eml"))) >= 15


def test_ugly_outlook_ooo_german():
    m = ugly("01_outlook_ooo_de.eml")
    assert m.sender == Address("juergen.weiss@corp.example", "Jürgen Weiß")
    assert m.subject == "Automatische Antwort: Feedback zum Vorstellungsgespräch"
    assert m.date == datetime(2025, 3, 3, 8, 14, 21, tzinfo=timezone.utc)
    assert m.in_reply_to == "<req-2025-02-28@mail.example>"
    assert "einschließlich 14.03.2025 nicht im Büro" in m.body_text  # QP + Latin-1 + soft break
    assert "17.03.2025 wieder" in m.body_text
    assert m.body_html is not None and "<p>" in m.body_html
    assert m.signals.auto_submitted == "auto-replied" and m.signals.auto_reply_subject
    assert m.signals.return_date == date(2025, 3, 17)


def test_ugly_gmail_vacation_us_date():
    m = ugly("02_gmail_vacation_us.eml")
    assert m.signals.automatic and m.signals.precedence == "bulk"
    assert m.signals.return_date == date(2025, 3, 10)
    assert m.normalized_subject == "following up on my interview"


def test_ugly_postfix_report():
    m = ugly("03_postfix_dsn_report.eml")
    assert m.sender is not None and m.sender.email == "mailer-daemon@mx.mail.example"
    assert m.sender.name == "Mail Delivery System"
    assert m.signals.bounce and m.signals.delivery_report
    assert set(m.signals.bounced_recipients) == {
        "peter.jones@oldcompany.example",
        "p.jones@oldcompany.example",
    }
    assert "could not" in m.body_text and "Dear Peter" not in m.body_text


def test_ugly_exim_bounce_without_report():
    m = ugly("04_exim_bounce_plain.eml")
    assert m.signals.bounce and not m.signals.delivery_report
    assert m.signals.bounced_recipients == ("recruiting@agency.example",)  # not the quoted To


def test_ugly_exchange_ndr_html_only():
    m = ugly("05_exchange_ndr_html_only.eml")
    assert m.body_html is not None and "Delivery has failed" in m.body_text
    assert m.signals.bounce and m.signals.bounced_recipients == ("h.tanaka@bigcorp.example",)


def test_ugly_read_receipt():
    m = ugly("06_read_receipt_mdn.eml")
    assert m.signals.read_receipt and not m.signals.bounce
    assert not m.signals.auto_reply_subject and m.signals.return_date is None


def test_ugly_html_only_mislabelled_charset():
    m = ugly("07_html_only_mislabelled.eml")
    assert "Tack för att du hörde av dig" in m.body_text
    assert "användartester" in m.body_text
    assert m.normalized_subject == "feedback"
    assert not m.signals.automatic


def test_ugly_raw_8bit_headers_and_body():
    m = ugly("08_raw_8bit_headers.eml")
    assert m.sender == Address("renee.francois@agence.example", "Renée François")
    assert m.subject == "Réf : Votre candidature – retour"
    assert m.normalized_subject == "votre candidature – retour"
    assert "présentation était très claire" in m.body_text


def test_ugly_broken_encoded_words():
    m = ugly("09_broken_encoded_words.eml")
    assert m.sender == Address("m.kowalska@firma.example", "Małgorzata Kowalska")
    assert m.to == (Address("alex.candidate@mail.example", "Alex Céndidate"),)
    assert m.cc == (Address("team@firma.example", "éé Team"),)
    assert m.subject.startswith("Odp: Odpowiedź na pytanie o feedback")
    assert m.subject.endswith("—”")
    assert m.normalized_subject.startswith("odpowiedź na pytanie")


def test_ugly_no_message_id_bad_date():
    m = ugly("10_no_id_bad_date.eml")
    assert m.message_id.endswith("@feedback-watcher.invalid>")
    assert m.message_id == ugly("10_no_id_bad_date.eml").message_id
    assert m.date == datetime(2025, 3, 13, 18, 20, tzinfo=timezone.utc)  # newest Received
    assert m.in_reply_to == "<req-0312@mail.example>"
    assert m.references == ("<req-0301@mail.example>", "<req-0312@mail.example>")
    assert m.normalized_subject == "interview feedback"


def test_ugly_wrong_boundary_recovered():
    m = ugly("11_wrong_boundary.eml")
    assert (
        m.body_text.strip()
        == "Honestly, the system design round was the weak spot: no capacity estimates."
    )
    assert m.body_html is not None and "<p>" in m.body_html


def test_ugly_bad_base64_and_qp():
    m = ugly("12_bad_base64_and_qp.eml")
    assert (
        m.body_text.strip()
        == "Thanks for asking. We felt your SQL was strong, but the take-home lacked tests — that "
        "decided it."
    )
    assert m.body_html is not None and "tests — that decided" in m.body_html


def test_ugly_apple_split_body_and_flowed():
    m = ugly("14_apple_split_flowed.eml")
    assert "case study presentation ran long" in m.body_text  # flowed, delsp=yes
    assert m.body_text.rstrip().endswith("Work on timing and you will do well.")
    assert "iVBOR" not in m.body_text


def test_ugly_bulk_list_and_prefixes():
    m = ugly("15_list_bulk_prefixes.eml")
    assert m.normalized_subject == "update on your application"
    assert m.to == () and m.reply_to == (Address("talent@company.example", ""),)
    assert m.signals.mailing_list and m.signals.precedence == "bulk" and m.signals.automatic


def test_ugly_french_ooo():
    m = ugly("16_french_ooo.eml")
    assert m.sender == Address("a.roux@maison.example", "Angélique Roux")
    assert m.subject == "Réponse automatique : Absence"  # the no-break space folded too
    assert m.signals.auto_reply_header and m.signals.auto_reply_subject
    assert m.signals.return_date == date(2025, 3, 3)


def test_ugly_spanish_ooo_html_only():
    m = ugly("17_spanish_ooo_html.eml")
    assert "de vuelta el 5 de mayo" in m.body_text
    assert m.signals.auto_reply_subject and m.signals.return_date == date(2025, 5, 5)


def test_ugly_truncated_mime():
    m = ugly("18_truncated_mime.eml")
    assert (
        m.body_text.strip()
        == "Vi valgte en annen kandidat fordi du manglet erfaring med Terraform. Lykke til videre!"
    )
    assert m.normalized_subject == "tilbakemelding"


def test_ugly_gmail_failure_without_report():
    m = ugly("19_gmail_dsn_no_report.eml")
    assert m.signals.bounce and m.signals.bounced_recipients == ("j.smith@closedcompany.example",)


@pytest.mark.parametrize("path", sorted(UGLY.glob("*.eml")), ids=lambda p: p.name)
def test_ugly_messages_have_aware_dates_and_real_ids(path):
    m = parse_message(path.read_bytes())
    assert m.date.tzinfo is not None and m.date != EPOCH
    assert m.message_id.startswith("<") and m.message_id.endswith(">")
    assert m.sender is not None and "@" in m.sender.email
    assert m.body_text.strip()
    assert "\r" not in m.body_text


@pytest.mark.parametrize("name", ["11_wrong_boundary.eml", "14_apple_split_flowed.eml"])
def test_reply_extraction_reads_a_raw_message_as_parse_message_does(name):
    # plain_body once had its own parser, which found no text behind a wrong boundary and
    # kept only the first of two plain parts.
    from watcher.replytext.body import plain_body

    raw = (UGLY / name).read_bytes()
    assert plain_body(raw.decode()).strip() == parse_message(raw).body_text.strip() != ""


def test_shared_peer_emls_parse_when_present():
    """The reply-extraction peer suite ships real client-shaped .eml files: all must parse."""
    folder = (
        Path(__file__).resolve().parents[2] / "shared" / "peer-suites" / "reply-extraction" / "eml"
    )
    if not folder.is_dir():
        pytest.skip("../shared is not present")
    for path in sorted(folder.glob("*.eml")):
        m = parse_message(path.read_bytes())
        assert m.body_text.strip(), path.name
        assert m.sender is not None, path.name


# ---------------------------------------------------------------- the MIME splitter


def test_mime_header_block_edge_cases():
    headers, body = split_mime(b"From a@b Mon Mar  3 10:00:00 2025\nSubject: x\n  folded\n\nbody")
    assert headers.headers == {"subject": ["x\n  folded"]} and body == b"body"
    headers, body = split_mime(b"Subject: x\nthis is not a header\nTo: y\n\nrest")
    assert headers.headers == {"subject": ["x"]}
    assert body == b"this is not a header\nTo: y\n\nrest"
    headers, body = split_mime(b"\r\nno headers at all")
    assert headers.headers == {} and body == b"no headers at all"
    headers, body = split_mime(b"Subject: crlf\r\nTo: a@b\r\n\r\nbody\r\n")
    assert headers.headers == {"subject": ["crlf"], "to": ["a@b"]} and body == b"body\r\n"


def split_mime(raw: bytes) -> tuple[Part, bytes]:
    part = parse_mime(raw)
    return part, part.body


def test_mime_boundaries_only_at_line_starts_and_closing_delimiter():
    raw = (
        b'Content-Type: multipart/mixed; boundary="b"\n\npreamble --b not a boundary\n'
        b"--b\nContent-Type: text/plain\n\none --b inside\n--b  \n\ntwo\n"
        b"--b--\nepilogue\n--b\n\nignored\n"
    )
    root = parse_mime(raw)
    assert [c.payload() for c in root.children] == [b"one --b inside", b"two"]


def test_mime_params_quoting_and_rfc2231():
    root = parse_mime(
        b'Content-Type: text/plain; charset="UTF-8"; format=flowed\n'
        b"Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.txt\n\nx"
    )
    assert root.params == {"charset": "UTF-8", "format": "flowed"}
    assert root.is_attachment


def test_mime_nesting_is_bounded_without_recursion_errors():
    depth = 5000
    raw = b"".join(
        b'Content-Type: multipart/mixed; boundary="%d"\n\n--%d\n' % (i, i) for i in range(depth)
    )
    root = parse_mime(raw + b"\ninner\n")
    assert len(root.walk()) <= MAX_DEPTH + 2
