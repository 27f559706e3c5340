"""The new text of a reply: HTML to text, quoted originals and signatures removed (pure).

``strip_quotes`` keeps the signature; ``visible_text`` removes it too. Both are defined in
``quotes`` and exported here, the package's one public face.
"""

from watcher.replytext.quotes import strip_quotes, visible_text

__all__ = ["strip_quotes", "visible_text"]
