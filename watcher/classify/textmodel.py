"""The scikit-learn pipelines behind both classifiers, built from Samples.

scikit-learn is imported only inside these functions: the idle service never pays for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from watcher.classify.features import CONTEXT_FEATURES, Sample, asking_sentences

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from sklearn.pipeline import Pipeline


def pick_text(samples: Sequence[Sample]) -> list[str]:
    return [s.text for s in samples]


# Character n-grams cost most of the prediction time; the decision in a reply is stated near
# its top, and word n-grams still read the whole text. Character 3-grams over the first 600
# characters: about four times faster than 2-5-grams over the whole text, and held-out
# macro-F1 0.969 against 0.966 (measured 2026-11-28). The request detector judges a few
# sent messages a day, so it keeps 3-4-grams (held-out macro-F1 0.934 against 0.919).
CHAR_PREFIX = 600

# Bump when the features or the learner change: a saved model of another version is rebuilt.
# 5: the request model reads context (recipients, the quoted text, whom the words ask).
# 6: the context adds how the user greets and signs off and which sentences ask for an
#    assessment.
#    The context numbers weigh CONTEXT_WEIGHT.
# 7: a branch over the sentences that ask something, with what they ask as tokens (askwords),
#    and typed smileys counted with emoji.
# 8: a token for asks made before an application goes out (askwords "before_applying").
PIPELINE_VERSION = 8


# The request detector's two thresholds on P(request): at or above HIGH a sent message is
# tracked; from LOW up to HIGH it is "unsure" (not tracked; the digest may ask the user "Did
# you ask for feedback here?"). HIGH is the product's confidence convention (the reply model's
# needs-your-eye threshold is 0.6 too): a message is tracked only when the model gives it more
# than a 60% chance. LOW keeps the unsure list short while catching most doubted requests
# (see models/MODEL_CARD.md for what lands in each tier).
REQUEST_LOW = 0.2
REQUEST_HIGH = 0.6


def pick_text_head(samples: Sequence[Sample]) -> list[str]:
    return [s.text[:CHAR_PREFIX] for s in samples]


def pick_subject(samples: Sequence[Sample]) -> list[str]:
    return [s.subject for s in samples]


def pick_signals(samples: Sequence[Sample]) -> list[str]:
    return [s.signals for s in samples]


def pick_asks(samples: Sequence[Sample]) -> list[str]:
    return [asking_sentences(s.text) for s in samples]


def pick_quoted(samples: Sequence[Sample]) -> list[str]:
    return [s.quoted for s in samples]


def context_matrix(samples: Sequence[Sample]) -> NDArray[np.float64]:
    """The sent message's context (features.SentContext) as numbers; zeros where none."""
    import numpy as np

    width = len(CONTEXT_FEATURES)
    return np.asarray(
        [s.context.vector() if s.context is not None else [0.0] * width for s in samples],
        dtype=float,
    ).reshape(len(samples), width)


def shape(samples: Sequence[Sample]) -> NDArray[np.float64]:
    """A few numbers about the text's form: length, lines, questions."""
    import numpy as np

    rows = []
    for s in samples:
        words = len(s.text.split())
        rows.append(
            [
                math.log1p(words) / 6.0,
                min(s.text.count("\n"), 40) / 40.0,
                1.0 if words <= 12 else 0.0,
                min(s.text.count("?"), 5) / 5.0,
            ]
        )
    return np.asarray(rows, dtype=float)


# The SVM's C per model: for sent mail with the context branches, 1.0 measured a little better
# than 0.5 and 0.25 (leave-one-writer-out recall 0.842 against 0.835 and 0.823 at equal
# precision; false asks on the ordinary-mail writer left out 1 against 2 and 2 of 392).
MODEL_C = {"reply": 0.5, "request": 1.0}

# The context numbers are dense 0/1 columns beside thousands of small TF-IDF weights; at full
# weight the SVM leaned on them and lost recall on writers it never saw. At 0.3 (against 1.0
# and 0.5, seven writers, 2026-12-07): leave-one-writer-out 0.909 / 0.758 against 0.893 / 0.728,
# dev set recall 0.957 against 0.929, the seven scenario mailboxes unchanged.
CONTEXT_WEIGHT = 0.3

