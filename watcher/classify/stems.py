"""One pattern for a list of word stems, as the data modules (themewords, askwords) write them."""

from __future__ import annotations

import re
from collections.abc import Iterable


def stems_pattern(stems: Iterable[str]) -> re.Pattern[str]:
    """Matches any of ``stems`` (lower case) at the start of a word; a stem under four
    characters ("cv", "sap") only as the whole word, or "sap" would be read in
    "disappointed". Longer stems first, so the longest match wins where they overlap."""
    ordered = sorted(set(stems), key=lambda s: (-len(s), s))
    return re.compile(
        "|".join(r"\b" + re.escape(s) + (r"\b" if len(s) < 4 else "") for s in ordered)
    )
