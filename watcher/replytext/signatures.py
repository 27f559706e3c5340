"""Where a reply's signature, footer or disclaimer starts (pure).

Looked for only at the end of a reply whose quotes are already gone, and
never on its first line: a "-- " delimiter, a sign-off ("Best regards,",
"Mvh", "Med venlig hilsen", ...) with a few short lines under it, a
valediction with a name under it, a "-Name" line, a name (with a title) as
the last paragraph, a trailing block of contact details, a mobile footer
("Sent from my iPhone", "Von meinem iPhone gesendet", ...), a disclaimer
paragraph or a mailing-list footer. Signature lines are short: the zone
searched never crosses a line longer than 60 characters (the bound talon
uses too), so a long sentence under a sign-off keeps it in the text.
"""

from __future__ import annotations

from watcher.replytext import markers as rm
from watcher.replytext.lines import first_nonblank, last_nonblank

__all__ = ["signature_start"]

_SIGNATURE_LINE_MAX = 60
_SIGNATURE_MAX_LINES = 15


def signature_start(lines: list[str], floor: int, *, personal: bool) -> tuple[int, bool] | None:
    """Return where a trailing signature, footer or disclaimer starts, if any.

    ``lines`` is the reply with its quotes removed; nothing above ``floor``
    (the end of a quoted block kept in an inline reply) is considered. The
    returned flag says whether the cut was a personal signature rather than
    a footer a program appended. A message has one personal signature: with
    ``personal`` false only footers are looked for.
    """
    first = first_nonblank(lines)
    end = last_nonblank(lines)
    if first < 0:
        return None
    low = max(floor, first + 1)
    cut = _footer_start(lines, low, end)
    if cut is not None:
        return cut, False
    cut = _mobile_footer_start(lines, max(floor, first), end)
    if cut is not None:
        return cut, False
    if not personal:
        return None
    cut = _signature_block_start(lines, low, end)
    if cut is not None:
        return cut, True
    cut = _name_block_start(lines, low, end)
    if cut is not None:
        return cut, True
    if end >= low and _is_name_line(lines[end].strip()) and not _is_bullet_context(lines, end):
        if any(any(c.isalnum() for c in lines[k]) for k in range(first, end)):
            return end, True
    cut = _contact_block_start(lines, low, end)
    return (cut, True) if cut is not None else None


def _mobile_footer_start(lines: list[str], low: int, end: int) -> int | None:
    """A "Sent from my iPhone" line among the last three, whatever its length."""
    found = None
    seen = 0
    k = end
    while k >= low and seen < 3:
        s = lines[k].strip()
        if s:
            seen += 1
            if _is_mobile_footer(s):
                found = k
        k -= 1
    return found


def _paragraphs(lines: list[str], low: int, end: int, limit: int) -> list[tuple[int, int]]:
    """The last ``limit`` blocks of non-blank lines in ``lines[low:end + 1]``, top-down."""
    found: list[tuple[int, int]] = []
    k = end
    while k >= low and len(found) < limit:
        while k >= low and not lines[k].strip():
            k -= 1
        if k < low:
            break
        stop = k
        while k >= low and lines[k].strip():
            k -= 1
        found.append((k + 1, stop))
    found.reverse()
    return found


def _footer_start(lines: list[str], low: int, end: int) -> int | None:
    """Where a trailing disclaimer or mailing-list footer starts (with its rule line)."""
    for start, stop in _paragraphs(lines, low - 1, end, 4):
        if start < low:
            continue  # the first paragraph is the reply itself
        text = " ".join(lines[k].strip() for k in range(start, stop + 1))
        lowered = text.lower()
        if not any(word in lowered for word in rm.FOOTER_WORDS):
            continue
        above = start - 1
        while above >= low and not lines[above].strip():
            above -= 1
        ruled = rm.SEPARATOR_RE.match(lines[start]) is not None or (
            above >= low and rm.SEPARATOR_RE.match(lines[above]) is not None
        )
        footer = rm.LIST_FOOTER_STRONG_RE.search(text) or (
            rm.LIST_FOOTER_RE.search(text) and (ruled or rm.CONTACT_RE.search(text))
        )
        if footer or rm.DISCLAIMER_RE.search(text):
            if above >= low and rm.SEPARATOR_RE.match(lines[above]):
                return above
            return start
    return None


