"""Trained models for the benchmarks: built once, cached, and handed to each run as "personal".

The product checks a cached or shipped model against the corpus hash and rebuilds it (15-20 s
here) when the corpus changed. The corpora change often while the team writes them, and a
benchmark must not time a rebuild, so the benchmarks keep their own copy and install it where
the product looks first and checks only library versions and the file's sha256: the personal
model path in the data directory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from watcher.classifier import load_classifier, personal_path
from watcher.modelfile import load_model, meta_path


def cached_model(kind: str, cache: Path) -> Path:
    """The path of a usable cached model of this kind ("reply" or "request"), built if needed."""
    data_dir = cache / "models-cache"
    path = data_dir / "models" / f"{kind}s.joblib"
    if load_model(path) is None:  # missing, or from another scikit-learn
        load_classifier(kind, data_dir)
    if load_model(path) is None:
        raise RuntimeError(f"could not build a {kind} model in {data_dir}")
    return path


def install_personal(model: Path, kind: str, data_dir: Path) -> None:
    """Copy a cached model into a data directory as that directory's personal model."""
    dest = personal_path(data_dir, kind)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(model, dest)
    shutil.copy2(meta_path(model), meta_path(dest))
