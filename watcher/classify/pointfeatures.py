"""What the points models read of one segment, how marked points label segments, and how
judged segments become points (pure).

A segment is judged with its context: the sentence it sits in, the segment before it, the
list lead-in above it ("Development areas:", "Was uns gefehlt hat:"), and a few tokens for
its place in the reply (bullet, first clause, a clause after "but", the reply's end).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.classify.pointcues import cue_tokens
from watcher.classify.pointscore import NOT_A_POINT, Point
from watcher.classify.segments import Segment, segments, words


@dataclass(frozen=True)
class SegmentSample:
    """One segment as the points models see it."""

    text: str
    context: str  # the segment before it and the lead-in line it follows
    tokens: str  # space-separated structure tokens ("seg_bullet seg_clause ...")
    cues: str = ""  # phrase-family tokens of the segment and its lead-in ("kc_gap tc_materials")


_SECOND_PERSON = re.compile(
    r"\b(?:you|your|yours|du|dein\w*|dich|dir|sie|ihr\w*|vous|votre|vos|tu|ton|ta|tes|te|"
    r"usted|tus?|su|sus|je|jij|jouw|uw|u|você|voce|seu|sua|teu|tua)\b",
    re.I,
)
_THIRD_PARTY = re.compile(
    r"\b(?:candidate|finalist|hire[ds]?|hired|successful|other|others|person we|"
    r"kandidat\w*|bewerber\w*|eingestellt|candidat\w*|retenu\w*|seleccionad\w*|contratad\w*|"
    r"aangenomen|gekozen|escolhid\w*|ranked|ranking|place[ds]?|platz|plaats|lugar|lugar|"
    r"second|zweite\w*|deuxième|segund\w*|tweede)\b",
    re.I,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hallo|liebe[rs]?|sehr geehrte\w*|guten tag|bonjour|salut|cher|"
    r"chère|hola|estimad\w*|querid\w*|beste|hoi|geachte|olá|ola|prezad\w*|car[oa])\b",
    re.I,
)


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1" if n <= 3 else "2" if n <= 8 else "3" if n <= 20 else "4"


def _lead_in(text: str, seg: Segment, previous: Sequence[Segment]) -> str:
    """The nearest earlier segment that ends with a colon (a list's heading), if close."""
    for prev in reversed(previous[-6:]):
        tail = text[prev.end : prev.end + 2]
        if prev.text.endswith(":") or tail.startswith(":"):
            return prev.text
    return ""


def samples(text: str) -> list[tuple[Segment, SegmentSample]]:
    """Every segment of a reply's visible text with what the models read of it."""
    segs = segments(text)
    out = []
    last_sentence = segs[-1].sentence if segs else 0
    for seg in segs:
        prev = segs[seg.index - 1] if seg.index else None
        lead = _lead_in(text, seg, segs[: seg.index])
        sentence = " ".join(s.text for s in segs if s.sentence == seg.sentence)
        n = len(words(seg.text))
        tokens = [
            f"seg_len{_bucket(n)}",
            "seg_bullet" if seg.bullet else "seg_prose",
            "seg_clause" if seg.clause else "seg_sentence_start",
            "seg_first" if seg.sentence == 0 else "seg_body",
            "seg_last" if seg.sentence == last_sentence else "seg_notlast",
            "seg_you" if _SECOND_PERSON.search(seg.text) else "seg_noyou",
            "seg_others" if _THIRD_PARTY.search(seg.text) else "seg_noothers",
        ]
        if seg.text.endswith("?"):
            tokens.append("seg_question")
        if seg.text.endswith(":"):
            tokens.append("seg_colon")
        if _GREETING.match(seg.text) and n <= 5:
            tokens.append("seg_greeting")
        if lead:
            tokens.append("seg_after_leadin")
        joined = text[prev.end : seg.start] if prev and prev.sentence == seg.sentence else ""
        if joined.strip():
            tokens.append("seg_join_" + (re.sub(r"\W+", "", joined).lower() or "punct"))
        context = " ".join(
            [
                " ".join("p_" + w for w in words(prev.text)[-8:]) if prev else "p_start",
                " ".join("l_" + w for w in words(lead)),
                " ".join("s_" + w for w in words(sentence) if w not in words(seg.text)),
            ]
        )
        cues = cue_tokens(seg.text) + ["lead_" + c for c in (cue_tokens(lead) if lead else [])]
        out.append((seg, SegmentSample(seg.text, context, " ".join(tokens), " ".join(cues))))
    return out


def point_sample(
    text: str,
    pairs: Sequence[tuple[Segment, SegmentSample]],
    start: int,
    end: int,
    kind: str = "",
) -> SegmentSample | None:
    """What the theme model reads of a point at [start, end): its text, its kind, and the
    context and place of the segment it starts in."""
    inside = [x for s, x in pairs if s.start < end and s.end > start]
    if not inside:
        return None
    point = text[start:end]
    first = inside[0]
    tokens = first.tokens + (f" point_{kind}" if kind else "")
    return SegmentSample(point, first.context, tokens, " ".join(cue_tokens(point)))


def sentence_span(
    pairs: Sequence[tuple[Segment, SegmentSample]], start: int, end: int
) -> tuple[int, int] | None:
    """The whole sentence that the point at [start, end) starts in, when the point is less than
    that sentence (a clause of it, or a part cut short)."""
    inside = [s for s, _ in pairs if s.start < end and s.end > start]
    if not inside:
        return None
    sentence = [s for s, _ in pairs if s.sentence == inside[0].sentence]
    span = (sentence[0].start, sentence[-1].end)
    return span if span != (start, end) else None


def segment_labels(
    text: str, segs: Sequence[Segment], gold: Sequence[Point]
) -> list[tuple[str, str]]:
    """(kind or "none", theme or "") for each segment: the marked point it mostly lies in.

    A marked point is located in the text; a segment belongs to it when more than half of the
    segment, or at least half of the point, is inside it.
    """
    spans = []
    for g in gold:
        at = text.find(g.text)
        spans.append((at, at + len(g.text)) if at >= 0 else None)
    out = []
    for seg in segs:
        best: tuple[int, Point] | None = None
        for g, span in zip(gold, spans):
            if span is None:
                continue
            inside = min(seg.end, span[1]) - max(seg.start, span[0])
            if inside <= 0:
                continue
            if inside * 2 > seg.end - seg.start or inside * 2 >= span[1] - span[0]:
                if best is None or inside > best[0]:
                    best = (inside, g)
        out.append((best[1].kind, best[1].theme) if best else (NOT_A_POINT, ""))
    return out


MIN_POINT_WORDS = 2


def join_points(
    text: str,
    segs: Sequence[Segment],
    judged: Sequence[tuple[str, float, str, float]],
) -> list[Point]:
    """Points from judged segments: (kind, kind confidence, theme, theme confidence) each.

    Neighbouring clauses of one sentence judged the same kind are one point (the writer said
    one thing in two clauses: measured on the training corpus, a sentence's clauses of one
    kind belong to one marked point far more often than to two); the point takes the theme
    its clauses are surest of.
    """
    out: list[Point] = []
    theme_conf: list[float] = []
    last: Segment | None = None
    for seg, (kind, conf, theme, t_conf) in zip(segs, judged):
        joins = last is not None and last.sentence == seg.sentence and last.index == seg.index - 1
        if kind != NOT_A_POINT and len(words(seg.text)) < MIN_POINT_WORDS and not joins:
            kind = NOT_A_POINT  # a lone word (a name left under the text) says nothing
        if kind == NOT_A_POINT:
            last = None
            continue
        if (
            out
            and last is not None
            and last.sentence == seg.sentence
            and last.index == seg.index - 1
            and out[-1].kind == kind
        ):
            prev = out[-1]
            if t_conf > theme_conf[-1]:
                theme_conf[-1] = t_conf
            else:
                theme = prev.theme
            out[-1] = Point(
                text[prev.start : seg.end], kind, theme, min(prev.confidence, conf), prev.start
            )
        else:
            out.append(Point(seg.text, kind, theme, conf, seg.start))
            theme_conf.append(t_conf)
        last = seg
    return out
