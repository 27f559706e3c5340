"""A reply's new text cut into sentences and clauses: the units the points model judges (pure).

Each segment is an exact slice of the text it came from (``text[start:end]``), so a point can
be quoted exactly as the reply wrote it. The cuts, in order:

1. Lines: a blank line, a bullet ("- ", "* ", "• ", "1. ", "a) "), or a line that ends a
   sentence, a list lead-in (":") or is short ends a block; a long line that stops mid-sentence
   (hard-wrapped mail) runs on into the next.
2. Sentences: ".", "!", "?" or "…" before a space and a capital, digit, quote or bullet; not
   after a known abbreviation ("Dr.", "z.B.", "p. ex.") or a single initial ("H.").
3. Clauses: where a sentence turns, in the product's six languages: ", but" / " aber" /
   " mais" / " pero" / " maar" / " mas", a semicolon, a colon that introduces a clause, a dash
   before "but", and ", and" before a new subject ("you", "the", "Sie", "vous", "je", ...).

The clause rules were tuned on the training corpus (points-a) only: they cut where its writer
cut one point from the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Segment", "segments", "words"]


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str  # exactly text[start:end]
    index: int  # position among the reply's segments
    sentence: int  # which sentence (or bullet line) it belongs to
    clause: int  # its position inside that sentence (0: the sentence's first clause)
    bullet: bool  # the line started with a bullet marker


_WORD_RE = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits in any script)."""
    return [w.lower() for w in _WORD_RE.findall(text)]


_BULLET_RE = re.compile(r"[ \t]*(?:[-*•+–·▪◦>]|\d{1,2}[.)]|[a-zA-Z][)])[ \t]+(?=\S)")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st sr sra srta dra dres mme mlle m mm dhr mevr drs ir ing
    e.g i.e eg ie etc vs cf approx incl e.g.,  z.b bzw ca usw vgl ggf evtl inkl u.a d.h
    p.ex ex no nr nº n° art ref tel p pp vol fig min max sig av ave""".split()
)
# A sentence ends at . ! ? … (and closing quotes or brackets) before a space and something
# that can start a sentence.
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(¿¡]?[A-ZÀ-ÞĀ-Ž0-9])")
_SUBJECT = (
    r"(?:you|your|the|this|that|these|those|there|it|its|we|our|they|their|he|she|his|her|"
    r"i|my|one|another|other|some|most|all|none|nobody|everyone|a|an|"
    r"du|dein|deine|deinen|deinem|sie|ihr|ihre|ihren|ihrem|die|der|das|dies|diese|es|wir|man|"
    r"vous|votre|vos|tu|ton|ta|tes|la|le|les|il|elle|on|nous|ce|cette|"
    r"usted|tú|tu|tus|su|sus|el|la|los|las|nosotros|esto|eso|"
    r"je|jij|jouw|uw|u|de|het|we|wij|dat|dit|"
    r"você|voce|o|a|os|as|seu|sua|seus|suas|isso|isto|nós|não)"
)
# Where one clause ends and the next begins: the cut goes after the match.
_DUTCH_SUBJECT = r"(?:je|jij|jouw|uw|u|de|het|we|wij|dat|dit|ze|zij|hij|er)"
_CLAUSE_RE = re.compile(
    r"(?:"
    r",?\s+(?=(?:but|mais|pero|maar|mas|however|though|whereas|while|although|"
    r"sin embargo|cependant|toutefois|porém|contudo|echter|alleen)\b)"
    # German "aber", "jedoch", "doch" also sit inside a clause ("hast du aber kaum ..."):
    # only after a comma do they start one.
    r"|,\s+(?=(?:aber|allerdings|jedoch|doch)\b)"
    r"|;\s+"
    r"|:\s+(?=\S+\s+\S+\s+\S)"
    r"|\s+[—–-]\s+(?=(?:but|aber|mais|pero|maar|mas)\b)"
    r"|,?\s+(?=(?:and|und|et|y|e)\s+" + _SUBJECT + r"\b)"
    # Dutch "en" is also French and Spanish "in": only before a Dutch subject.
    r"|,?\s+(?=en\s+" + _DUTCH_SUBJECT + r"\b)"
    r")",
    re.IGNORECASE,
)
_MIN_CLAUSE_WORDS = 3
_LONG_LINE = 60


def _lines(text: str) -> list[tuple[int, int, bool]]:
    """Blocks of text as (start, end, starts with a bullet): lines joined where they wrap."""
    out: list[tuple[int, int, bool]] = []
    pos = 0
    current: list[int] | None = None  # [start, end, bullet]
    for raw in text.split("\n"):
        line_start, line_end = pos, pos + len(raw)
        pos = line_end + 1
        stripped = raw.strip()
        if not stripped:
            if current:
                out.append((current[0], current[1], bool(current[2])))
            current = None
            continue
        bullet = _BULLET_RE.match(raw)
        lead = line_start + (bullet.end() if bullet else len(raw) - len(raw.lstrip()))
        end = line_start + len(raw.rstrip())
        if current is not None and not bullet:
            prev = text[current[0] : current[1]]
            last_line = len(text[text.rfind("\n", 0, current[1]) + 1 : current[1]])
            runs_on = (last_line >= _LONG_LINE and not re.search(r"[.!?…:;]$", prev)) or re.search(
                r"\b(?:and|or|the|a|to|of|und|et|y|en|e)$", prev
            )
            if runs_on:
                current[1] = end
                continue
        if current:
            out.append((current[0], current[1], bool(current[2])))
        current = [lead, end, 1 if bullet else 0]
    if current:
        out.append((current[0], current[1], bool(current[2])))
    return out


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation or initial, not a sentence."""
    if text[dot] != ".":
        return False
    m = re.search(r"([\w.]+)$", text[:dot])
    if not m:
        return False
    token = m.group(1).lower().strip(".")
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        if _is_abbreviation(text, m.start()):
            continue
        out.append((pos, m.end()))
        pos = m.end()
    out.append((pos, end))
    return [(s, e) for s, e in (_trim(text, s, e) for s, e in out) if e > s]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [start]
    for m in _CLAUSE_RE.finditer(text, start, end):
        left = text[cuts[-1] : m.start()]
        right = text[m.end() : end]
        if len(words(left)) >= _MIN_CLAUSE_WORDS and len(words(right)) >= _MIN_CLAUSE_WORDS:
            cuts.append(m.end())
    spans = []
    for k, s in enumerate(cuts):
        e = cuts[k + 1] if k + 1 < len(cuts) else end
        s2, e2 = _trim(text, s, e)
        # a clause ends before the comma or semicolon that joined it to the next
        while e2 > s2 and text[e2 - 1] in ",;:" and k + 1 < len(cuts):
            e2 -= 1
        s2, e2 = _trim(text, s2, e2)
        if e2 > s2:
            spans.append((s2, e2))
    return spans


def segments(text: str) -> list[Segment]:
    """The sentences and clauses of ``text``, in order, each an exact slice of it."""
    out: list[Segment] = []
    sentence = 0
    for line_start, line_end, bullet in _lines(text):
        for s_start, s_end in _sentences(text, line_start, line_end):
            for k, (c_start, c_end) in enumerate(_clauses(text, s_start, s_end)):
                out.append(
                    Segment(
                        c_start,
                        c_end,
                        text[c_start:c_end],
                        len(out),
                        sentence,
                        k,
                        bullet,
                    )
                )
            sentence += 1
    return out
