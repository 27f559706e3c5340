"""html_to_text: readable text from HTML mail bodies, with and without quote containers."""

from __future__ import annotations

import random

import pytest

from watcher.replytext.htmltext import html_to_text


def test_empty_input_gives_empty_text():
    assert html_to_text("") == ""
    assert html_to_text("<html><body></body></html>") == ""


def test_blocks_and_breaks_become_lines():
    html = "<div>Hi Anna,</div><div><br></div><div>Thanks for your time.<br>Kind regards</div>"
    assert html_to_text(html) == "Hi Anna,\n\nThanks for your time.\nKind regards"


def test_paragraphs_are_separated_by_one_blank_line():
    assert html_to_text("<p>One</p><p>Two</p>\n\n<p>Three</p>") == "One\n\nTwo\n\nThree"


def test_inline_whitespace_is_collapsed():
    html = "<p>  spread\n   over   lines\tand  <b>bold</b>  </p>"
    assert html_to_text(html) == "spread over lines and bold"


def test_lists_become_dash_and_numbered_lines():
    html = "<p>Feedback:</p><ul><li>coding strong</li><li>design weak</ul><ol><li>a<li>b</ol>"
    assert html_to_text(html) == "Feedback:\n\n- coding strong\n- design weak\n1. a\n2. b"


def test_blockquote_lines_are_prefixed_and_nest():
    html = "<div>Reply</div><blockquote>quoted<br>more<blockquote>deeper</blockquote></blockquote>"
    assert html_to_text(html) == "Reply\n> quoted\n> more\n> > deeper"


def test_script_style_and_head_are_dropped():
    html = (
        "<html><head><title>T</title><style>p {color: red}</style></head>"
        "<body><script>alert(1)</script><p>Visible</p></body></html>"
    )
    assert html_to_text(html) == "Visible"


def test_entities_are_decoded_and_nbsp_is_a_space():
    html = "<p>Caf&eacute;&nbsp;&amp; cr&egrave;me &lt;ok&gt; &#8212; &#x27;x&#x27;</p>"
    assert html_to_text(html) == "Café & crème <ok> — 'x'"


def test_pre_keeps_its_lines_and_indentation():
    assert html_to_text("<pre>a\n    b\nc</pre><p>after</p>") == "a\n    b\nc\n\nafter"


def test_table_cells_are_spaced_on_one_row_line():
    html = "<table><tr><td>John Smith</td><td>CEO</td></tr><tr><td>Acme</td></tr></table>"
    assert html_to_text(html) == "John Smith  CEO\nAcme"


def test_quotes_are_kept_without_drop_quotes():
    html = (
        '<div>Yes.</div><div class="gmail_quote">On Mon, Anna wrote:'
        "<blockquote>Q?</blockquote></div>"
    )
    text = html_to_text(html)
    assert "Yes." in text and "Q?" in text


GMAIL = (
    '<div dir="ltr">We went with another candidate.<div><br></div><div>Best,</div><div>John</div>'
    '</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
    "On Mon, Mar 3, 2025 at 10:00 AM Anna &lt;anna@example.com&gt; wrote:<br></div>"
    '<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">Any feedback?</blockquote></div>'
)
APPLE = (
    '<html><body><div>Sounds good.</div><div><br><blockquote type="cite"><div>On 3 Mar 2025,'
    " at 10:00, Anna &lt;anna@example.com&gt; wrote:</div><div>Any feedback?</div></blockquote>"
    "</div></body></html>"
)
THUNDERBIRD = (
    '<p>Thanks, we will be in touch.</p><div class="moz-cite-prefix">On 03/03/2025 10:00, Anna'
    ' wrote:<br></div><blockquote cite="mid:x@y">Any feedback?</blockquote><p>P.S. after</p>'
)
OUTLOOK_WEB = (
    '<div>Hello Anna, we decided not to proceed.</div><div id="appendonsend"></div>'
    '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg"><b>From:</b> Anna<br>'
    "<b>Sent:</b> Monday<br><b>Subject:</b> Feedback</div><div>Any feedback?</div>"
)
OUTLOOK_DESKTOP = (
    "<div class=WordSection1><p class=MsoNormal>Unfortunately no.<o:p></o:p></p><div><div "
    'style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p '
    "class=MsoNormal><b>From:</b> Anna<br><b>Sent:</b> Monday</p></div></div><p "
    "class=MsoNormal>Any feedback?</p></div>"
)
OUTLOOK_2007 = (
    "<p>Fine by me.</p><div style='border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt'>"
    "<p><b>From:</b> Anna</p></div><p>Any feedback?</p>"
)
YAHOO = (
    '<div class="yahoo-style-wrap">Good luck!</div><div id="yahoo_quoted_1" class="yahoo_quoted">'
    "<div>On Monday, Anna wrote:</div><div>Any feedback?</div></div>"
)
OUTLOOK_2003 = (
    "<p>See you then.</p><div class=OutlookMessageHeader lang=en-us dir=ltr align=left><hr>"
    "<b>From:</b> Anna<br></div><div>Any feedback?</div>"
)


