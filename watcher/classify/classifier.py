"""The trained classifiers as the product uses them: found, checked, loaded or rebuilt.

Which model answers, in order: the user's personal model (``train`` with corrections) in the
data directory; the model shipped in the package; a model rebuilt from the corpus into the
data directory. Every file is hash-checked against metadata this program wrote. Only ``train``
rebuilds a personal model, so one that cannot be loaded is reported, not silently passed over.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watcher.classify.features import (
    RecipientFacts,
    Sample,
    judge_in_order,
    reply_sample,
    sent_sample,
)
from watcher.errors import ModelError
from watcher.labels import RequestVerdict
from watcher.mail.messages import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    label: str
    confidence: float


class TextClassifier:
    """A loaded pipeline and the metadata it was saved with."""

    def __init__(self, pipeline: Any, meta: dict[str, Any], origin: str) -> None:
        self.pipeline = pipeline
        self.meta = meta
        self.origin = origin  # "personal", "shipped" or "rebuilt"

    @property
    def name(self) -> str:
        return f"{self.meta.get('kind', '?')}-{self.origin}-{self.meta.get('sha256', '')[:8]}"

    def predict(self, samples: Sequence[Sample]) -> list[Verdict]:
        if not samples:
            return []
        probabilities = self.pipeline.predict_proba(list(samples))
        classes = list(self.pipeline.classes_)
        out = []
        for row in probabilities:
            best = int(row.argmax())
            out.append(Verdict(classes[best], float(row[best])))
        return out


def model_name(kind: str) -> str:
    from watcher.classify.train import MODEL_NAMES

    return MODEL_NAMES[kind]


def _model_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def cache_dir() -> Path:
    """Where models rebuilt from the shipped corpus are kept: derived data, shared by data dirs."""
    if os.environ.get("FEEDBACK_WATCHER_CACHE_DIR"):
        return Path(os.environ["FEEDBACK_WATCHER_CACHE_DIR"])
    import platformdirs

    return Path(platformdirs.user_cache_dir("feedback-watcher")) / "models"


def personal_path(data_dir: Path, kind: str) -> Path:
    return _model_dir(data_dir) / f"{model_name(kind)}-personal.joblib"


_warned: set[Path] = set()


def _warn_personal_unusable(path: Path) -> None:
    # Nothing rebuilds a personal model but the user: say so, once per process, not per batch.
    if path in _warned:
        return
    _warned.add(path)
    log.warning(
        "your personal model %s cannot be used, so the shipped model answers instead; "
        "run 'feedback-watcher train' to rebuild your personal model from your corrections",
        path,
    )


def load_classifier(kind: str, data_dir: Path | None) -> TextClassifier:
    """The best trustworthy model of this kind ("reply" or "request"), rebuilding if needed."""
    from watcher.classify import train
    from watcher.classify.modelfile import load_model, save_model

    try:
        corpus_hash = train.corpus_hash(kind)
        if data_dir is not None:
            path = personal_path(data_dir, kind)
            personal = load_model(path)
            if personal is not None:
                return TextClassifier(*personal, "personal")
            if path.exists():
                _warn_personal_unusable(path)
        shipped = load_model(train.package_dir() / f"{model_name(kind)}.joblib", corpus_hash)
        if shipped is not None:
            return TextClassifier(*shipped, "shipped")
        cached = load_model(cache_dir() / f"{model_name(kind)}.joblib", corpus_hash)
        if cached is not None:
            return TextClassifier(*cached, "rebuilt")
        log.warning(
            "no usable shipped %s model for this scikit-learn; rebuilding it from the "
            "corpus (a few seconds, once)",
            kind,
        )
        examples = train.load_corpus(kind)
        pipeline = train.fit(examples, kind)
        meta = {"kind": kind, "corpus_hash": corpus_hash, "examples": len(examples)}
        try:
            meta = save_model(pipeline, cache_dir() / f"{model_name(kind)}.joblib", meta)
        except OSError as exc:
            log.warning("cannot cache the rebuilt model in %s: %s", cache_dir(), exc)
        return TextClassifier(pipeline, meta, "rebuilt")
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load or build the {kind} classifier: {exc}") from None


class ReplyClassifier:
    """Labels replies: feedback, rejection or no_response, with a confidence."""

    def __init__(self, data_dir: Path | None) -> None:
        self.model = load_classifier("reply", data_dir)

    def classify(self, messages: Sequence[Message]) -> list[Verdict]:
        return self.model.predict([reply_sample(m) for m in messages])

    def __call__(self, messages: Sequence[Message]) -> list[tuple[str, float, str]]:
        """(label, confidence, model name) per message, as the state database keeps them."""
        return [(v.label, v.confidence, self.model.name) for v in self.classify(messages)]


class RequestDetector:
    """Decides which sent messages ask for feedback (first asks and follow-ups): yes, unsure or
    no, with the model's probability that the message is a request."""

    def __init__(self, data_dir: Path | None) -> None:
        from watcher.classify.textmodel import REQUEST_HIGH, REQUEST_LOW

        self.model = load_classifier("request", data_dir)
        self.low, self.high = REQUEST_LOW, REQUEST_HIGH

    def probabilities(
        self,
        messages: Sequence[Message],
        facts: Mapping[str, RecipientFacts] | None = None,
        own: frozenset[str] = frozenset(),
    ) -> list[float]:
        """P(request) per message, reading each with its context."""
        if not messages:
            return []
        return self._predict([sent_sample(m, facts or {}, own) for m in messages])

    def _predict(self, samples: list[Sample]) -> list[float]:
        if not samples:
            return []
        rows = self.model.pipeline.predict_proba(samples)
        column = list(self.model.pipeline.classes_).index("request")
        return [float(row[column]) for row in rows]

    def __call__(
        self,
        messages: Sequence[Message],
        facts: Mapping[str, RecipientFacts] | None = None,
        own: frozenset[str] = frozenset(),
    ) -> list[tuple[int | str, RequestVerdict, float | None]]:
        """(message key, verdict, P(request)) per message.

        A message sent after a request to the same person, in the same batch, is judged again
        knowing that person was asked before (as a follow-up is, once the first ask is stored).
        """
        probabilities = judge_in_order(messages, facts or {}, own, self.high, self._predict)
        return [
            (m.key, RequestVerdict.of(p, self.low, self.high), p)
            for m, p in zip(messages, probabilities)
        ]
