"""Feedback points: their kinds and themes, how predicted points are scored against marked ones,
and the keyword baseline the model is measured beside (pure).

A predicted point matches a marked (gold) point of the same reply when their texts share at
least half of the shorter one's words and their kinds agree; points are paired one to one
(a maximum matching), so one long prediction cannot claim two marked points.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from watcher.classify.segments import segments, words

KINDS = ("strength", "improvement", "comparison")
THEMES = (
    "technical",
    "problem_solving",
    "communication",
    "experience",
    "preparation",
    "motivation_fit",
    "collaboration_leadership",
    "materials",
    "other",
)
# The is-point model's classes: a segment is no point, or a point of one kind.
NOT_A_POINT = "none"
POINT_CLASSES = (NOT_A_POINT, *KINDS)


@dataclass(frozen=True)
class Point:
    text: str
    kind: str
    theme: str
    confidence: float = 1.0
    start: int = -1  # offset in the reply's visible text, when known


def same_words(a: str, b: str) -> bool:
    """At least half of the shorter text's (distinct) words appear in the other."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return False
    return len(wa & wb) * 2 >= min(len(wa), len(wb))


def _overlap(a: str, b: str) -> float:
    wa, wb = set(words(a)), set(words(b))
    return len(wa & wb) / max(len(wa | wb), 1)


def match(predicted: Sequence[Point], gold: Sequence[Point]) -> list[tuple[int, int]]:
    """A maximum one-to-one pairing of predicted and gold points (same words, same kind).

    Candidate pairs are tried best overlap first, so of equally large matchings the one that
    pairs the closest texts is found.
    """
    edges: list[list[int]] = []
    for p in predicted:
        options = [
            (j, _overlap(p.text, g.text))
            for j, g in enumerate(gold)
            if g.kind == p.kind and same_words(p.text, g.text)
        ]
        edges.append([j for j, _ in sorted(options, key=lambda o: -o[1])])
    owner: dict[int, int] = {}  # gold index -> predicted index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(predicted)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


@dataclass
class PointScore:
    """Counts over replies, and what they give: precision, recall, F1, theme accuracy."""

    name: str
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    theme_right: int = 0
    replies: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [matched, pred, gold]

    def add(self, predicted: Sequence[Point], gold: Sequence[Point]) -> None:
        pairs = match(predicted, gold)
        self.replies += 1
        self.predicted += len(predicted)
        self.gold += len(gold)
        self.matched += len(pairs)
        self.theme_right += sum(predicted[i].theme == gold[j].theme for i, j in pairs)
        for kind in KINDS:
            row = self.by_kind.setdefault(kind, [0, 0, 0])
            row[0] += sum(predicted[i].kind == kind for i, _ in pairs)
            row[1] += sum(p.kind == kind for p in predicted)
            row[2] += sum(g.kind == kind for g in gold)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def theme_accuracy(self) -> float:
        return self.theme_right / self.matched if self.matched else 0.0

    def report(self) -> dict[str, object]:
        return {
            "name": self.name,
            "replies": self.replies,
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "theme_accuracy": round(self.theme_accuracy, 4),
        }

    def line(self) -> str:
        return (
            f"{self.name:<34} replies={self.replies:>4} gold={self.gold:>4} "
            f"pred={self.predicted:>4}  P={self.precision:.3f} R={self.recall:.3f} "
            f"F1={self.f1:.3f}  theme acc={self.theme_accuracy:.3f}"
        )


# -- the keyword baseline --------------------------------------------------------------------
# A sentence holding a feedback keyword is a point; its kind and theme come from keyword lists.
# It is what a few regular expressions would give, and what the model has to beat.

_FEEDBACK = re.compile(
    r"strong|strength|good|great|excellent|impressive|solid|clear|well|weak|lack|miss|"
    r"improve|better|could have|should|more|less|gap|concern|limited|candidate|"
    r"stark|gut|schwach|fehlt|besser|mehr|fort|bien|faible|manqu|mieux|plus|"
    r"fuerte|bueno|buen|débil|falt|mejor|más|sterk|goed|zwak|beter|meer|"
    r"forte|bom|boa|fraco|melhor|mais",
    re.I,
)
_KIND_WORDS = {
    "comparison": r"other candidate|ranked|second|shortlist|finalist|close|"
    r"andere[rn]? (?:kandidat|bewerber)|autres? candidat|otros? candidat|andere kandidat|"
    r"outros? candidat|segund|deuxième|zweite|tweede",
    "improvement": r"weak|lack|miss|improve|better|could have|should|less|gap|concern|limited|"
    r"not |didn.t|schwach|fehlt|besser|nicht|faible|manqu|mieux|pas |débil|falt|mejor|no |"
    r"zwak|beter|niet|fraco|melhor|não",
}
_THEME_WORDS = {
    "technical": r"code|sql|technical|python|java|design|architecture|test|technisch|"
    r"technique|técnic|technisch",
    "communication": r"communicat|present|explain|clear|kommunik|präsent|commun|comunica|"
    r"uitleg|present",
    "experience": r"experience|years|background|erfahrung|expérience|experiencia|ervaring|"
    r"experiência",
    "preparation": r"prepar|research|vorbereit|préparé|prepara|voorbereid",
    "problem_solving": r"problem|approach|structur|case|lösung|problème|problema|probleem",
    "motivation_fit": r"motivat|passion|fit|culture|enthusias|motiv",
    "collaboration_leadership": r"team|lead|stakeholder|manag|équipe|equipo|equipe",
    "materials": r"\bcv\b|resume|portfolio|cover letter|lebenslauf|anschreiben|lettre",
}
_KIND_RES = {k: re.compile(v, re.I) for k, v in _KIND_WORDS.items()}
_THEME_RES = {k: re.compile(v, re.I) for k, v in _THEME_WORDS.items()}


def keyword_points(text: str) -> list[Point]:
    """The baseline: each sentence with a feedback keyword, kind and theme by keyword lists."""
    out = []
    ends: dict[int, int] = {}
    segs = segments(text)
    for seg in segs:
        ends[seg.sentence] = seg.end
    for seg in segs:
        if seg.clause:  # the baseline reads whole sentences
            continue
        sentence = text[seg.start : ends[seg.sentence]]
        if not _FEEDBACK.search(sentence):
            continue
        kind = next((k for k, rx in _KIND_RES.items() if rx.search(sentence)), "strength")
        theme = next((t for t, rx in _THEME_RES.items() if rx.search(sentence)), "other")
        out.append(Point(sentence, kind, theme, 1.0, seg.start))
    return out
