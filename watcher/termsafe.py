"""Text for a person's eyes: control and bidi characters made visible (pure).

Mail, folder names and a server's error text reach the terminal, the log and the digest files.
An ESC there starts an ANSI or OSC sequence (colours, cursor moves, a retitled window, an OSC 8
link whose text lies about its target); a carriage return or a bidi override (U+202E) makes
the line show something other than what it holds. ``visible`` turns each such character into
its escape (``\\x1b``, ``\\u202e``), so the rest of the sequence is printed as plain text.
JSON keeps the exact text (JSON escapes what it must) and HTML is escaped by its renderer.
"""

from __future__ import annotations

# Explicit bidi formatting: embeddings, overrides and isolates, and the invisible marks.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\u0085\u2028\u2029")  # NEL and the Unicode line/paragraph separators


def _unsafe(c: str) -> bool:
    o = ord(c)
    return o < 0x20 or 0x7F <= o <= 0x9F or c in BIDI or c in LINE_BREAKS


def _escape(c: str) -> str:
    o = ord(c)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def visible(text: str, keep: str = "") -> str:
    """``text`` with every control character (C0, DEL, C1), bidi control and Unicode line
    separator written as its escape, except those in ``keep`` (``"\\n\\t"`` for a multi-line
    text)."""
    if text.isprintable():
        return text  # the common case, checked at C speed (bidi controls are not printable)
    return "".join(_escape(c) if _unsafe(c) and c not in keep else c for c in text)
