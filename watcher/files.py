"""Files written whole: atomically, and private unless a caller needs otherwise.

The new content goes to a temporary file beside the target, made by ``mkstemp`` and so mode
0600 from its first byte (a password command or a digest is never readable by others, not
even briefly), then one rename replaces the target: a reader sees the old file or the new,
never half of one. A failed write leaves the old file and no temporary behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE = 0o600


@contextmanager
def replacing(path: Path, mode: int = PRIVATE) -> Iterator[Path]:
    """A temporary file to write in the block; it becomes ``path`` when the block succeeds."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if mode != PRIVATE:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, mode: int = PRIVATE) -> None:
    """Replace ``path`` with ``text`` (UTF-8), on disk before the rename makes it visible."""
    with replacing(path, mode) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
