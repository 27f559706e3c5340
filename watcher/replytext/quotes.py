"""The new text of a reply: quoted originals and signatures removed (pure).

``strip_quotes`` removes the quoted original and keeps the signature;
``visible_text`` also removes signatures, mobile footers, legal disclaimers
and mailing-list footers. Both accept a plain-text body, an HTML body or a
whole raw RFC 822 message (as a string) and return plain text.

How the quoted original is found, in the order the rules apply:

1. The first *hard splitter* ends the reply: an "-----Original Message-----"
   line, an Outlook header block ("From: / Sent: / To: / Subject:" in one of
   many languages, with the rule line above it), or an attribution line
   ("On <date>, <name> wrote:") followed by unquoted text. Everything from
   there on is the original. A header block at the very top is the message's
   own pasted header: only the block is dropped. A forward marker
   ("---------- Forwarded message ---------") is not a quote: a forward is
   content, so nothing after it is removed.
2. The ">" lines that remain form *quote regions*, each with its
   attribution line when there is one. A lone ">" line without attribution is
   kept (it is more often an arrow or a prompt than a quote).
3. One quoted block (top-posted or bottom-posted) is removed with its
   attribution; text above and below stays. When reply text sits *between*
   quoted blocks (an inline reply) the quoted context is kept, since the
   answers mean nothing without it, and only the trailing quote is removed.

Signatures, footers and disclaimers are then found at the end of what
remains (``watcher.replytext.signatures``); the body itself comes from
``watcher.replytext.body``, which turns HTML and raw messages into plain text.

The module does no I/O and keeps its patterns precompiled (in
``watcher.replytext.markers``); it stops reading at the first hard splitter, so a
long quoted history costs little.
"""

from __future__ import annotations

import re

from watcher.mail.headers import ADDRESS_RE
from watcher.replytext import markers as rm
from watcher.replytext.body import plain_body
from watcher.replytext.lines import last_nonblank, tidy
from watcher.replytext.signatures import signature_start

Span = tuple[int, int]  # [start, end) of a quoted region in a list of lines

__all__ = ["strip_quotes", "visible_text"]

_ATTRIBUTION_MAX_CHARS = 300
_HEADER_LOOKBACK = 5
# Marker lines start or end with one of these ("-----Original Message-----",
# "Begin forwarded message:", "____"); prose lines rarely do.
_MARK_CHARS = frozenset("-=_*~—–─━:：")
_LINK_RE = re.compile(r"https?://|mailto:|^\(|>\s*$", re.I)
# Line kinds joined into a string: e(mpty) t(ext) m(arked ">") a(ttribution).
_REGION_RE = re.compile(r"[ma](?:[mae]*[ma])?")
_SANDWICHED_RE = re.compile(r"[ma]e*(t)(?=e*m)")
_QUOTED_VERB_RE = re.compile(
    r"^>\s*(?:" + r"wrote|schrieb|a écrit|escribió|skrev|napisał" + r")\s*:?\s*$", re.I
)


# -- public API ---------------------------------------------------------------


def strip_quotes(text: str) -> str:
    """Return the reply without the quoted original; signatures are kept."""
    return _extract(text, signatures=False)


def visible_text(text: str) -> str:
    """Return the reply without the quoted original, signatures and footers."""
    return _extract(text, signatures=True)


# -- quotes -----------------------------------------------------------------------


def _extract(text: str, *, signatures: bool) -> str:
    body = plain_body(text)
    if not body.strip():
        return ""
    lines, spans = _remove_quotes(body.split("\n"))
    if signatures:
        lines = _remove_tail(lines, spans)
    else:
        lines = _drop_trailing_regions(lines, spans)
    return tidy("\n".join(lines))


def _remove_quotes(lines: list[str]) -> tuple[list[str], list[Span]]:
    """Return the kept lines and the spans of quoted regions kept for an inline reply."""
    out: list[str] = []
    kinds: list[str] = []  # e(mpty) t(ext) m(arked ">") a(ttribution)
    i: int | None = 0
    while i is not None and i < len(lines):
        i = _read_line(lines, i, out, kinds)
    _absorb_broken_links(out, kinds)
    return _resolve_regions(out, kinds)


