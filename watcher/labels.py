"""The names the product judges with: a reply's label, a sent message's request verdict and
which ask is due (pure).

Both are ``str`` enums, so they compare equal to the plain strings stored in SQLite, JSON and
the corpora. On Python 3.11+ ``format()`` of a mixed-in ``str`` enum gives ``Label.FEEDBACK``
instead of the value; ``__str__`` and ``__format__`` pin the value on every version, because
these names are printed in the digest, in JSON and in commands the user types.
"""

from __future__ import annotations

from enum import Enum


class _Name(str, Enum):
    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Label(_Name):
    """What a reply to a feedback request is."""

    FEEDBACK = "feedback"  # a substantive, specific assessment, even inside a rejection
    REJECTION = "rejection"  # a decline or refusal with no substantive feedback
    NO_RESPONSE = "no_response"  # an auto-reply, a bounce, a holding reply

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


class DueAsk(_Name):
    """Which ask a quiet thread is due for."""

    SECOND = "second_ask"
    THIRD = "third_ask"


class RequestVerdict(_Name):
    """What the request detector says of a sent message, from its probability of being a
    feedback request and two thresholds."""

    YES = "yes"  # at or above the high threshold: tracked as a request
    UNSURE = "unsure"  # between the thresholds: not tracked; the digest may ask the user
    NO = "no"

    @classmethod
    def of(cls, probability: float, low: float, high: float) -> RequestVerdict:
        if probability >= high:
            return cls.YES
        if probability >= low:
            return cls.UNSURE
        return cls.NO
