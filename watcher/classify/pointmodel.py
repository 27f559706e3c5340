"""The points models: which sentences of a feedback reply say something about the candidate,
of what kind, on what theme; built, saved, loaded, scored.

Two scikit-learn pipelines over the segments of ``watcher.classify.segments``: one says whether
a segment is a point and of which kind (none / strength / improvement / comparison), the other
its theme. They are shipped together in one joblib file (``models/points.joblib``) with checked
metadata, like the reply and request models. scikit-learn is imported only inside functions.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watcher.classify.pointfeatures import (
    SegmentSample,
    join_points,
    point_sample,
    samples,
    segment_labels,
    sentence_span,
)
from watcher.classify.pointscore import (
    NOT_A_POINT,
    Point,
    PointScore,
    keyword_points,
)
from watcher.classify.segments import Segment
from watcher.errors import ModelError
from watcher.mail.messages import Message

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)

# Bump when the segmenter, the features or the learners change: saved models are rebuilt.
# 3: advice cues, a ridge theme model; 4: theme words; 5: two writers' theme words;
# 6: the theme model blends ridge with complement naive Bayes; 7: a point's theme also reads
# the sentence around it.
POINTS_PIPELINE_VERSION = 7
MODEL_NAME = "points"
CORPUS_GLOB = "points-*.jsonl"
HELDOUT_FILE = "points-heldout.jsonl"
# A user's correction weighs this many corpus segments.
CORRECTION_WEIGHT = 5.0
# A segment of a reply-corpus rejection (no points, many of them) weighs this much.
NEGATIVE_WEIGHT = 0.5
# Measured and kept as switches for `eval` comparisons (leave-one-writer-out F1 / theme acc):
# a separate is-point model before the kind (0.80-0.82 by threshold, but more false points on
# the held-out file) against one four-class model (0.814); the point's kind as a token for
# the theme model (theme accuracy +0.01).
TWO_STAGE = False
POINT_THRESHOLD = 0.5
THEME_KIND = True
THEME_WEIGHTS = {"words": 1.0, "chars": 1.0, "context": 0.3, "tokens": 0.2, "cues": 0.7}
# A point's theme is read off its own words plus this share of the theme scores of the whole
# sentence it sits in. A point cut shorter or longer than a person would mark it loses or gains
# the words that name its subject; the sentence is the same however it is cut.
THEME_SENTENCE_WEIGHT = 1.0


def pick_seg_text(samples_: Sequence[SegmentSample]) -> list[str]:
    return [s.text for s in samples_]


def pick_seg_context(samples_: Sequence[SegmentSample]) -> list[str]:
    return [s.context for s in samples_]


def pick_seg_tokens(samples_: Sequence[SegmentSample]) -> list[str]:
    return [s.tokens for s in samples_]


def pick_seg_cues(samples_: Sequence[SegmentSample]) -> list[str]:
    return [s.cues for s in samples_]


def build_pipeline(target: str, C: float = 16.0) -> Pipeline:
    """Word and character n-grams of the segment, its context words, structure tokens and
    phrase-family cues, into a logistic regression (``target``: "point", "kind" or "theme").

    C=16 over 4: leave-one-writer-out F1 0.811 against 0.803, theme accuracy 0.658 against
    0.652."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from watcher.classify.blend import RidgeBayesBlend

    def branch(pick: Any, vectorizer: Any) -> Pipeline:
        return Pipeline([("pick", FunctionTransformer(pick)), ("vec", vectorizer)])

    parts = [
        (
            "words",
            branch(
                pick_seg_text,
                TfidfVectorizer(
                    ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode", min_df=1
                ),
            ),
        ),
        (
            "chars",
            branch(
                pick_seg_text,
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ),
        (
            "context",
            branch(
                pick_seg_context,
                TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, strip_accents="unicode"),
            ),
        ),
        (
            "tokens",
            branch(
                pick_seg_tokens,
                CountVectorizer(token_pattern=r"\S+", binary=True, lowercase=False),
            ),
        ),
        (
            "cues",
            branch(
                pick_seg_cues,
                CountVectorizer(token_pattern=r"\S+", binary=True, lowercase=False),
            ),
        ),
    ]
    weights = {"words": 1.0, "chars": 1.0, "context": 0.5, "tokens": 0.7, "cues": 0.7}
    if target == "theme":
        weights = THEME_WEIGHTS
    # Unweighted classes for the kind model: balanced weights made it call too many courtesy
    # sentences points (cross-validated F1 0.772 balanced, 0.787 not). The theme is read off a
    # ridge classifier's scores (leave-one-writer-out theme accuracy over six writers 0.740
    # against 0.706 for this logistic regression and 0.726 for a linear SVM; alpha 0.1: 0.740,
    # 1.0: 0.732, 3.0: 0.710) blended half and half with complement naive Bayes: on marked
    # spans, twenty writers in four groups 0.770 against 0.763 for ridge alone (sixteen
    # writers: 0.753 against 0.745), the held-out writer 0.810 against 0.815 (2026-12-08).
    model: Any = (
        RidgeBayesBlend(alpha=0.3, bayes_alpha=0.3, bayes_weight=0.5)
        if target == "theme"
        else LogisticRegression(C=C, max_iter=3000)
    )
    return Pipeline(
        [("features", FeatureUnion(parts, transformer_weights=weights)), ("model", model)]
    )