def _read_line(lines: list[str], i: int, out: list[str], kinds: list[str]) -> int | None:
    """Read line ``i`` (and any lines it carries along) into ``out`` and ``kinds``.

    Returns the index of the next line to read, or None where the original starts.
    """
    line = lines[i]
    s = line.strip()
    if not s:
        out.append(line)
        kinds.append("e")
        return i + 1
    if s[0] == ">":
        return _read_quoted(lines, i, s, out, kinds)
    head = s[:32]
    if (len(s) <= 100 and (s[0] in _MARK_CHARS or s[-1] in _MARK_CHARS)) or (
        ":" in head or "：" in head
    ):
        hit = _hard_splitter(lines, i, s)
        if hit is not None:
            return _read_splitter(lines, i, hit, out, kinds)
    if _ends_attribution(s):
        verdict = _attribution(out, kinds, lines, i, s)
        if verdict == "cut":
            return None
        if verdict == "attr":
            return i + 1
    out.append(line)
    kinds.append("t")
    return i + 1


def _read_quoted(lines: list[str], i: int, s: str, out: list[str], kinds: list[str]) -> int | None:
    """Read the ">" block starting at line ``i``; None where the original starts."""
    if s.startswith(">>>") and rm.GROUPWISE_RE.match(s):
        return None  # GroupWise: the original follows unquoted
    if len(s) < 24 and _QUOTED_VERB_RE.match(s):
        verdict = _close_attribution(out, kinds, lines, i)
        if verdict == "cut":
            return None
        if verdict == "attr":
            return i + 1
    _mark_weak_attribution(out, kinds)
    # the rest of a quoted block needs no further look
    j = i + 1
    while j < len(lines):
        rest = lines[j].lstrip()
        if rest and rest[0] != ">":
            break
        j += 1
    block = lines[i:j]
    out.extend(block)
    kinds.extend("m" if b.strip() else "e" for b in block)
    return j


def _read_splitter(
    lines: list[str], i: int, hit: tuple[str, int], out: list[str], kinds: list[str]
) -> int | None:
    """Act on a hard splitter at line ``i``; None where the original starts."""
    kind, end = hit
    if kind == "forward":
        # A forward is content: keep it and everything after as written.
        out.extend(lines[i:])
        kinds.extend("t" * (len(lines) - i))
        return None
    if "t" not in kinds and "m" not in kinds:
        # The message's own pasted header block: drop it, read on.
        out[:] = [""] * len(out)
        return end
    return None


def _hard_splitter(lines: list[str], i: int, s: str) -> tuple[str, int] | None:
    """Classify a line that starts the original outright: (kind, end of its block)."""
    if len(s) <= 100 and (s[0] in _MARK_CHARS or s[-1] in _MARK_CHARS):
        if rm.ORIGINAL_MESSAGE_RE.match(s):
            end = _header_block_end(lines, _next_nonblank(lines, i + 1))
            return "cut", end if end is not None else i + 1
        if rm.FORWARDED_RE.match(s):
            return "forward", i
        if rm.SEPARATOR_RE.match(s):
            # Outlook's rule line belongs to the header block right below it.
            end = _header_block_end(lines, i + 1)
            return ("cut", end) if end is not None else None
    if ":" in s[:32] or "：" in s[:32]:
        end = _header_block_end(lines, i)
        if end is not None:
            return "cut", end
    return None


def _next_nonblank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _header_block_end(lines: list[str], i: int) -> int | None:
    """Return the index after an Outlook-style header block starting at ``i``."""
    if i >= len(lines):
        return None
    m = rm.FIELD_RE.match(lines[i])
    if not m:
        return None
    kind = rm.FIELD_KIND.get(m.group(1).lower())
    if kind not in ("from", "date"):
        return None
    seen = {kind}
    text = [lines[i]]
    last = i
    gap = 0
    j = i + 1
    while j < len(lines) and j < i + 14:
        s = lines[j].strip()
        if not s:
            break
        fm = rm.FIELD_RE.match(lines[j])
        if fm:
            seen.add(rm.FIELD_KIND.get(fm.group(1).lower(), "?"))
            last = j
            gap = 0
            text.append(s)
        else:
            gap += 1  # a wrapped value ("[mailto:\n bob@example.com]")
            if gap > 2:
                break
            text.append(s)
        j += 1
    if len(seen) >= 3:
        return last + 1
    if len(seen) == 2 and ADDRESS_RE.search(" ".join(text)):
        # two fields only count with an address ("Date: ...\nTo: bob@x.com")
        return last + 1
    return None


