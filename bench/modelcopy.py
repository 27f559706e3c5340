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


def cached_model(kind: str, cache: Path, every: int = 1) -> Path:
    """The path of a usable cached model of this kind ("reply" or "request"), built if needed.

    ``every`` > 1 trains on every n-th corpus item only: a weaker model, built in a third of
    the time, for the quick tests of the benchmarks themselves.
    """
    data_dir = cache / ("models-cache" if every == 1 else f"models-cache-every{every}")
    path = data_dir / "models" / f"{kind}s.joblib"
    if load_model(path) is None:  # missing, or from another scikit-learn
        if every == 1:
            load_classifier(kind, data_dir)
        else:
            _build_thinned(kind, every, path)
    if load_model(path) is None:
        raise RuntimeError(f"could not build a {kind} model in {data_dir}")
    return path


def _build_thinned(kind: str, every: int, path: Path) -> None:
    from watcher.features import reply_sample, sent_sample
    from watcher.modelfile import save_model
    from watcher.models import train

    to_sample = reply_sample if kind == "reply" else sent_sample
    label_of = train.reply_label if kind == "reply" else train.request_label
    examples = []
    for corpus in train.corpus_paths(kind):
        for item in train.read_jsonl(corpus)[::every]:
            examples.append(train.Example(item["id"], label_of(item), item["id"], corpus.name,
                                          to_sample(train.item_message(item))))
    pipeline = train.fit(examples, kind)
    save_model(pipeline, path, {"kind": kind, "examples": len(examples), "thinned": every})


def install_personal(model: Path, kind: str, data_dir: Path) -> None:
    """Copy a cached model into a data directory as that directory's personal model."""
    dest = personal_path(data_dir, kind)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(model, dest)
    shutil.copy2(meta_path(model), meta_path(dest))
