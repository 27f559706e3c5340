"""Line helpers shared by the steps that find a reply's new text (HTML, quotes, signatures)."""

from __future__ import annotations

from collections.abc import Sequence


def first_nonblank(lines: Sequence[str]) -> int:
    """The index of the first line with text in it, or -1."""
    for k, line in enumerate(lines):
        if line.strip():
            return k
    return -1


def last_nonblank(lines: Sequence[str]) -> int:
    """The index of the last line with text in it, or -1."""
    for k in range(len(lines) - 1, -1, -1):
        if lines[k].strip():
            return k
    return -1


def tidy(text: str) -> str:
    """``text`` without trailing spaces, leading or trailing blank lines, or blank-line runs."""
    text = "\n".join([line.rstrip() for line in text.split("\n")]).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text