def _ends_attribution(s: str) -> bool:
    tail = s[-48:]
    if tail.rstrip(" \t:：-*").lower().endswith(rm.WROTE_SUFFIXES):
        if rm.WROTE_END_RE.search(tail) or rm.SENT_END_RE.search(tail):
            return True
    return tail.endswith((":", "：")) and rm.WROTE_INSIDE_RE.search(s) is not None


def _attribution_start(out: list[str], kinds: list[str], s: str) -> tuple[int, list[str]]:
    """Walk back over already-read lines that belong to a wrapped attribution.

    Returns the index in ``out`` where the attribution starts and the stripped
    lines before the current one that belong to it.
    """
    if rm.OPENER_RE.match(s) or not out:
        return len(out), []
    parts: list[str] = []
    k = len(out)
    blanks = 0
    while k > 0 and len(out) - k < _HEADER_LOOKBACK:
        k -= 1
        if kinds[k] == "e":
            blanks += 1
            if blanks > 1:
                break
            continue
        if kinds[k] != "t":
            break
        prev = out[k].strip()
        if prev.endswith((".", "!", "?")):
            break
        parts.insert(0, prev)
        if rm.OPENER_RE.match(prev):
            return k, parts
    # No opener: accept only the wrapped form "<name>\n<address> wrote:".
    k = len(out) - 1
    if _is_continuation(s) and kinds[k] == "t":
        return k, [out[k].strip()]
    return len(out), []


def _is_continuation(s: str) -> bool:
    return bool(s) and (s[0] in "<([" or s[0].islower() or ADDRESS_RE.match(s) is not None)


def _attribution(out: list[str], kinds: list[str], lines: list[str], i: int, s: str) -> str:
    """Judge an attribution ending at line ``i``: "cut", "attr" or "text"."""
    head = ""
    if not rm.OPENER_RE.match(s):
        m = rm.INLINE_ON_RE.search(s)
        if m:
            head, s = s[: m.start()].rstrip(" -"), m.group(1)
    start, parts = _attribution_start(out, kinds, s)
    joined = " ".join(parts + [s])
    if len(joined) > _ATTRIBUTION_MAX_CHARS:
        return "text"
    nxt = _next_nonblank(lines, i + 1)
    quoted_next = nxt < len(lines) and lines[nxt].lstrip().startswith(">")
    has_address = ADDRESS_RE.search(joined) is not None
    # Clients always put a date or an address in the line; "On Monday the
    # panel wrote:" in a reply has neither and must not cut the rest away.
    strong = has_address or rm.DATEISH_RE.search(joined) is not None
    if rm.SENT_END_RE.search(joined[-48:]) and not rm.WROTE_END_RE.search(joined[-48:]):
        strong = has_address  # "sent:" ends ordinary sentences too
        if not strong:
            return "text"
    if not quoted_next and not strong:
        return "text"
    if head:
        del out[start:], kinds[start:]
        out.append(head)
        kinds.append("t")
        start = len(out)
    if not quoted_next:
        del out[start:], kinds[start:]
        return "cut"
    for k in range(start, len(out)):
        kinds[k] = "a" if kinds[k] == "t" else kinds[k]
    out.append(s if head else lines[i])
    kinds.append("a")
    return "attr"