@pytest.mark.parametrize(
    ("html", "reply"),
    [
        (GMAIL, "We went with another candidate.\n\nBest,\nJohn"),
        (APPLE, "Sounds good."),
        (THUNDERBIRD, "Thanks, we will be in touch.\n\nP.S. after"),
        (OUTLOOK_WEB, "Hello Anna, we decided not to proceed."),
        (OUTLOOK_DESKTOP, "Unfortunately no."),
        (OUTLOOK_2007, "Fine by me."),
        (YAHOO, "Good luck!"),
        (OUTLOOK_2003, "See you then."),
    ],
    ids=[
        "gmail",
        "apple",
        "thunderbird",
        "outlook-web",
        "outlook-desktop",
        "outlook-2007",
        "yahoo",
        "outlook-2003",
    ],
)
def test_drop_quotes_removes_client_quote_containers(html, reply):
    text = html_to_text(html, drop_quotes=True)
    assert text == reply
    assert "Any feedback?" not in text


def test_drop_quotes_keeps_a_plain_blockquote_the_writer_used():
    html = "<p>As the docs say:</p><blockquote>Use the API.</blockquote><p>Done.</p>"
    assert html_to_text(html, drop_quotes=True) == "As the docs say:\n\n> Use the API.\n\nDone."


@pytest.mark.parametrize(
    "html",
    [
        '<div>Hi<br>there<div class="gmail_quote">On x wrote:<blockquote>orig',
        "<p>a<p>b</div></div><b>unclosed <i>t",
        "<![if !supportLists]>x<![endif]> <![foo[ bar ]]> tail",
        "</p></br><<>>&&#;&#xZZ;<!-- unclosed comment",
        "<table><tr><td>1<td>2<tr><td>3</table></td></tr>",
        "<!DOCTYPE html [ <!x> ]><html><body>ok",
    ],
)
def test_broken_html_never_raises(html):
    for drop in (False, True):
        assert isinstance(html_to_text(html, drop_quotes=drop), str)


def test_unclosed_markup_still_gives_the_words():
    assert html_to_text("<div>Hi<br>there<div class='gmail_quote'>orig", drop_quotes=True) == (
        "Hi\nthere"
    )
    assert "tail" in html_to_text("<![foo[ bar ]]> tail")


def test_random_tag_soup_never_raises():
    rng = random.Random(7)
    tokens = [
        "<div>",
        "</div>",
        "<p>",
        "<br>",
        "<blockquote>",
        "</blockquote>",
        "<li>",
        "<ul>",
        "</ul>",
        "&amp;",
        "&",
        "<",
        ">",
        "text",
        " ",
        "\n",
        "<pre>",
        "</pre>",
        "<!--",
        "-->",
        "<![if x]>",
        '<div class="gmail_quote">',
        '<div id="divRplyFwdMsg">',
        "<script>",
        "</script>",
        "<td>",
        "<![CDATA[",
        "]]>",
        "<?php",
    ]
    for _ in range(2000):
        soup = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 25)))
        assert isinstance(html_to_text(soup, drop_quotes=rng.random() < 0.5), str)