def _signature_block_start(lines: list[str], low: int, end: int) -> int | None:
    # The candidate zone: the last short lines, never across a long one.
    k = end
    count = 0
    while k >= low:
        s = lines[k].strip()
        if s:
            if len(s) > _SIGNATURE_LINE_MAX:
                break
            count += 1
            if count > _SIGNATURE_MAX_LINES:
                break
        k -= 1
    below = count
    for j in range(k + 1, end + 1):
        s = lines[j].strip()
        if not s:
            continue
        below -= 1  # non-blank lines after this one
        if rm.SIG_DELIMITER_RE.match(s):
            if below > 0:
                return j
            continue
        if below <= 6 and _is_signoff(s) and not _signoff_follows(lines, j, end):
            return j
        if below <= 6 and rm.DASH_NAME_RE.match(s) and not _is_bullet_context(lines, j):
            return j
        if 1 <= below <= 4 and _is_valediction(lines, j, s):
            return j
    return None


def _is_valediction(lines: list[str], j: int, s: str) -> bool:
    """A short line ending in a comma with a name right under it ("With every good wish,")."""
    if not s.endswith(",") or len(s.split()) > 6:
        return False
    nxt = lines[j + 1].strip() if j + 1 < len(lines) else ""
    return _is_name_line(nxt)


def _is_signoff(s: str) -> bool:
    m = rm.SIGNOFF_RE.match(s)
    if not m:
        return False
    rest = (m.group("rest") or "").strip()
    if not rest.strip(",.!:;–- "):
        return True
    words = rest.strip(",.!:;–- ").split()
    if rest[0] in ",.!:;–-":
        # "Regards, Roman": a name after the punctuation
        return len(words) <= 3 and all(w[0].isalpha() for w in words)
    return len(words) <= 2 and all(w[0].isupper() for w in words)


def _signoff_follows(lines: list[str], j: int, end: int) -> bool:
    """True for "Thanks.\n\nRegards,\nJan": the thanks is text, the next one signs."""
    k = j + 1
    while k <= end and not lines[k].strip():
        k += 1
    return k > j + 1 and k <= end and _is_signoff(lines[k].strip())


def _is_mobile_footer(s: str) -> bool:
    if len(s) > 100 or "," in s or "?" in s or not rm.MOBILE_FOOTER_RE.match(s):
        return False
    return len(s.split()) <= 12


def _is_name_line(s: str) -> bool:
    """A name, or a name with a title: "Kelly", "Fiona Brennan", "Paul Hendricks, Supervisor"."""
    if not s or len(s) > 48 or s[-1] in ".!?:;,":
        return False
    head, sep, tail = s.partition("|") if "|" in s else s.partition(",")
    if sep and (not tail.strip() or len(tail) > 40 or len(head.split()) < 2):
        return False
    head = head.strip()
    if not rm.NAME_LINE_RE.match(head):
        return False
    words = head.split()
    if len(words) == 1 and head.lower() in rm.SHORT_ANSWERS:
        return False
    return words[0][0].isupper() and all(
        w[0].isupper() or w.lower() in rm.NAME_PARTICLES for w in words[1:]
    )


def _name_block_start(lines: list[str], low: int, end: int) -> int | None:
    """A last paragraph that is a name with a title or team under it."""
    paragraphs = _paragraphs(lines, low - 1, end, 1)
    if not paragraphs or paragraphs[0][0] < low:
        return None
    start, stop = paragraphs[0]
    if not 2 <= stop - start + 1 <= 4 or not _is_name_line(lines[start].strip()):
        return None
    for k in range(start + 1, stop + 1):
        s = lines[k].strip()
        if len(s) > _SIGNATURE_LINE_MAX or s[-1] in ".!?":
            return None
    return start


def _is_bullet_context(lines: list[str], j: int) -> bool:
    for step in (-1, 1):
        k = j + step
        while 0 <= k < len(lines) and not lines[k].strip():
            k += step
        if 0 <= k < len(lines) and rm.BULLET_RE.match(lines[k]):
            return True
    return False


def _contact_block_start(lines: list[str], low: int, end: int) -> int | None:
    """A trailing paragraph of short lines that is mostly name, address, phone, web."""
    paragraphs = _paragraphs(lines, low - 1, end, 1)
    if not paragraphs or paragraphs[0][0] < low:
        return None
    start, stop = paragraphs[0]
    block = [lines[k].strip() for k in range(start, stop + 1)]
    if not 2 <= len(block) <= 10 or any(len(s) > _SIGNATURE_LINE_MAX for s in block):
        return None
    contacts = sum(1 for s in block if rm.CONTACT_RE.search(s))
    if contacts * 3 < len(block):
        return None
    if contacts >= 2 or _is_name_line(block[0]):
        return start
    return None
