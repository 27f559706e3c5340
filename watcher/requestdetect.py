"""Deciding which of the user's sent messages are feedback requests (placeholder rule)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from watcher.messages import Message

_ASK = re.compile(r"feedback|stack up|done better|differently|improve|rückmeldung|retour|"
                  r"comentarios|terugkoppeling", re.I)


def detect_requests(messages: Sequence[Message]) -> list[tuple[str, bool, float | None]]:
    return [(m.message_id, bool(_ASK.search(m.subject + "\n" + m.body_text)), None)
            for m in messages]
