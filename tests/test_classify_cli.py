"""classify, label and train through the CLI, on real .eml files and a synced demo mailbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watcher.cli import main

DATA = Path(__file__).parent / "data" / "replies"


def test_classify_eml_files_as_json(capsys, tmp_path):
    files = sorted(DATA.glob("*.eml"))
    assert main(["--data-dir", str(tmp_path), "classify", "--json", *map(str, files)], {}) == 0
    rows = {Path(r["path"]).stem: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["feedback_blunt"]["label"] == "feedback"
    assert rows["rejection_effusive"]["label"] == "rejection"
    assert rows["ooo_return"]["label"] == "no_response"
    assert rows["holding_html"]["label"] == "no_response"
    # The text is what the author newly wrote: the quoted request is gone.
    assert "concurrency" in rows["feedback_blunt"]["text"]
    assert "stacked up" not in rows["feedback_blunt"]["text"]
    assert all(
        0 <= r["confidence"] <= 1 and isinstance(r["needs_review"], bool) for r in rows.values()
    )


def test_classify_reads_stdin(capsys, tmp_path, monkeypatch):
    import io
    import sys

    raw = (DATA / "rejection_effusive.eml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert main(["--data-dir", str(tmp_path), "classify", "-"], {}) == 0
    assert capsys.readouterr().out.startswith("-\trejection\t")


@pytest.mark.slow
def test_label_and_train_make_a_personal_model_that_follows_corrections(capsys, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    assert main([*data, "demo"], {}) == 0
    config = tmp_path / "demo.toml"
    from importlib import resources

    mailbox = resources.files("watcher") / "demo" / "mailbox"
    config.write_text(
        f'[[accounts]]\nname = "demo"\nmaildir = "{mailbox}"\n'
        'addresses = ["alex.morgan@mail.example"]\n'
    )
    config.chmod(0o600)
    argv = ["--config", str(config), *data]
    capsys.readouterr()
    # The user disagrees: the Globex coordinator's reply counts as no_response for them.
    assert main([*argv, "label", "<r3@globex-corp.example>", "no_response"], {}) == 0
    assert main([*argv, "label", "<nope@x>", "feedback"], {}) == 2
    assert main([*argv, "label", "<r3@globex-corp.example>", "maybe"], {}) == 2
    assert main([*argv, "train"], {}) == 0
    out = capsys.readouterr().out
    assert "1 of your corrections" in out
    assert (tmp_path / "models" / "replies-personal.joblib").exists()
    from watcher.classify.classifier import ReplyClassifier

    assert ReplyClassifier(tmp_path).model.origin == "personal"
    # Labels the old model gave are recomputed by the new one; the correction stands.
    assert main([*argv, "digest", "--json", "--now", "2025-04-14T08:00:00+01:00"], {}) == 0
    data = json.loads(capsys.readouterr().out)
    replies = {r["message_id"]: r for t in data["threads"] for r in t["replies"]}
    assert replies["<r3@globex-corp.example>"]["label"] == "no_response"
    from watcher.storage import Store

    store = Store.open(tmp_path)
    assert {stored.model.split("-")[1] for stored in store.labels().values()} == {"personal"}
    store.close()


def test_fixed_corrections_counts_only_what_the_new_model_changed_to_the_users_label():
    from watcher.classify.train import fixed_corrections

    class Says:
        def __init__(self, *labels):
            self.labels = labels

        def predict(self, samples):
            return list(self.labels[: len(samples)])

    corrections = [("s1", "feedback"), ("s2", "rejection"), ("s3", "no_response")]
    before = Says("rejection", "rejection", "feedback")
    after = Says("feedback", "feedback", "no_response")
    # s1 and s3 fixed; s2 was right before and is wrong now, which is not a fix
    assert fixed_corrections(before, after, corrections) == 2
    assert fixed_corrections(before, after, []) == 0


DEV_SETS = Path(__file__).resolve().parents[1].parent / "shared" / "dev-sets"


def test_eval_scores_dev_sets_only_from_the_folder_it_is_given(capsys, tmp_path):
    assert main(["eval", "--quick"], {}) == 0
    assert "dev set" not in capsys.readouterr().out  # nothing is looked for beside the repo
    assert main(["eval", "--quick", "--dev-sets", str(tmp_path)], {}) == 2
    assert f"no replies-dev.jsonl in {tmp_path}" in capsys.readouterr().err


def test_eval_scores_the_shared_dev_sets_when_given(capsys):
    if not (DEV_SETS / "replies-dev.jsonl").exists():
        pytest.skip("../shared/dev-sets is not present")
    assert main(["eval", "--quick", "--dev-sets", str(DEV_SETS)], {}) == 0
    assert "reply dev set (replies-dev.jsonl): n=" in capsys.readouterr().out


def _spoil_model(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


def _spoil_metadata(path: Path) -> None:
    from watcher.classify.modelfile import meta_path

    meta_path(path).write_text("{ not json")


@pytest.mark.parametrize("spoil", [_spoil_model, _spoil_metadata], ids=["bytes", "metadata"])
def test_an_unusable_personal_model_is_reported_once_and_the_shipped_one_answers(
    spoil, capsys, caplog, tmp_path
):
    from watcher.classify.classifier import load_classifier, personal_path
    from watcher.classify.modelfile import save_model

    shipped = load_classifier("reply", None)
    personal = personal_path(tmp_path, "reply")
    save_model(shipped.pipeline, personal, dict(shipped.meta))
    spoil(personal)
    eml = str(DATA / "rejection_effusive.eml")
    caplog.clear()
    for _ in range(2):
        assert main(["--data-dir", str(tmp_path), "classify", eml], {}) == 0
        assert capsys.readouterr().out.startswith(f"{eml}\trejection\t")
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelname == "WARNING" and "feedback-watcher train" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert str(personal) in warnings[0]
    assert "rebuild your personal model from your corrections" in warnings[0]


@pytest.mark.parametrize("kind", ["reply", "request"])
def test_the_shipped_models_unpickle(kind):
    """Every name a shipped pipeline refers to still resolves."""
    import joblib

    from watcher.classify import train
    from watcher.classify.modelfile import library_versions, read_meta

    path = train.package_dir() / f"{train.MODEL_NAMES[kind]}.joblib"
    if (read_meta(path) or {}).get("sklearn") != library_versions()["sklearn"]:
        pytest.skip("the shipped model was built with another scikit-learn")
    assert hasattr(joblib.load(path), "predict_proba")


def test_train_passes_the_users_track_and_ignore_marks_to_the_request_model(
    capsys, tmp_path, monkeypatch
):
    """Fast: what `train` hands the trainer; the fitting itself is the slow test below."""
    from demostate import DemoState

    from watcher.classify import classifier, train

    demo = DemoState(tmp_path)
    calls = []

    def fake_train(corrections, baseline, path, kind="reply"):
        calls.append((kind, sorted((m.message_id, label) for m, label in corrections), path))
        return train.PersonalTraining(path, 100, len(corrections), 0)

    monkeypatch.setattr(train, "train_personal", fake_train)

    class Shipped:
        pipeline = None

    monkeypatch.setattr(classifier, "load_classifier", lambda kind, data_dir: Shipped())
    assert main(demo.cli("train"), {}) == 0
    out = capsys.readouterr().out
    assert [kind for kind, _, _ in calls] == ["reply"]
    assert "request model: no track or ignore marks of yours yet" in out

    calls.clear()
    demo.mark_unsure("<s2@mail.example>")
    assert main(demo.cli("track", "<s2@mail.example>"), {}) == 0
    assert main(demo.cli("ignore", "<a5@mail.example>"), {}) == 0
    assert main(demo.cli("train"), {}) == 0
    out = capsys.readouterr().out
    kind, marks, path = calls[1]
    assert kind == "request" and path == tmp_path / "data" / "models" / "requests-personal.joblib"
    # Only the user's marks: the model's own decisions are not taught back to it.
    assert marks == [("<a5@mail.example>", "other"), ("<s2@mail.example>", "request")]
    assert "personal request model trained on 100 corpus messages and 2 of your track/ignore" in out


# Four writers' files of the sent-mail corpus (about 2,100 messages: two job seekers, the CV
# review asks, ordinary mail) instead of all twenty-nine: the tests below are about what
# reaches the model and what `eval` prints, and the whole corpus costs over 40 s per fit.
SMALL_REQUEST_CORPUS = {
    "requests.jsonl",
    "requests-b.jsonl",
    "requests-r5.jsonl",
    "requests-o-ordinary.jsonl",
}


@pytest.fixture
def small_request_corpus(monkeypatch):
    from watcher.classify import train

    every_file = train.corpus_paths("request")
    files = [path for path in every_file if path.name in SMALL_REQUEST_CORPUS]
    assert len(files) == len(SMALL_REQUEST_CORPUS)
    original = train.corpus_paths
    monkeypatch.setattr(
        train, "corpus_paths", lambda kind: files if kind == "request" else original(kind)
    )


@pytest.mark.slow
def test_train_makes_a_personal_request_model_from_track_and_ignore(
    capsys, tmp_path, small_request_corpus
):
    from demostate import DemoState

    from watcher.classify.classifier import RequestDetector
    from watcher.storage import Store

    demo = DemoState(tmp_path)
    store = Store.open(demo.data_dir)
    [cv] = store.messages_with_id("<s2@mail.example>")
    store.close()
    before = RequestDetector(demo.data_dir)([cv])[0][2]
    assert main(demo.cli("track", str(cv.ref)), {}) == 0
    assert main(demo.cli("train"), {}) == 0
    out = capsys.readouterr().out
    assert "1 of your track/ignore marks" in out
    assert (demo.data_dir / "models" / "requests-personal.joblib").exists()
    detector = RequestDetector(demo.data_dir)
    assert detector.model.origin == "personal"
    assert detector([cv])[0][2] > before  # the user's "this is a request" counted


@pytest.mark.slow
def test_eval_requests_reports_with_and_without_context_and_false_asks_on_real_mail(
    capsys, small_request_corpus
):
    if not (DEV_SETS / "real-mail").is_dir():
        pytest.skip("../shared/dev-sets/real-mail is not present")
    assert main(["eval", "--kind", "request", "--quick", "--dev-sets", str(DEV_SETS)], {}) == 0
    out = capsys.readouterr().out
    for label in ("with context", "text only"):
        assert f"held-out (requests-heldout.jsonl), {label}" in out
        assert f"dev set (sent-dev.jsonl), {label}" in out
        assert f"real mail pooled, {label}" in out
    assert "per 1,000" in out and "unsure:" in out


def test_every_ordinary_mail_file_is_scored_as_ordinary_mail():
    """The evaluation scores the writers of ``requests-*-ordinary.jsonl`` as false asks only; a
    new file whose writer is missing from ORDINARY_WRITERS would count as a job seeker's."""
    from watcher.classify.train import ORDINARY_WRITERS, corpus_paths, read_jsonl

    ordinary = {
        str(item["writer"])
        for path in corpus_paths("request")
        if path.name.endswith("-ordinary.jsonl")
        for item in read_jsonl(path)
    }
    assert ordinary == ORDINARY_WRITERS
