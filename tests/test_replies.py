"""strip_quotes / visible_text: the new text of a reply, in the shapes real clients write."""

from __future__ import annotations

import base64
import time
from email.message import EmailMessage

import pytest

from watcher.replytext import strip_quotes, visible_text
from watcher.replytext.body import plain_body

REPLY = "Hi Anna,\n\nThe panel felt your system design answers were not deep enough."

# -- no quote, empty input -------------------------------------------------------------


def test_empty_and_blank_input():
    for text in ("", "   ", "\n\n", "\r\n"):
        assert strip_quotes(text) == ""
        assert visible_text(text) == ""


def test_mail_without_quote_or_signature_is_untouched():
    text = (
        "Hi Anna,\n\nThanks for asking. We felt that you were strong on coding, but the\n"
        "design round did not go well.\n\n- more practice with trade-offs\n- talk through"
        " failure modes\n\nIt was close."
    )
    assert strip_quotes(text) == text
    assert visible_text(text) == text


def test_crlf_line_ends_are_normalised():
    assert (
        visible_text(
            "Yes, Monday works.\r\n\r\nOn Mon, Mar 3, 2025 at 10:00 AM Anna"
            " <a@x.com> wrote:\r\n> Hi\r\n"
        )
        == "Yes, Monday works."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Visit us now...\n>>> http://www.example.com <<<\nClick the link above",
        "On your remote host run:\n\n   telnet 127.0.0.1 52698\n\nIt should connect.",
        "One thing: the 10:30 slot works for me.",
        "Availability:\nDate: 3 March 2025\nTime: 10:00\nAddress: 130 Fox St",
        "Here is a fix -- not a signature.\n\nkthxbai",
        "Sent from my desk, which is easier than my phone.",
        "Hi Anna,\n\nOn Monday the panel wrote:\nStrong coding, weak design.",
        "Feedback:\nFrom: our side, the design round.\nTo: improve, practise trade-offs.",
    ],
    ids=[
        "arrow-line",
        "on-sentence",
        "time",
        "date-time-block",
        "mid-line-dashes",
        "sent-from",
        "on-wrote-without-date",
        "from-to-prose",
    ],
)
def test_lookalikes_are_not_removed(text):
    assert visible_text(text) == text


# -- quote headers in many languages ---------------------------------------------------

ATTRIBUTIONS = {
    "en-gmail": "On Mon, Mar 3, 2025 at 10:00 AM Anna Meyer <anna@example.com> wrote:",
    "en-apple": "On 3 Mar 2025, at 10:00, Anna Meyer <anna@example.com> wrote:",
    "en-thunderbird": "On 03/03/2025 10:00, Anna Meyer wrote:",
    "de": "Am Mo., 3. März 2025 um 10:00 Uhr schrieb Anna Meyer <anna@example.com>:",
    "fr": "Le lun. 3 mars 2025 à 10:00, Anna Meyer <anna@example.com> a écrit :",
    "es": "El lun, 3 mar 2025 a las 10:00, Anna Meyer (<anna@example.com>) escribió:",
    "pt": "Em seg., 3 de mar. de 2025 às 10:00, Anna Meyer <anna@example.com> escreveu:",
    "nl": "Op ma 3 mrt 2025 om 10:00 schreef Anna Meyer <anna@example.com>:",
    "it": "Il giorno lun 3 mar 2025 alle ore 10:00 Anna Meyer <anna@example.com> ha scritto:",
    "sv": "Den mån 3 mars 2025 kl 10:00 skrev Anna Meyer <anna@example.com>:",
    "da": "Den 3. mar. 2025 kl. 10.00 skrev Anna Meyer <anna@example.com>:",
    "no": "På 3. mars 2025 kl. 10:00 skrev Anna Meyer <anna@example.com>:",
    "pl": "pon., 3 mar 2025 o 10:00 Anna Meyer <anna@example.com> napisała:",
    "cs": "po 3. 3. 2025 v 10:00 odesílatel Anna Meyer <anna@example.com> napsal:",
    "fi": "ma 3. maalisk. 2025 klo 10.00 Anna Meyer (anna@example.com) kirjoitti:",
    "ru": "пн, 3 мар. 2025 г. в 10:00, Anna Meyer <anna@example.com>:",
    "ja": "2025年3月3日(月) 10:00 Anna Meyer <anna@example.com>:",
    "android": "---- Anna Meyer wrote ----",
}


@pytest.mark.parametrize("header", ATTRIBUTIONS.values(), ids=ATTRIBUTIONS.keys())
def test_attribution_with_quoted_lines_is_removed(header):
    text = f"{REPLY}\n\n{header}\n\n> Hello,\n> could you share feedback?\n"
    assert strip_quotes(text) == REPLY