# -- corpus ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One corpus reply: its visible text and marked points."""

    id: str
    writer: str
    lang: str
    text: str
    gold: tuple[Point, ...]
    marked: bool = True  # from a points file; False: a rejection from the reply corpus


def reply_from_item(item: dict[str, Any]) -> Reply:
    from watcher.classify.features import reply_text
    from watcher.classify.train import item_message

    text = reply_text(item_message(item))
    gold = tuple(Point(p["text"], p["kind"], p["theme"]) for p in item.get("points") or ())
    return Reply(item["id"], str(item.get("writer") or "?"), item.get("lang") or "?", text, gold)


def read_replies(path: Path) -> list[Reply]:
    from watcher.classify.train import read_jsonl

    return [reply_from_item(item) for item in read_jsonl(path)]


def corpus_paths() -> list[Path]:
    from watcher.classify.train import package_dir

    return sorted((package_dir() / "corpus").glob(CORPUS_GLOB))


def negative_paths() -> list[Path]:
    from watcher.classify.train import CORPUS_FILES, package_dir

    return sorted((package_dir() / "corpus").glob(CORPUS_FILES["reply"]))


def load_negatives() -> list[Reply]:
    """The reply corpus's rejections, as replies that make no point.

    A reply is labelled rejection there only when it holds no substantive feedback (a decline,
    a refusal, praise that assesses nothing): by the journal's definition, no points. They
    teach the courtesy, the decision and the warm words that are not points.
    """
    from watcher.classify.train import read_jsonl

    out = []
    for path in negative_paths():
        writer = path.stem
        for item in read_jsonl(path):
            if item.get("label") == "rejection":
                r = reply_from_item({**item, "points": [], "writer": writer})
                if r.text:
                    out.append(replace(r, marked=False))
    return out


def load_corpus(negatives: bool = True) -> list[Reply]:
    """The marked replies of every points corpus file, and (``negatives``) the rejections."""
    replies = []
    for path in corpus_paths():
        replies += read_replies(path)
    if not replies:
        raise FileNotFoundError(f"no points corpus ({CORPUS_GLOB}) in the corpus folder")
    return replies + (load_negatives() if negatives else [])


def corpus_hash() -> str:
    h = hashlib.sha256(f"points pipeline {POINTS_PIPELINE_VERSION}\n".encode())
    for path in corpus_paths() + negative_paths():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def heldout_path() -> Path | None:
    from watcher.classify.train import package_dir

    path = package_dir() / "heldout" / HELDOUT_FILE
    return path if path.exists() else None


@dataclass(frozen=True)
class Correction:
    """A user's fix of one point: its segment as the models read it, and the right answer."""

    sample: SegmentSample
    kind: str  # a kind, or "none": not a point
    theme: str


# -- fitting ---------------------------------------------------------------------------------


