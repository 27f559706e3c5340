"""Trained models for the benchmarks: built once, cached, and handed to each run as "personal".

The product checks a cached or shipped model against the corpus hash and rebuilds it (15-20 s
here) when the corpus changed. The corpora change often while the team writes them, and a
benchmark must not time a rebuild, so the benchmarks train their own copy from the current
corpus (with the product's ``train.fit``) and install it where the product looks first and
checks only library versions and the file's sha256: the personal model path in the data
directory. A copy that the current code cannot load, or that an older pipeline version built
(``textmodel.PIPELINE_VERSION``: it loads, but reads fewer features), is trained again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from watcher.classify.classifier import personal_path
from watcher.classify.modelfile import load_model, meta_path, save_model


def cached_model(kind: str, cache: Path, every: int = 1) -> Path:
    """The path of a usable cached model of this kind ("reply" or "request"), built if needed.

    ``every`` > 1 trains on every n-th corpus item only: a weaker model, built in a third of
    the time, for the quick tests of the benchmarks themselves.
    """
    path = cache / "models" / f"{kind}-every{every}.joblib"
    if not _current(path):  # missing, from another scikit-learn, or from older code
        _build(kind, every, path)
    if not _current(path):
        raise RuntimeError(f"could not build a {kind} model at {path}")
    return path


def _current(path: Path) -> bool:
    from watcher.classify.textmodel import PIPELINE_VERSION

    if load_model(path) is None:
        return False
    try:
        meta = json.loads(meta_path(path).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("pipeline") == PIPELINE_VERSION


def _build(kind: str, every: int, path: Path) -> None:
    from watcher.classify import train

    if every == 1:
        examples = train.load_corpus(kind)
    else:
        examples = _thinned(kind, every)
    from watcher.classify.textmodel import PIPELINE_VERSION

    pipeline = train.fit(examples, kind)
    meta = {"kind": kind, "examples": len(examples), "every": every, "pipeline": PIPELINE_VERSION}
    save_model(pipeline, path, meta)


def _thinned(kind: str, every: int) -> list:
    # Only every n-th item is parsed: parsing the whole corpus alone takes seconds.
    from watcher.classify import train
    from watcher.classify.features import reply_sample, sent_sample

    to_sample = reply_sample if kind == "reply" else sent_sample
    label_of = train.reply_label if kind == "reply" else train.request_label
    examples = []
    for corpus in train.corpus_paths(kind):
        for item in train.read_jsonl(corpus)[::every]:
            examples.append(
                train.Example(
                    item["id"],
                    label_of(item),
                    item["id"],
                    corpus.name,
                    to_sample(train.item_message(item)),
                )
            )
    return examples


def install_personal(model: Path, kind: str, data_dir: Path) -> None:
    """Copy a cached model into a data directory as that directory's personal model."""
    dest = personal_path(data_dir, kind)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(model, dest)
    shutil.copy2(meta_path(model), meta_path(dest))