WROTE_HEADERS = {k: v for k, v in ATTRIBUTIONS.items() if k not in ("ru", "ja", "android")}


@pytest.mark.parametrize("header", WROTE_HEADERS.values(), ids=WROTE_HEADERS.keys())
def test_attribution_followed_by_unquoted_original_cuts_there(header):
    text = f"{REPLY}\n\n{header}\n\nHello,\ncould you share feedback?\n"
    assert strip_quotes(text) == REPLY


@pytest.mark.parametrize(
    "header",
    [
        "On Wed, May 18, 2016 at 11:10 PM Anna Meyer <anna@example.com>\nwrote:",
        "On Dec 16, 2011, at 12:47 PM, Anna Meyer\n<anna@example.com>\nwrote:",
        'On Mar 8, 2012 9:59 AM, "Example.com" <\nr+7f1b094c@example.com> wrote:',
        "W dniu 28 stycznia 2015 01:53 użytkownik Anna <anna@example.com>\nnapisał:",
        "2014-10-17 11:28 GMT+03:00 Anna <\nanna@example.com>:",
    ],
    ids=["gmail-wrapped", "three-lines", "address-wrapped", "polish-wrapped", "date-address"],
)
def test_attribution_wrapped_over_lines(header):
    text = f"{REPLY}\n\n{header}\n\n> Hello,\n> could you share feedback?\n"
    assert strip_quotes(text) == REPLY


def test_lotus_notes_attribution_with_the_date_after_the_verb():
    text = f"{REPLY}\n\nAnna Meyer <anna@example.com> wrote on 03/03/2025 10:00:00 AM:\n\nHello"
    assert strip_quotes(text) == REPLY


def test_attribution_sharing_a_line_with_the_reply():
    text = "Works for me--- On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:\n> Hi"
    assert strip_quotes(text) == "Works for me"


OUTLOOK_BLOCKS = {
    "en": "From: Anna Meyer <anna@example.com>\nSent: Monday, March 3, 2025 10:00 AM\n"
    "To: John Smith <john@acme.com>\nSubject: Feedback",
    "en-bold": "*From:* Anna Meyer [mailto:anna@example.com]\n*Sent:* Monday, March 3, 2025\n"
    "*To:* John Smith\n*Subject:* Feedback",
    "de": "Von: Anna Meyer <anna@example.com>\nGesendet: Montag, 3. März 2025 10:00\n"
    "An: John Smith\nBetreff: Feedback",
    "fr": "De : Anna Meyer <anna@example.com>\nEnvoyé : lundi 3 mars 2025 10:00\n"
    "À : John Smith\nObjet : Feedback",
    "es": "De: Anna Meyer <anna@example.com>\nEnviado: lunes, 3 de marzo de 2025 10:00\n"
    "Para: John Smith\nAsunto: Feedback",
    "pt": "De: Anna Meyer <anna@example.com>\nEnviada em: segunda-feira, 3 de março de 2025\n"
    "Para: John Smith\nAssunto: Feedback",
    "nl": "Van: Anna Meyer <anna@example.com>\nVerzonden: maandag 3 maart 2025 10:00\n"
    "Aan: John Smith\nOnderwerp: Feedback",
    "it": "Da: Anna Meyer <anna@example.com>\nInviato: lunedì 3 marzo 2025 10:00\n"
    "A: John Smith\nOggetto: Feedback",
    "sv": "Från: Anna Meyer <anna@example.com>\nSkickat: den 3 mars 2025 10:00\n"
    "Till: John Smith\nÄmne: Feedback",
    "da": "Fra: Anna Meyer <anna@example.com>\nSendt: 3. marts 2025 10:00\n"
    "Til: John Smith\nEmne: Feedback",
    "pl": "Od: Anna Meyer <anna@example.com>\nWysłano: poniedziałek, 3 marca 2025 10:00\n"
    "Do: John Smith\nTemat: Feedback",
    "ru": "От: Anna Meyer <anna@example.com>\nОтправлено: 3 марта 2025 г. 10:00\n"
    "Кому: John Smith\nТема: Feedback",
    "gmail-forward-style": "From: Anna Meyer <anna@example.com>\nDate: Mon, Mar 3, 2025\n"
    "Subject: Feedback\nTo: John Smith <john@acme.com>",
    "zh-fullwidth": "发件人：Anna Meyer <anna@example.com>\n发送时间：2025年3月3日 10:00\n"
    "收件人：John Smith\n主题：Feedback",
    "ja": "差出人: Anna Meyer <anna@example.com>\n送信日時: 2025年3月3日 10:00\n"
    "宛先: John Smith\n件名: Feedback",
}


