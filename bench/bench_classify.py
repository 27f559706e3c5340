"""Replies per second through the reply classifier: parse, visible text, classification.

Two figures, both per CPU second (process time, so other work on a shared machine does not
count), best of a few rounds:

- end to end: raw bytes -> ``parse_message`` -> ``ReplyClassifier.classify`` (which extracts
  the visible text and runs the pipeline), in batches of 100 as the digest asks for labels;
- classify only: the corpus items as ``watcher.classify.train.item_message`` builds them,
  already parsed, through ``classify``.

The stages are also timed apart (parse; visible text and sample; pipeline). The load time is
measured in fresh interpreters: importing the classifier and scikit-learn and loading the saved
pipeline, as the service does on the first reply it has to label. Run from the repository root:

    python bench/bench_classify.py           # 3,000 replies in varied MIME forms
    python bench/bench_classify.py --quick   # 300 replies, one round
    python bench/bench_classify.py --profile # plus the top functions by cumulative time
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import mailgen  # noqa: E402
import modelcopy  # noqa: E402

from watcher.classify.classifier import ReplyClassifier  # noqa: E402
from watcher.classify.features import reply_sample  # noqa: E402
from watcher.mail.messages import parse_message  # noqa: E402

TARGET = 2000  # replies per second on one core
BATCH = 100

_LOAD_SNIPPET = """
import sys, time
t = time.perf_counter()
from watcher.classify.classifier import ReplyClassifier
c = ReplyClassifier(__import__("pathlib").Path(sys.argv[1]))
print(time.perf_counter() - t, c.model.origin)
"""


def load_seconds(data_dir: Path, rounds: int) -> list[float]:
    """Seconds from a bare interpreter to a loaded classifier, one fresh process per round."""
    out = []
    for _ in range(rounds):
        done = subprocess.run(
            [sys.executable, "-c", _LOAD_SNIPPET, str(data_dir)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        seconds, origin = done.stdout.split()
        if origin != "personal":
            raise RuntimeError(f"the benchmark model was not the one loaded ({origin})")
        out.append(float(seconds))
    return out


def _batches(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def end_to_end(classifier: ReplyClassifier, raws: list[bytes]) -> tuple[float, list[str]]:
    start = time.process_time()
    labels = []
    for batch in _batches(raws):
        messages = [parse_message(raw) for raw in batch]
        labels += [v.label for v in classifier.classify(messages)]
    return time.process_time() - start, labels


def stages(classifier: ReplyClassifier, raws: list[bytes]) -> dict[str, float]:
    """CPU seconds of each stage over all messages, timed apart."""
    t = time.process_time()
    messages = [parse_message(raw) for raw in raws]
    parse = time.process_time() - t
    t = time.process_time()
    samples = [reply_sample(m) for m in messages]
    text = time.process_time() - t
    t = time.process_time()
    for batch in _batches(samples):
        classifier.model.predict(batch)
    predict = time.process_time() - t
    return {"parse": parse, "visible_text": text, "pipeline": predict}


def run(
    quick: bool = False,
    cache: Path = mailgen.DEFAULT_CACHE,
    profile: cProfile.Profile | None = None,
    model_every: int = 1,
    load_rounds: int | None = None,
) -> dict:
    from watcher.classify.train import item_message

    count, rounds = (300, 1) if quick else (3000, 3)
    model = modelcopy.cached_model("reply", cache, model_every)
    with tempfile.TemporaryDirectory(prefix="fw-bench-classify-") as tmp:
        data_dir = Path(tmp)
        modelcopy.install_personal(model, "reply", data_dir)
        loads = load_seconds(data_dir, rounds if load_rounds is None else load_rounds)
        t = time.perf_counter()
        classifier = ReplyClassifier(data_dir)
        warm_load = time.perf_counter() - t
    pairs = mailgen.reply_messages(count)
    raws = [raw for raw, _ in pairs]
    truth = [label for _, label in pairs]
    items = mailgen.corpus_replies()
    parsed = [item_message(items[n % len(items)]) for n in range(count)]
    e2e, only, labels = [], [], []
    for r in range(rounds):
        if profile and r == 0:
            profile.enable()
        seconds, labels = end_to_end(classifier, raws)
        if profile and r == 0:
            profile.disable()
        e2e.append(seconds)
        start = time.process_time()
        for batch in _batches(parsed):
            classifier.classify(batch)
        only.append(time.process_time() - start)
    return {
        "quick": quick,
        "messages": count,
        "rounds": rounds,
        "mean_bytes": int(statistics.fmean(len(r) for r in raws)),
        "load_cold_s": loads,
        "load_warm_s": warm_load,
        "end_to_end_s": e2e,
        "classify_only_s": only,
        "end_to_end_per_s": count / min(e2e),
        "classify_only_per_s": count / min(only),
        "stages_s": stages(classifier, raws),
        "agreement": sum(a == b for a, b in zip(labels, truth)) / count,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def report(res: dict) -> str:
    n = res["messages"]
    st = res["stages_s"]
    lines = [
        f"{n:,} replies (mean {res['mean_bytes']:,} bytes), best of {res['rounds']} rounds, "
        "per CPU second",
        f"  end to end (parse + visible text + classify): {res['end_to_end_per_s']:,.0f}/s"
        f"   target >= {TARGET:,}/s   ratio {res['end_to_end_per_s'] / TARGET:.2f}",
        f"  classify only (item_message, pre-parsed):     {res['classify_only_per_s']:,.0f}/s",
        "  stages, us a reply: " + ", ".join(f"{k} {v / n * 1e6:,.0f}" for k, v in st.items()),
        "  load, fresh interpreter (imports + joblib): "
        + (", ".join(f"{s:.2f} s" for s in res["load_cold_s"]) or "not measured")
        + f"; again in-process {res['load_warm_s']:.2f} s",
        f"  labels agreeing with the corpus (training data, a sanity check only): "
        f"{res['agreement']:.1%}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="300 replies, one round")
    ap.add_argument("--cache", type=Path, default=mailgen.DEFAULT_CACHE)
    ap.add_argument("--json", type=Path, help="also write the measurements here")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    profile = cProfile.Profile() if args.profile else None
    res = run(args.quick, args.cache, profile)
    print(report(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