@dataclass
class PointModels:
    """The fitted pipelines, saved in one file: whether a segment is a point (``point``,
    with its ``threshold``), the kind of a point, and the theme of each point the segments
    make. Without ``point``, ``kind`` also says "none" (one four-class model)."""

    kind: Any
    theme: Any
    point: Any = None
    threshold: float = 0.5

    def _judge(self, items: list[SegmentSample]) -> list[tuple[str, float, str, float]]:
        kinds = list(self.kind.classes_)
        kp = self.kind.predict_proba(items)
        if self.point is None:
            return [(kinds[int(r.argmax())], float(r.max()), "", 0.0) for r in kp]
        yes = list(self.point.classes_).index("point")
        pp = self.point.predict_proba(items)[:, yes]
        out = []
        for p, r in zip(pp, kp):
            if p < self.threshold:
                out.append((NOT_A_POINT, float(1 - p), "", 0.0))
            else:
                out.append((kinds[int(r.argmax())], float(p * r.max()), "", 0.0))
        return out

    def points(self, text: str) -> list[Point]:
        pairs = samples(text)
        if not pairs:
            return []
        segs = [s for s, _ in pairs]
        points = join_points(text, segs, self._judge([x for _, x in pairs]))
        if not points:
            return []
        themes = self._themes(text, pairs, points)
        return [Point(p.text, p.kind, t, p.confidence, p.start) for p, t in zip(points, themes)]

    def _themes(
        self, text: str, pairs: Sequence[tuple[Segment, SegmentSample]], points: Sequence[Point]
    ) -> list[str]:
        """Each point's theme: the theme model's scores of the point, plus (by
        THEME_SENTENCE_WEIGHT) those of the whole sentence it sits in."""
        kinds = [p.kind if THEME_KIND else "" for p in points]
        items = [
            point_sample(text, pairs, p.start, p.start + len(p.text), kind)
            for p, kind in zip(points, kinds)
        ]
        known = [i for i, item in enumerate(items) if item is not None]
        if not known:
            return ["other"] * len(points)
        scores = self.theme.decision_function([items[i] for i in known])
        # Only a point less than its sentence is scored again over the whole sentence: for
        # the rest the sentence is the point, and adding its own scores changes no argmax.
        arounds: dict[int, SegmentSample] = {}
        for row, i in enumerate(known if THEME_SENTENCE_WEIGHT else ()):
            p = points[i]
            whole = sentence_span(pairs, p.start, p.start + len(p.text))
            around = point_sample(text, pairs, whole[0], whole[1], kinds[i]) if whole else None
            if around is not None:
                arounds[row] = around
        if arounds:
            scores[list(arounds)] += THEME_SENTENCE_WEIGHT * self.theme.decision_function(
                list(arounds.values())
            )
        classes = list(self.theme.classes_)
        picked = {i: classes[int(row.argmax())] for i, row in zip(known, scores)}
        return [picked.get(i, "other") for i in range(len(points))]


def training_rows(
    replies: Sequence[Reply],
) -> tuple[list[SegmentSample], list[str], list[float], list[SegmentSample], list[str]]:
    """Every segment of every reply with its kind (or none) and weight; every marked point
    with its theme."""
    segs_x, kinds, weights, points_x, themes = [], [], [], [], []
    for r in replies:
        pairs = samples(r.text)
        segs: list[Segment] = [s for s, _ in pairs]
        for (_, x), (kind, _theme) in zip(pairs, segment_labels(r.text, segs, r.gold)):
            segs_x.append(x)
            kinds.append(kind)
            weights.append(1.0 if r.marked else NEGATIVE_WEIGHT)
        for g in r.gold:
            at = r.text.find(g.text)
            kind = g.kind if THEME_KIND else ""
            item = point_sample(r.text, pairs, at, at + len(g.text), kind) if at >= 0 else None
            if item is not None:
                points_x.append(item)
                themes.append(g.theme)
    return segs_x, kinds, weights, points_x, themes


def fit(replies: Sequence[Reply], corrections: Sequence[Correction] = ()) -> PointModels:
    segs_x, kinds, weights, points_x, themes = training_rows(replies)
    segs_x += [c.sample for c in corrections]
    kinds += [c.kind for c in corrections]
    weights += [CORRECTION_WEIGHT] * len(corrections)
    real = [c for c in corrections if c.kind != NOT_A_POINT]
    theme_model = build_pipeline("theme")
    theme_model.fit(
        points_x + [c.sample for c in real],
        themes + [c.theme for c in real],
        model__sample_weight=[1.0] * len(points_x) + [CORRECTION_WEIGHT] * len(real),
    )
    if not TWO_STAGE:
        kind_model = build_pipeline("kind")
        kind_model.fit(segs_x, kinds, model__sample_weight=weights)
        return PointModels(kind_model, theme_model)
    point_model = build_pipeline("point")
    point_model.fit(
        segs_x,
        ["none" if k == NOT_A_POINT else "point" for k in kinds],
        model__sample_weight=weights,
    )
    is_point = [i for i, k in enumerate(kinds) if k != NOT_A_POINT]
    kind_model = build_pipeline("kind")
    kind_model.fit(
        [segs_x[i] for i in is_point],
        [kinds[i] for i in is_point],
        model__sample_weight=[weights[i] for i in is_point],
    )
    return PointModels(kind_model, theme_model, point_model, POINT_THRESHOLD)


