"""Saving and loading a fitted pipeline with joblib, and refusing any file we did not write.

A joblib file runs code when loaded, and needs the scikit-learn version that wrote it: we load
only a file whose sha256 matches the metadata saved beside it, written by the same library
versions from the same corpus. Anything else is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import platform
from pathlib import Path
from typing import Any

from watcher import files

log = logging.getLogger(__name__)


def library_versions() -> dict[str, str]:
    import joblib
    import sklearn

    return {
        "sklearn": sklearn.__version__,
        "joblib": joblib.__version__,
        "python": ".".join(platform.python_version_tuple()[:2]),
    }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def save_model(pipeline: Any, path: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Write the pipeline and its metadata atomically; returns the metadata written."""
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    with files.replacing(path) as tmp:
        joblib.dump(pipeline, tmp, compress=3)
        full = {**meta, **library_versions(), "sha256": _sha256(tmp)}
    files.write_text(meta_path(path), json.dumps(full, indent=2, sort_keys=True) + "\n")
    return full


def read_meta(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(meta_path(path).read_text())
    except (OSError, ValueError):
        return None


def load_model(path: Path, corpus_hash: str | None = None) -> tuple[Any, dict[str, Any]] | None:
    """The pipeline and metadata, or None (with the reason logged) when it cannot be trusted."""
    if not path.exists():
        return None
    meta = read_meta(path)
    if meta is None:
        log.info("model %s has no readable metadata; it will be rebuilt", path)
        return None
    versions = library_versions()
    for key in ("sklearn", "python"):
        if meta.get(key) != versions[key]:
            log.info(
                "model %s was built with %s %s, this is %s; it will be rebuilt",
                path,
                key,
                meta.get(key),
                versions[key],
            )
            return None
    if corpus_hash is not None and meta.get("corpus_hash") != corpus_hash:
        log.info("model %s was trained on another corpus; it will be rebuilt", path)
        return None
    if _sha256(path) != meta.get("sha256"):
        log.warning("model %s does not match its recorded sha256; not loading it", path)
        return None
    import joblib

    try:
        return joblib.load(path), meta
    except (
        AttributeError,
        ImportError,
        EOFError,
        ValueError,
        TypeError,
        KeyError,
        pickle.UnpicklingError,
    ) as exc:
        # A file this program wrote, but an older version of it: its pipeline names a function
        # or class that has since moved or gone. Rebuilding beats failing every sync.
        log.warning("model %s cannot be loaded by this version (%s); it will be rebuilt", path, exc)
        return None
