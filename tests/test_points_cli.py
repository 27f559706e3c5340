"""points, journal and point corrections through the CLI, on .eml files and the demo mailbox."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from watcher.cli import main

DEMO_NOW = "2025-04-14T08:00:00+01:00"
REPLY = b"""From: Dana Whitfield <dana@contoso-retail.example>
To: Alex Morgan <alex@mail.example>
Subject: Re: feedback?
Date: Fri, 28 Mar 2025 14:20:00 +0100
Message-ID: <r9@contoso-retail.example>
Content-Type: text/plain; charset="utf-8"

Hi Alex,

Happy to help. Your score on the SQL and Excel test was the best of the group. The panel
also felt you hadn't looked at our annual report before the interview.

All the best,
Dana

On Mon, 24 Mar 2025 at 09:10, Alex Morgan <alex@mail.example> wrote:
> Your SQL test was great, I hope? How did I compare with the others?
"""


def test_points_of_an_eml_file_as_json_lines(capsys, tmp_path):
    eml = tmp_path / "reply.eml"
    eml.write_bytes(REPLY)
    assert main(["--data-dir", str(tmp_path / "d"), "points", "--json", str(eml)], {}) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows, "no points found"
    for row in rows:
        assert set(row) >= {"path", "kind", "theme", "confidence", "text"}
        assert row["path"] == str(eml) and 0 <= row["confidence"] <= 1
        assert row["kind"] in ("strength", "improvement", "comparison")
    texts = [r["text"] for r in rows]
    # exactly as the reply wrote it (a wrapped sentence keeps its line break), never the quote
    body = REPLY.decode()
    assert all(t in body.split("On Mon")[0] for t in texts)
    assert any("SQL and Excel" in t for t in texts)
    assert not any("How did I compare" in t for t in texts)
    assert not (tmp_path / "d" / "state.sqlite3").exists()  # reading a file keeps no state


def test_points_reads_stdin_as_text(capsys, tmp_path, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(REPLY)))
    assert main(["--data-dir", str(tmp_path), "points", "-"], {}) == 0
    out = capsys.readouterr().out
    assert out.startswith("-: ") and "[strength, " in out


@pytest.fixture(scope="module")
def demo_state(tmp_path_factory):
    """The demo mailbox synced into a data directory, with a config to reach it again."""
    tmp = tmp_path_factory.mktemp("demo")
    assert main(["--data-dir", str(tmp), "demo", "--json"], {}) == 0
    mailbox = resources.files("watcher") / "demo" / "mailbox"
    config = tmp / "demo.toml"
    config.write_text(
        f'[[accounts]]\nname = "demo"\nmaildir = "{mailbox}"\n'
        'addresses = ["alex.morgan@mail.example"]\n'
    )
    config.chmod(0o600)
    return ["--config", str(config), "--data-dir", str(tmp)], tmp


def test_journal_from_the_demo_mailbox(capsys, demo_state):
    argv, _ = demo_state
    capsys.readouterr()
    assert main([*argv, "journal", "--json", "--now", DEMO_NOW], {}) == 0
    data = json.loads(capsys.readouterr().out)
    companies = set(data["companies"])
    assert {"acme-analytics.example", "contoso-retail.example"} <= companies
    assert "lumen-conseil.example" in companies
    themes = {t["theme"]: t for t in data["themes"]}
    assert themes, "the demo's feedback says something"
    # every quote is a handle and a text from a feedback or rejection reply
    quotes = [p for t in data["themes"] for p in t["strengths"] + t["improvements"]]
    assert all(p["handle"].startswith("p") for p in quotes)
    assert any("SQL" in p["text"] for p in quotes)
    assert data["summary"] and "companies" in data["summary"][0]
    # --since keeps only what came since; the text form names themes and handles
    assert main([*argv, "journal", "--since", "2025-04-01", "--now", DEMO_NOW], {}) == 0
    text = capsys.readouterr().out
    assert "since 01 Apr 2025" in text and "Acme" not in text
    assert main([*argv, "journal", "--html", "--now", DEMO_NOW], {}) == 0
    assert "<svg" in capsys.readouterr().out
    assert main([*argv, "journal", "--since", "yesterday"], {}) == 2


def test_the_journal_reads_each_reply_once(demo_state, monkeypatch):
    argv, tmp = demo_state
    from watcher.storage import Store

    store = Store.open(tmp)
    scans = store.point_scans()
    store.close()
    assert scans, "the demo read its replies for points"

    def no_model(*args, **kwargs):
        raise AssertionError("the journal loaded the points model again")

    monkeypatch.setattr("watcher.classify.pointmodel.PointExtractor.__init__", no_model)
    assert main([*argv, "journal", "--now", DEMO_NOW], {}) == 0


def test_a_point_is_corrected_by_its_handle(capsys, demo_state):
    argv, tmp = demo_state
    from watcher.storage import Store

    store = Store.open(tmp)
    point = store.points()[0]
    store.close()
    capsys.readouterr()
    args = [*argv, "label", point.handle, "--kind", "improvement", "--theme", "communication"]
    assert main(args, {}) == 0
    assert f"{point.handle}: recorded as improvement, communication" in capsys.readouterr().out
    assert main([*argv, "journal", "--json", "--now", DEMO_NOW], {}) == 0
    data = json.loads(capsys.readouterr().out)
    fixed = [
        p
        for t in data["themes"]
        for p in t["improvements"]
        if p["handle"] == point.handle and t["theme"] == "communication"
    ]
    assert fixed and fixed[0]["corrected"] is True
    # not a point at all: it leaves the journal
    assert main([*argv, "label", point.handle, "--kind", "none"], {}) == 0
    assert main([*argv, "journal", "--json", "--now", DEMO_NOW], {}) == 0
    assert f'"{point.handle}"' not in capsys.readouterr().out
    # mistakes are one line and exit code 2; reply labels still work as before
    assert main([*argv, "label", point.handle, "--kind", "great"], {}) == 2
    assert main([*argv, "label", point.handle, "--theme", "vibes"], {}) == 2
    assert main([*argv, "label", point.handle], {}) == 2
    assert main([*argv, "label", "p999999", "--kind", "strength"], {}) == 2
    assert main([*argv, "label", "<r3@globex-corp.example>", "rejection"], {}) == 0
    assert main([*argv, "label", "<r3@globex-corp.example>", "rejection", "--kind", "x"], {}) == 2


def test_the_digest_points_at_the_journal_when_feedback_adds_points(capsys, demo_state):
    argv, _ = demo_state
    capsys.readouterr()
    assert main([*argv, "digest", "--now", DEMO_NOW], {}) == 0
    out = capsys.readouterr().out
    assert "new points from" in out and "see feedback-watcher journal" in out


@pytest.mark.slow
def test_train_learns_from_point_corrections(capsys, tmp_path, monkeypatch):
    data = ["--data-dir", str(tmp_path)]
    assert main([*data, "demo", "--json"], {}) == 0
    # The personal model is fitted on two writers' files of the corpus, not all sixteen: the
    # test is about the correction reaching it, and the whole corpus takes over a minute.
    from watcher.classify import pointmodel

    every_file = pointmodel.corpus_paths()
    monkeypatch.setattr(pointmodel, "corpus_paths", lambda: every_file[:2])
    mailbox = resources.files("watcher") / "demo" / "mailbox"
    config = tmp_path / "demo.toml"
    config.write_text(
        f'[[accounts]]\nname = "demo"\nmaildir = "{mailbox}"\n'
        'addresses = ["alex.morgan@mail.example"]\n'
    )
    config.chmod(0o600)
    argv = ["--config", str(config), *data]
    from watcher.storage import Store

    store = Store.open(tmp_path)
    point = store.points()[0]
    store.close()
    wanted = "comparison" if point.kind != "comparison" else "strength"
    assert main([*argv, "label", point.handle, "--kind", wanted, "--theme", "other"], {}) == 0
    capsys.readouterr()
    assert main([*argv, "train"], {}) == 0
    assert "personal points model trained with 1 point corrections" in capsys.readouterr().out
    assert (Path(tmp_path) / "models" / "points-personal.joblib").exists()
    store = Store.open(tmp_path)
    assert store.point_scans() == {}  # every reply is read again by the new model
    store.close()
    assert main([*argv, "journal", "--json", "--now", DEMO_NOW], {}) == 0
    data_ = json.loads(capsys.readouterr().out)
    handles = {p["handle"] for t in data_["themes"] for p in t["strengths"] + t["improvements"]}
    handles |= {p["handle"] for p in data_["comparisons"]}
    assert point.handle in handles  # a corrected point keeps its handle