def _close_attribution(out: list[str], kinds: list[str], lines: list[str], i: int) -> str:
    """Judge a "> wrote:" line that closes a wrapped attribution ("cut", "attr", "text").

    A long link wrapped by the sender's client can push the ">" of its closing
    bracket onto the line with the verb.
    """
    start, parts = _attribution_start(out, kinds, "<")
    if not parts or not rm.OPENER_RE.match(parts[0]):
        return "text"
    nxt = _next_nonblank(lines, i + 1)
    if nxt < len(lines) and lines[nxt].lstrip().startswith(">"):
        for k in range(start, len(out)):
            kinds[k] = "a" if kinds[k] == "t" else kinds[k]
        out.append(lines[i])
        kinds.append("a")
        return "attr"
    del out[start:], kinds[start:]
    return "cut"


def _mark_weak_attribution(out: list[str], kinds: list[str]) -> None:
    """Turn the line(s) just above a quote into its attribution when they read like one.

    Clients without a "wrote" verb still write a date and an address:
    "2011/4/7 Name <a@b.c>", "26.06.2014, 14:41, "Name" <a@b.c>:".
    """
    k = len(kinds) - 1
    while k >= 0 and kinds[k] == "e":
        k -= 1
    if k < 0 or kinds[k] != "t":
        return
    start = k
    if k > 0 and kinds[k - 1] == "t":
        # "Name <" + "address>:" or "Name" + "<address>:"
        if out[k - 1].rstrip().endswith("<") or out[k].lstrip()[:1] in ("<", "("):
            start = k - 1
    joined = " ".join(out[j].strip() for j in range(start, k + 1))
    if len(joined) > 250 or not ("@" in joined or joined.endswith((":", "："))):
        return
    if not rm.DATEISH_RE.search(joined):
        return
    if ADDRESS_RE.search(joined) or joined.endswith((":", "：")):
        for j in range(start, k + 1):
            kinds[j] = "a"


def _absorb_broken_links(out: list[str], kinds: list[str]) -> None:
    """Treat a wrapped link or token between two quoted lines as quoted too."""
    for m in _SANDWICHED_RE.finditer("".join(kinds)):
        k = m.start(1)
        s = out[k].strip()
        if " " not in s or _LINK_RE.search(s):
            kinds[k] = "m"


def _resolve_regions(out: list[str], kinds: list[str]) -> tuple[list[str], list[Span]]:
    """Group quoted lines into regions; remove them unless the reply is inline.

    Returns the kept lines and, for an inline reply, the spans of the quoted
    regions that were kept (empty otherwise).
    """
    marks = "".join(kinds)
    spans = [
        m.span()
        for m in _REGION_RE.finditer(marks)
        if "a" in m.group() or m.group().count("m") >= 2
    ]
    if not spans:
        return out, []
    if "t" in marks[spans[0][1] : spans[-1][0]]:
        return out, spans  # inline reply: the quoted context stays
    kept: list[str] = []
    previous = 0
    for start, end in spans:
        kept.extend(out[previous:start])
        # a removed block takes the blank lines under it along
        while end < len(marks) and marks[end] == "e":
            end += 1
        previous = end
    kept.extend(out[previous:])
    return kept, []


def _drop_trailing_regions(lines: list[str], spans: list[Span]) -> list[str]:
    end = last_nonblank(lines)
    while spans and end >= 0 and spans[-1][0] <= end < spans[-1][1]:
        lines = lines[: spans.pop()[0]]
        end = last_nonblank(lines)
    return lines


# -- the end of the reply ---------------------------------------------------------------


def _remove_tail(lines: list[str], spans: list[Span]) -> list[str]:
    """Remove trailing signatures, footers and the quote after an inline reply."""
    spans = list(spans)
    signed = False  # a personal signature was already cut: stop guessing names
    for _ in range(12):
        end = last_nonblank(lines)
        if end < 0:
            return []
        lines = lines[: end + 1]
        if spans and spans[-1][0] <= end < spans[-1][1]:
            lines = lines[: spans.pop()[0]]
            continue
        floor = spans[-1][1] if spans else 0
        found = signature_start(lines, floor, personal=not signed)
        if found is None:
            break
        cut, personal = found
        signed = signed or personal
        lines = lines[:cut]
        spans = [span for span in spans if span[0] < cut]
    return lines