@pytest.mark.parametrize("block", OUTLOOK_BLOCKS.values(), ids=OUTLOOK_BLOCKS.keys())
def test_outlook_header_block_cuts_the_original(block):
    text = f"{REPLY}\n\n{block}\n\nHello John,\ncould you share feedback?\n\n> older quote"
    assert strip_quotes(text) == REPLY


@pytest.mark.parametrize(
    "rule",
    [
        "________________________________",
        "-----Original Message-----",
        "----- Original Message -----",
        "-----Ursprüngliche Nachricht-----",
        "-----Message d'origine-----",
        "-----Mensaje original-----",
        "-----Oorspronkelijk bericht-----",
        "-----Oprindelig meddelelse-----",
        "-------- Messaggio originale --------",
    ],
)
def test_separator_lines_start_the_original(rule):
    text = f"{REPLY}\n\n{rule}\nFrom: Anna <anna@example.com>\nSent: Monday\nTo: John\n\nHello"
    assert strip_quotes(text) == REPLY


def test_original_message_line_without_headers():
    assert strip_quotes(f"{REPLY}\n\n-----Original Message-----\n\nHello") == REPLY


def test_header_block_at_the_top_is_dropped_and_the_rest_kept():
    text = (
        "Od: Jan <jan@example.com>\nWysłano: środa, 1 marca 2023\nTemat: Test\n\n"
        "Cześć Anno,\n\nJak się masz?"
    )
    assert strip_quotes(text) == "Cześć Anno,\n\nJak się masz?"


def test_forwarded_message_is_kept_as_content():
    text = (
        "See the team's notes below.\n\n---------- Forwarded message ---------\n"
        "From: Manager <m@acme.com>\nDate: Mon, Mar 3, 2025 at 10:00 AM\nSubject: Anna\n\n"
        "Strong on coding, weak on design."
    )
    assert strip_quotes(text) == text
    assert "weak on design" in visible_text(text)


def test_forward_inside_the_original_is_cut_with_it():
    text = (
        f"{REPLY}\n\n-----Original Message-----\n\nFYI\n\n"
        "---------- Forwarded message ----------\nFrom: x@y.com"
    )
    assert strip_quotes(text) == REPLY


# -- quote layouts ----------------------------------------------------------------------


def test_bottom_posted_reply_keeps_text_below_the_quote():
    text = (
        "On 04/19/2011 07:10 AM, Anna wrote:\n\n> Any feedback?\n> Thanks\nYes: the design round."
    )
    assert strip_quotes(text) == "Yes: the design round."


def test_quote_between_reply_and_signature_is_removed():
    text = "Test reply\n\nOn 04/19/2011 07:10 AM, Anna wrote:\n\n> Hi\n> there\n\nRegards, John"
    assert strip_quotes(text) == "Test reply\n\nRegards, John"
    assert visible_text(text) == "Test reply"


def test_inline_reply_keeps_the_quoted_context_but_not_the_trailing_quote():
    text = (
        "On Mon, Mar 3, 2025 at 10:00 AM Anna <anna@example.com> wrote:\n\n"
        "> How did the coding round go?\n>\n\nWell, no concerns there.\n\n"
        "> And the design round?\n>\n\nThat is where it fell short.\n\n"
        "> Thanks a lot,\n> Anna\n"
    )
    result = visible_text(text)
    assert result.startswith("On Mon, Mar 3")
    assert result.endswith("That is where it fell short.")
    assert "> Thanks a lot," not in result


def test_nested_quotes_go_with_their_block():
    text = "Sounds good.\n\n> Earlier:\n>> On Mon, Bob wrote:\n>> > deep\n> end"
    assert strip_quotes(text) == "Sounds good."


def test_single_quoted_line_without_attribution_stays():
    text = "Please note:\n> this is an arrow, not a quote\nOk?"
    assert strip_quotes(text) == text


def test_quote_marker_broken_by_wrapped_link():
    text = (
        "Blah\n\nOn Mon, Mar 3, 2025 at 10:00 AM, bob wrote:\n\n"
        "> View it\n (http://example.com/x) >\n> end"
    )
    assert strip_quotes(text) == "Blah"


