"""The new text of a reply: quoted originals and signatures removed (pure)."""


def strip_quotes(text: str) -> str:
    """Remove the quoted original; keep signatures."""
    return text


def visible_text(text: str) -> str:
    """Remove the quoted original and signatures."""
    return text