# The branch over the sentences that ask something (features.asking_sentences), beside the
# whole text. Ten writers, 2026-12-07, against no such branch: leave-one-writer-out
# 0.939 / 0.792 against 0.936 / 0.783, dev set 1.000 / 1.000 against 0.986 / 0.986, held-out
# recall 0.780 against 0.725 (precision 0.973 against 0.985), ordinary-mail false asks 16
# against 17 of 792.
ASKS_WEIGHT = 1.0


def build_pipeline(kind: str = "reply", C: float | None = None, context: bool = True) -> Pipeline:
    """Word and character n-gram TF-IDF, subject, signal tokens and shape into a linear SVM.

    For sent mail with ``context``, two more branches: word TF-IDF over the text the message
    quotes (what it answers) and the message's context as numbers (``features.SentContext``).

    The SVM's scores are calibrated to probabilities (sigmoid, 3-fold), so "confidence" and
    the needs-your-eye threshold mean what they say. Chosen by measurement over logistic
    regression and SGD: see models/MODEL_CARD.md.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import LinearSVC

    def branch(
        pick: Callable[[Sequence[Sample]], list[str]], vectorizer: TfidfVectorizer | CountVectorizer
    ) -> Pipeline:
        return Pipeline([("pick", FunctionTransformer(pick)), ("vec", vectorizer)])

    parts = [
        (
            "words",
            branch(
                pick_text,
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=2,
                    max_df=0.9,
                    strip_accents="unicode",
                    lowercase=True,
                ),
            ),
        ),
        (
            "chars",
            branch(
                pick_text_head,
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(3, 3) if kind == "reply" else (3, 4),
                    sublinear_tf=True,
                    min_df=3,
                    max_features=120_000,
                    lowercase=True,
                ),
            ),
        ),
        (
            "signals",
            branch(
                pick_signals, CountVectorizer(token_pattern=r"\S+", binary=True, lowercase=False)
            ),
        ),
        ("shape", FunctionTransformer(shape)),
    ]
    if kind == "reply":
        # A sent message's subject is often the thread's ("Re: feedback?") even on a thank-you
        # or a scheduling note, and misled the request detector (measured on the scenario
        # mailboxes: 7 of 53 wrong with it, 3 without); for replies it helps.
        parts.insert(
            2,
            (
                "subject",
                branch(
                    pick_subject,
                    TfidfVectorizer(
                        ngram_range=(1, 2), sublinear_tf=True, min_df=2, strip_accents="unicode"
                    ),
                ),
            ),
        )
    if kind == "request":
        # What the message asks of its reader, apart from the story around it: the same
        # words weigh differently in "could you tell me where I fell short?" and in a letter
        # to a friend about the companies that never answered (ASKS_WEIGHT).
        parts.append(
            (
                "asks",
                branch(
                    pick_asks,
                    TfidfVectorizer(
                        ngram_range=(1, 2), sublinear_tf=True, min_df=2, strip_accents="unicode"
                    ),
                ),
            )
        )
    if kind == "request" and context:
        parts += [
            (
                "quoted",
                branch(
                    pick_quoted,
                    TfidfVectorizer(
                        sublinear_tf=True,
                        min_df=3,
                        max_df=0.9,
                        max_features=20_000,
                        strip_accents="unicode",
                        lowercase=True,
                    ),
                ),
            ),
            ("context", FunctionTransformer(context_matrix)),
        ]
    weights = None
    if kind == "request":
        weights = {"asks": ASKS_WEIGHT, **({"context": CONTEXT_WEIGHT} if context else {})}
    return Pipeline(
        [
            ("features", FeatureUnion(parts, transformer_weights=weights)),
            (
                "model",
                CalibratedClassifierCV(
                    LinearSVC(C=C if C is not None else MODEL_C[kind], class_weight="balanced"),
                    cv=3,
                ),
            ),
        ]
    )
