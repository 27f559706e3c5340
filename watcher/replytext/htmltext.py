"""Readable plain text from an HTML mail body (pure, standard library only).

``html_to_text`` keeps the shape a reader sees: paragraphs and ``<br>``/``<div>``
become line breaks, list items become "- item" lines, ``<blockquote>`` content
becomes "> " lines, script/style/head are dropped and entities are decoded.

With ``drop_quotes=True`` it also drops the quoted original that mail clients
wrap in recognisable containers (Gmail, Apple Mail, Thunderbird, Outlook web and
desktop, Yahoo). It does not look at the words: "On ... wrote:" lines that sit
outside any container are left for ``watcher.replytext.quotes`` to remove.

It never raises on broken HTML: unclosed and stray tags are tolerated, and a
declaration the standard parser rejects ends parsing with what was read so far
plus the tag-stripped rest.
"""

from __future__ import annotations

import html as _html
import logging
import re
from html.parser import HTMLParser

from watcher.replytext.lines import tidy

log = logging.getLogger(__name__)

__all__ = ["html_to_text"]

# Elements with no end tag: never pushed on the open-element stack.
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Content that is never shown to the reader.
_INVISIBLE = frozenset(("script", "style", "head", "title", "template", "noscript", "xml"))
# Elements that start and end on a line of their own.
_BLOCK = frozenset(
    """address article aside center dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr legend main nav ol pre section summary table
    tbody thead tfoot tr ul li blockquote caption""".split()
)
# Elements separated from their neighbours by a blank line.
_PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 table pre dl".split())
# An open <p> or <li> is closed by the next one (HTML's implied end tags).
_IMPLIED_CLOSE = {
    "p": frozenset(("p",)),
    "li": frozenset(("li",)),
    "tr": frozenset(("tr", "td", "th")),
    "td": frozenset(("td", "th")),
    "th": frozenset(("td", "th")),
    "dt": frozenset(("dt", "dd")),
    "dd": frozenset(("dt", "dd")),
}

# Quote containers dropped whole (class names, any of them on the element).
_QUOTE_CLASSES = frozenset(
    (
        "gmail_quote",
        "gmail_quote_container",
        "gmail_attr",
        "yahoo_quoted",
        "moz-cite-prefix",
        "protonmail_quote",
        "zmail_extra",
    )
)
# Markers after which everything (the original and what follows) is dropped.
_CUT_CLASSES = frozenset(("outlookmessageheader",))
_CUT_ID_RE = re.compile(r"(?:^|_)(?:divrplyfwdmsg|appendonsend)$")
# Outlook desktop opens the quoted header block with a thin top border
# ("border:none;border-top:solid #E1E1E1 1.0pt" since 2013, #B5C4DF before).
_OUTLOOK_BORDER_RE = re.compile(r"border\s*:\s*none\s*;\s*border-top\s*:\s*solid", re.I)
_YAHOO_ID_RE = re.compile(r"^yahoo_quoted", re.I)

# Marked sections the parser cannot handle raise AssertionError; Outlook's
# "<![if !supportLists]>" and friends carry no text, so remove them first.
_MARKED_SECTION_RE = re.compile(r"<!\[(?!CDATA\[)[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]*>")
_INVISIBLE_RE = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.I | re.S)
_BREAK_TAG_RE = re.compile(r"<(?:br|/?p|/?div|/?li|/?tr|/?h\d)\b[^>]*>", re.I)
_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u2009\u202f]+")