# -- evaluation ------------------------------------------------------------------------------


@dataclass
class PointsEvaluation:
    """A score overall and per language, for the model and for the keyword baseline."""

    name: str
    model: PointScore
    baseline: PointScore
    by_language: dict[str, PointScore]
    baseline_by_language: dict[str, PointScore] = field(default_factory=dict)

    def text(self) -> str:
        lines = [f"{self.name}:", "  " + self.model.line(), "  " + self.baseline.line()]
        for kind, (m, p, g) in self.model.by_kind.items():
            prec = m / p if p else 0.0
            rec = m / g if g else 0.0
            lines.append(f"    {kind:<12} P={prec:.3f} R={rec:.3f} (gold {g}, predicted {p})")
        for lang in sorted(self.by_language):
            lines.append("    " + self.by_language[lang].line())
            if lang in self.baseline_by_language:
                lines.append("    " + self.baseline_by_language[lang].line())
        return "\n".join(lines)

    def report(self) -> dict[str, Any]:
        return {
            "model": self.model.report(),
            "baseline": self.baseline.report(),
            "by_language": {k: v.report() for k, v in sorted(self.by_language.items())},
            "baseline_by_language": {
                k: v.report() for k, v in sorted(self.baseline_by_language.items())
            },
        }


def score(
    name: str, predicted: dict[str, list[Point]], replies: Sequence[Reply]
) -> PointsEvaluation:
    """Scores over the marked replies (the reply corpus's rejections only train)."""
    model = PointScore(f"model ({name})")
    baseline = PointScore("keyword baseline")
    by_language: dict[str, PointScore] = {}
    baseline_by_language: dict[str, PointScore] = {}
    for r in replies:
        if not r.marked:
            continue
        keyword = keyword_points(r.text)
        model.add(predicted[r.id], r.gold)
        baseline.add(keyword, r.gold)
        by_language.setdefault(r.lang, PointScore(f"model, {r.lang}")).add(predicted[r.id], r.gold)
        baseline_by_language.setdefault(r.lang, PointScore(f"keyword baseline, {r.lang}")).add(
            keyword, r.gold
        )
    return PointsEvaluation(name, model, baseline, by_language, baseline_by_language)


def evaluate(models: PointModels, replies: Sequence[Reply], name: str) -> PointsEvaluation:
    return score(name, {r.id: models.points(r.text) for r in replies}, replies)


def cross_validate(replies: Sequence[Reply], folds: int = 5) -> PointsEvaluation:
    """Grouped k-fold: a reply's segments stay together; folds interleave the writers."""
    predicted: dict[str, list[Point]] = {}
    order = sorted(range(len(replies)), key=lambda i: (replies[i].writer, replies[i].id))
    for k in range(folds):
        test = [replies[i] for n, i in enumerate(order) if n % folds == k]
        train_set = [replies[i] for n, i in enumerate(order) if n % folds != k]
        models = fit(train_set)
        for r in test:
            if r.marked:
                predicted[r.id] = models.points(r.text)
    return score(f"grouped {folds}-fold cross-validation", predicted, replies)


def leave_one_writer_out(replies: Sequence[Reply]) -> PointsEvaluation | None:
    """Each points writer scored by models trained without any of their replies."""
    writers = sorted({r.writer for r in replies if r.marked})
    if len(writers) < 2:
        return None
    predicted: dict[str, list[Point]] = {}
    for writer in writers:
        models = fit([r for r in replies if r.writer != writer])
        for r in replies:
            if r.writer == writer:
                predicted[r.id] = models.points(r.text)
    return score("leave-one-writer-out", predicted, replies)


