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