class _TextBuilder(HTMLParser):
    """Streams HTML events into lines of text, tracking the open elements."""

    def __init__(self, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_quotes = drop_quotes
        self.lines: list[str] = []
        self._line: list[str] = []
        self._line_depth = 0  # quote depth when the current line started
        # open elements: (tag, effects) where effects records what to undo on close
        self._stack: list[tuple[str, tuple[str, ...]]] = []
        self._quote_depth = 0
        self._pre = 0
        self._hidden = 0  # inside invisible content or a dropped quote container
        self._lists: list[list[int]] = []  # per open list: [ordinal or -1 for bullets]
        self._cut = False  # a "rest is the original" marker was seen
        self._drop_next_blockquote = False  # after Thunderbird's moz-cite-prefix

    # -- output ---------------------------------------------------------------
    def _flush(self, force: bool = False) -> None:
        text = "".join(self._line)
        if self._pre == 0:
            text = text.strip()
        else:
            text = text.rstrip()
        if text or force:
            prefix = "> " * self._line_depth if text else ">" * self._line_depth
            self.lines.append((prefix + text) if text else prefix.rstrip())
        self._line = []
        self._line_depth = self._quote_depth

    def _soft_break(self) -> None:
        """End the current line if it has content."""
        if "".join(self._line).strip():
            self._flush()
        else:
            self._line = []
            self._line_depth = self._quote_depth

    def _blank(self) -> None:
        """Make sure a blank line separates what came before from what follows."""
        self._soft_break()
        if self.lines and self.lines[-1].strip("> ") != "":
            self.lines.append(">" * self._quote_depth)

    def _write(self, text: str) -> None:
        if not self._line:
            self._line_depth = self._quote_depth
        self._line.append(text)

    # -- parser events --------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._cut:
            return
        if tag in _IMPLIED_CLOSE:
            closes = _IMPLIED_CLOSE[tag]
            # close an open sibling, but not across a list/table boundary
            for i in range(len(self._stack) - 1, -1, -1):
                open_tag = self._stack[i][0]
                if open_tag in closes:
                    self._close_to(i)
                    break
                if open_tag in ("ul", "ol", "table", "div", "blockquote", "td", "th"):
                    break
        if self.drop_quotes and self._hidden == 0 and self._is_cut_marker(tag, attrs):
            self._cut = True
            return
        effects: list[str] = []
        if self._hidden:
            effects.append("hidden")
            self._hidden += 1
        elif tag in _INVISIBLE or (self.drop_quotes and self._is_quote(tag, attrs)):
            effects.append("hidden")
            self._hidden += 1
            if self._has_class(attrs, "moz-cite-prefix"):
                self._drop_next_blockquote = True
        else:
            self._open_visible(tag, attrs, effects)
        if tag in _VOID:
            self._close_effects(tuple(effects))
        else:
            self._stack.append((tag, tuple(effects)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._cut:
            return
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                self._close_to(i)
                return
        if tag in ("p", "br") and not self._hidden:
            # "</p>" with no open <p> and "</br>" both act as a break in browsers
            self._flush(force=tag == "br")

    def handle_data(self, data: str) -> None:
        if self._cut or self._hidden:
            return
        if self._pre:
            parts = data.split("\n")
            for n, part in enumerate(parts):
                if n:
                    self._flush(force=True)
                self._write(part.replace("\u00a0", " "))
            return
        # str.split() collapses all Unicode whitespace (nbsp included) at C speed
        words = data.replace("\u200b", " ").split()
        if not words:
            if self._line and not self._line[-1].endswith(" "):
                self._write(" ")
            return
        self._drop_next_blockquote = False
        text = " ".join(words)
        if data[0].isspace() and self._line and not self._line[-1].endswith(" "):
            text = " " + text
        if data[-1].isspace():
            text += " "
        self._write(text)

    # -- helpers --------------------------------------------------------------
    def _open_visible(
        self, tag: str, attrs: list[tuple[str, str | None]], effects: list[str]
    ) -> None:
        if tag == "br":
            self._flush(force=True)
            return
        if tag in _PARAGRAPH:
            self._blank()
        elif tag in _BLOCK:
            self._soft_break()
        if tag == "blockquote":
            self._quote_depth += 1
            self._line_depth = self._quote_depth
            effects.append("quote")
        elif tag in ("ul", "ol"):
            self._lists.append([1 if tag == "ol" else -1])
            effects.append("list")
        elif tag == "li":
            self._write_list_marker()
        elif tag == "pre":
            self._pre += 1
            effects.append("pre")
        elif tag in ("td", "th"):
            if "".join(self._line).strip():
                self._write("  ")
        elif tag == "img":
            self._write_alt_text(attrs)
        if tag in _BLOCK or tag in _PARAGRAPH:
            effects.append("para" if tag in _PARAGRAPH else "block")

    def _write_list_marker(self) -> None:
        """'- ' for a bullet, '3. ' for the third numbered item, indented by nesting."""
        marker = "- "
        if self._lists and self._lists[-1][0] > 0:
            marker = f"{self._lists[-1][0]}. "
            self._lists[-1][0] += 1
        indent = "  " * max(len(self._lists) - 1, 0)
        self._write(indent + marker)

    def _write_alt_text(self, attrs: list[tuple[str, str | None]]) -> None:
        alt = dict(attrs).get("alt")
        if alt and alt.strip():
            self._write(" " + alt.strip() + " ")

    def _close_to(self, index: int) -> None:
        while len(self._stack) > index:
            _tag, effects = self._stack.pop()
            self._close_effects(effects)

    def _close_effects(self, effects: tuple[str, ...]) -> None:
        if "hidden" in effects:
            self._hidden -= 1
            return
        if "para" in effects:
            self._blank()
        elif "block" in effects:
            self._soft_break()
        if "quote" in effects:
            self._soft_break()
            self._quote_depth -= 1
            self._line_depth = self._quote_depth
        if "list" in effects and self._lists:
            self._lists.pop()
        if "pre" in effects:
            self._flush()
            self._pre -= 1

    @staticmethod
    def _has_class(attrs: list[tuple[str, str | None]], name: str) -> bool:
        for key, value in attrs:
            if key == "class" and value and name in value.lower().split():
                return True
        return False

    def _is_quote(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        for key, value in attrs:
            if not value:
                continue
            if key == "class" and _QUOTE_CLASSES.intersection(value.lower().split()):
                return True
            if key == "type" and tag == "blockquote" and value.lower() == "cite":
                return True
            if key == "id" and _YAHOO_ID_RE.match(value):
                return True
        if tag == "blockquote" and self._drop_next_blockquote:
            self._drop_next_blockquote = False
            return True
        return False

    @staticmethod
    def _is_cut_marker(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        for key, value in attrs:
            if not value:
                continue
            if key == "id" and _CUT_ID_RE.search(value.lower()):
                return True
            if key == "class" and _CUT_CLASSES.intersection(value.lower().split()):
                return True
            if key == "style" and tag in ("div", "p") and _OUTLOOK_BORDER_RE.search(value):
                return True
        return False

    def finish(self) -> str:
        self._flush()
        return tidy("\n".join(self.lines))


def html_to_text(html: str, *, drop_quotes: bool = False) -> str:
    """Return the readable text of an HTML mail body.

    With ``drop_quotes`` the quoted original in client-specific containers is
    left out (see the module docstring). Never raises on malformed HTML.
    """
    if not html:
        return ""
    source = _MARKED_SECTION_RE.sub("", html)
    builder = _TextBuilder(drop_quotes)
    try:
        builder.feed(source)
        builder.close()
    except AssertionError:
        # html.parser rejects a few declaration shapes that the regex above
        # does not catch; plain tag stripping still gives the reader the words.
        log.debug("html parser gave up; falling back to tag stripping")
        return _strip_tags(source)
    return builder.finish()


def _strip_tags(source: str) -> str:
    text = _INVISIBLE_RE.sub(" ", source)
    text = _BREAK_TAG_RE.sub("\n", text)
    text = _html.unescape(_TAG_RE.sub("", text))
    return tidy("\n".join(_SPACE_RE.sub(" ", line).strip() for line in text.split("\n")))