# -- signatures and footers -------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nJohn Smith\nAcme Corp",
        "Best regards,\nJohn Smith\nHead of Engineering",
        "Thanks,\nJohn",
        "Regards, John",
        "Mit freundlichen Grüßen\nJohann Schmidt",
        "Cordialement,\nPierre",
        "Saludos,\nCarlos",
        "Atenciosamente,\nJoão",
        "Met vriendelijke groet,\nJan",
        "Cordiali saluti,\nMarco",
        "Med vänliga hälsningar\nErik",
        "Med venlig hilsen\nAnders Andersen",
        "Pozdrawiam,\nPiotr",
        "С уважением,\nИван",
        "-John",
        "/John",
        "Sent from my iPhone",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPhone",
        "Enviado desde mi iPhone",
        "Get Outlook for Android",
        "John Smith\njohn@acme.com\n+1 555 123 4567\nwww.acme.com",
    ],
)
def test_signature_is_removed_only_by_visible_text(signature):
    text = f"{REPLY}\n\n{signature}"
    assert visible_text(text) == REPLY
    assert strip_quotes(text) == text.replace("-- \n", "--\n")  # trailing spaces are trimmed


def test_lone_name_under_the_last_line_is_a_signature():
    assert visible_text("Call me when you can, the answer is in the notes.\nBob") == (
        "Call me when you can, the answer is in the notes."
    )


@pytest.mark.parametrize(
    "signature",
    [
        "With every good wish,\nFiona Brennan\nPractice Manager",
        "Best wishes for your search,\nNadia",
        "Kelly\nSchool Business Manager",
        "Laura Gómez\nDepartamento de Personas",
        "Dee\nStore Manager, Brightmart Ashford",
        "Paul Hendricks, Training Supervisor",
        "Kevin Doyle | Credit Risk",
    ],
)
def test_valedictions_and_name_blocks_are_signatures(signature):
    assert visible_text(f"{REPLY}\n\n{signature}") == REPLY


def test_a_bounce_keeps_its_diagnostic_lines():
    text = (
        "Your message did not reach some or all of the intended recipients.\n\n"
        "The following recipients cannot be reached:\n\n"
        "      'hr@example.com' on 14-3-2025 10:05\n"
        "            554 5.4.14 Hop count exceeded - possible mail loop"
    )
    assert "554 5.4.14" in visible_text(text)


@pytest.mark.parametrize("answer", ["Yes", "Sure", "Agreed", "Noted"])
def test_one_word_answers_are_not_taken_for_names(answer):
    assert visible_text(f"Hi John,\n\n{answer}") == f"Hi John,\n\n{answer}"


def test_signature_never_starts_on_the_first_line():
    assert visible_text("--\nRoman") == "--\nRoman"
    assert visible_text("Thanks,\n\nBlah\n\nregards\n\nJohn Doe") == "Thanks,\n\nBlah"


def test_thanks_line_before_a_signoff_is_text():
    assert visible_text("Hoi Anna,\n\nDank je.\n\nGroeten,\nJan") == "Hoi Anna,\n\nDank je."


def test_dash_bullets_are_not_signatures():
    text = "Notes:\n\n   - how about bullets\n   - and another"
    assert visible_text(text) == text


def test_mobile_footer_alone_leaves_nothing():
    assert visible_text("Sent from my iPhone") == ""


@pytest.mark.parametrize(
    "disclaimer",
    [
        "This e-mail and any attachments are confidential and may be privileged. If you are not"
        " the intended recipient, please notify the sender and delete it.",
        "CONFIDENTIALITY NOTICE: This email is intended only for the named addressee.",
        "Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige Adressat"
        " sind, informieren Sie bitte den Absender.",
        "Ce message et ses pièces jointes sont confidentiels et destinés exclusivement au"
        " destinataire.",
        "Please consider the environment before printing this email.",
    ],
)
def test_disclaimers_are_removed(disclaimer):
    text = f"{REPLY}\n\nKind regards,\nJane Doe\n\n{disclaimer}"
    assert visible_text(text) == REPLY
    assert visible_text(f"{REPLY}\n\n{disclaimer}") == REPLY


def test_mailing_list_footer_is_removed():
    text = (
        f"{REPLY}\n\n-Anna\n\n\n_______________________________________________\n"
        "jobs mailing list\njobs@lists.example.org\nhttp://lists.example.org/mailman/listinfo/jobs"
    )
    assert visible_text(text) == REPLY


def test_a_request_to_unsubscribe_is_not_a_footer():
    text = "Hi,\n\nThanks for the update.\n\nPlease unsubscribe me from these job alerts."
    assert visible_text(text) == text


# -- HTML bodies and whole raw messages -------------------------------------------------

