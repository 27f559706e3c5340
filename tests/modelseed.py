"""Both trained models, saved once per test session as "personal" models to copy into data dirs.

A worker process loads a shipped or cached model only when it matches the corpus hash, and
rebuilds it (15-20 s) whenever the corpus has changed, which it does while the team writes
it. Tests that start many workers would time those rebuilds, so they seed each data
directory with a personal model, which the product checks only by library versions and its
sha256 (a file it wrote itself), and which it loads first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from watcher.classify.classifier import load_classifier, personal_path
from watcher.classify.modelfile import meta_path, save_model

KINDS = ("reply", "request")


def build_seed(where: Path) -> Path:
    """A data directory holding only the two personal models; returns it."""
    for kind in KINDS:
        clf = load_classifier(kind, None)  # shipped, cached, or rebuilt once into the cache
        save_model(clf.pipeline, personal_path(where, kind), dict(clf.meta))
    return where


def seed(template: Path, data_dir: Path) -> None:
    """Copy the personal models of ``template`` into ``data_dir``."""
    for kind in KINDS:
        src = personal_path(template, kind)
        dest = personal_path(data_dir, kind)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        shutil.copy2(meta_path(src), meta_path(dest))