# -- the shipped file, personal models, loading --------------------------------------------


def shipped_path() -> Path:
    from watcher.classify.train import package_dir

    return package_dir() / f"{MODEL_NAME}.joblib"


def personal_path(data_dir: Path) -> Path:
    return data_dir / "models" / f"{MODEL_NAME}-personal.joblib"


def build_shipped() -> None:
    """Rebuild ``models/points.joblib`` with its scores in the metadata."""
    from watcher.classify.modelfile import save_model

    replies = load_corpus()
    scores: dict[str, Any] = {"cv": cross_validate(replies).report()}
    lowo = leave_one_writer_out(replies)
    if lowo:
        scores["leave_one_writer_out"] = lowo.report()
    models = fit(replies)
    held = heldout_path()
    if held:
        scores["heldout"] = evaluate(models, read_replies(held), "held-out").report()
    meta = save_model(
        models,
        shipped_path(),
        {
            "kind": "points",
            "corpus_hash": corpus_hash(),
            "examples": len(replies),
            "scores": scores,
        },
    )
    print(
        f"{shipped_path().name}: {len(replies)} replies, cv F1 {scores['cv']['model']['f1']}, "
        f"held-out F1 {scores.get('heldout', {}).get('model', {}).get('f1')}, "
        f"sha256 {meta['sha256'][:12]}"
    )


class PointExtractor:
    """The points of replies, by the best trustworthy model: personal, shipped or rebuilt."""

    def __init__(self, data_dir: Path | None) -> None:
        self.models, self.meta, self.origin = load_models(data_dir)

    @property
    def name(self) -> str:
        return f"points-{self.origin}-{str(self.meta.get('sha256', ''))[:8]}"

    def points(self, text: str) -> list[Point]:
        return self.models.points(text)


def sample_at(text: str, start: int, end: int) -> SegmentSample | None:
    """What the models read of the point at [start, end) of ``text`` (for a correction)."""
    return point_sample(text, samples(text), start, end)


class MessagePoints:
    """Points of reply messages, read from their visible text: [(points, model name)]."""

    def __init__(self, data_dir: Path | None) -> None:
        self.extractor = PointExtractor(data_dir)

    def __call__(self, messages: Sequence[Message]) -> list[tuple[list[Point], str]]:
        from watcher.classify.features import reply_text

        name = self.extractor.name
        return [(self.extractor.points(reply_text(m)), name) for m in messages]


def load_models(data_dir: Path | None) -> tuple[PointModels, dict[str, Any], str]:
    from watcher.classify.classifier import cache_dir
    from watcher.classify.modelfile import load_model, save_model

    try:
        digest = corpus_hash()
        if data_dir is not None:
            personal = load_model(personal_path(data_dir))
            if personal is not None and isinstance(personal[0], PointModels):
                return personal[0], personal[1], "personal"
        candidates = ((shipped_path(), "shipped"), (cache_dir() / "points.joblib", "rebuilt"))
        for path, origin in candidates:
            found = load_model(path, digest)
            if found is not None and isinstance(found[0], PointModels):
                return found[0], found[1], origin
        log.warning(
            "no usable shipped points model for this scikit-learn; rebuilding it from the "
            "corpus (a few seconds, once)"
        )
        replies = load_corpus()
        models = fit(replies)
        meta: dict[str, Any] = {"kind": "points", "corpus_hash": digest, "examples": len(replies)}
        try:
            meta = save_model(models, cache_dir() / "points.joblib", meta)
        except OSError as exc:
            log.warning("cannot cache the rebuilt points model in %s: %s", cache_dir(), exc)
        return models, meta, "rebuilt"
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load or build the points model: {exc}") from None


def train_personal(corrections: Sequence[Correction], path: Path) -> int:
    """Fit the points models on the corpus and the user's corrections; save them at ``path``."""
    from watcher.classify.modelfile import save_model

    replies = load_corpus()
    models = fit(replies, corrections)
    save_model(
        models,
        path,
        {
            "kind": "points",
            "corpus_hash": corpus_hash(),
            "examples": len(replies),
            "corrections": len(corrections),
        },
    )
    return len(corrections)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    # Through the module's own name: run as __main__, PointModels would be pickled as
    # __main__.PointModels, which the product cannot load.
    from watcher.classify import pointmodel

    pointmodel.build_shipped()