GMAIL_HTML = (
    '<div dir="ltr">We decided to move forward with another candidate.<div><br></div>'
    "<div>Best,</div><div>John</div></div><br>"
    '<div class="gmail_quote"><div class="gmail_attr">On Mon, Mar 3, 2025 at 10:00 AM Anna '
    '&lt;anna@example.com&gt; wrote:<br></div><blockquote class="gmail_quote">Any feedback?'
    "</blockquote></div>"
)


def test_html_body_is_detected_and_converted():
    assert strip_quotes(GMAIL_HTML) == (
        "We decided to move forward with another candidate.\n\nBest,\nJohn"
    )
    assert visible_text(GMAIL_HTML) == "We decided to move forward with another candidate."


def test_html_outlook_header_without_container_is_cut_by_text_rules():
    html = (
        "<p>Hi. I am fine.</p><p>Thanks,<br>Alex</p><p><b>From:</b> Anna [mailto:a@x.com]<br>"
        "<b>Sent:</b> Friday, June 27, 2014 12:06 PM<br><b>To:</b> Alex<br><b>Subject:</b> Test"
        "</p><p>Hello! How are you?</p>"
    )
    assert strip_quotes(html) == "Hi. I am fine.\n\nThanks,\nAlex"


def test_angle_links_are_not_mistaken_for_html():
    assert strip_quotes("<http://link1> <http://link2>") == "<http://link1> <http://link2>"


def _message(plain: str | None, html: str | None, *, charset: str = "utf-8") -> str:
    msg = EmailMessage()
    msg["From"] = "John Smith <john@acme.com>"
    msg["To"] = "anna@example.com"
    msg["Subject"] = "Re: Feedback"
    msg["Message-ID"] = "<reply-1@acme.com>"
    if plain is not None:
        msg.set_content(plain, charset=charset)
    if html is not None:
        if plain is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    return msg.as_string()


def test_raw_message_prefers_the_plain_part():
    plain = "Plain reply.\n\nOn Mon, Mar 3, 2025 at 10:00 AM Anna <anna@example.com> wrote:\n> Hi\n"
    raw = _message(plain, "<p>HTML reply</p>")
    assert strip_quotes(raw) == "Plain reply."


def test_raw_message_with_only_html_uses_it_without_quotes():
    raw = _message(None, GMAIL_HTML)
    assert visible_text(raw) == "We decided to move forward with another candidate."


def test_raw_message_with_encoded_latin1_body():
    plain = (
        "Grüße aus Köln, leider eine Absage.\n\n"
        "Von: Anna <a@x.de>\nGesendet: Montag\nAn: Jo\n\nHallo"
    )
    raw = _message(plain, None, charset="iso-8859-1")
    assert "base64" in raw or "quoted-printable" in raw
    assert strip_quotes(raw) == "Grüße aus Köln, leider eine Absage."


def test_raw_message_with_crlf_and_base64_by_hand():
    body = base64.b64encode(b"Hello\n\nOn Mon, Anna <a@x.com> wrote:\n> Hi\n").decode()
    raw = (
        "From: a@x.com\r\nTo: b@y.com\r\nSubject: Re: x\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + body
        + "\r\n"
    )
    assert strip_quotes(raw) == "Hello"


def test_raw_message_with_unknown_charset_does_not_raise():
    raw = (
        "From: a@x.com\nTo: b@y.com\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=x-unknown-9\n\nJust text \xe9\n"
    )
    assert "Just text" in visible_text(raw)


def test_undecoded_quoted_printable_body_is_repaired():
    text = (
        "Thanks, see you.\n\nOn Mon, Jun 3, 2024 at 12:53=E2=80=AFAM Cody <c@x.com> w=\nrote:\n\n"
        "> Hi there, this is a long line that was wrapped by quoted-printa=\nble\n"
    )
    assert strip_quotes(text) == "Thanks, see you."


def test_plain_body_passes_plain_text_through():
    assert plain_body("just text") == "just text"


# -- speed ------------------------------------------------------------------------------


def test_typical_long_message_is_fast():
    original = "\n".join(
        f"> This is line {n} of a long quoted original about the interview process."
        for n in range(140)
    )
    text = (
        f"{REPLY}\n\nBest regards,\nJohn\n\n"
        f"On Mon, Mar 3, 2025 at 10:00 AM Anna <anna@example.com> wrote:\n\n{original}\n"
    )
    assert len(text) > 9000
    start = time.perf_counter()
    for _ in range(200):
        assert visible_text(text) == REPLY
    elapsed = time.perf_counter() - start
    # 200 messages well under a second even on a busy CI machine (~0.05 s here)
    assert elapsed < 1.0
