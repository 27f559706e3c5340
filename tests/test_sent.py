"""`feedback-watcher sent`: recent sent mail with handles and the detector's verdict."""

from __future__ import annotations

import json
import re

from demostate import DEMO_NOW, DemoState

from watcher.cli import main

NOW = ["--now", DEMO_NOW]


def test_sent_lists_the_last_30_days_newest_first_with_each_verdict(tmp_path, capsys):
    demo = DemoState(tmp_path)
    cv = demo.mark_unsure("<s2@mail.example>")
    ops, wonka = demo.ref("<a2@mail.example>"), demo.ref("<s1@mail.example>")
    assert main(demo.cli("ignore", str(ops)), {}) == 0
    capsys.readouterr()
    assert main(demo.cli("sent", *NOW), {}) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"Sent since 15 Mar 2025 \(\d+\), newest first:", lines[0])
    rows = {line.split("]")[0].strip(" ["): line for line in lines[1:-1]}
    assert list(rows) == sorted(rows, key=int, reverse=True)  # newest first
    assert rows[str(wonka)].endswith("  not a request")
    assert "recruiting@wonka-careers" in rows[str(wonka)] and "11 Apr 2025" in rows[str(wonka)]
    assert rows[str(cv)].endswith("could you look at my CV?                unsure")
    assert rows[str(ops)].endswith("  your mark: not a request")
    assert rows[str(demo.ref("<a6@mail.example>"))].endswith("  request")
    assert str(demo.ref("<a1@mail.example>")) not in rows  # 3 March: before the window
    assert "feedback-watcher track HANDLE" in lines[-1]


def test_sent_since_and_json(tmp_path, capsys):
    demo = DemoState(tmp_path)
    cv = demo.mark_unsure("<s2@mail.example>", 0.38)
    capsys.readouterr()
    assert main(demo.cli("sent", "--since", "2025-03-03", "--json", *NOW), {}) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {m["message_id"]: m for m in data["sent"]}
    assert "<a1@mail.example>" in by_id and "<a5@mail.example>" not in by_id
    assert [m["date"] for m in data["sent"]] == sorted(
        (m["date"] for m in data["sent"]), reverse=True
    )
    unsure = by_id["<s2@mail.example>"]
    assert unsure == {
        "handle": cv,
        "message_id": "<s2@mail.example>",
        "date": "2025-04-02T21:10:00+01:00",
        "to": ["jamie.k@gmail.com"],
        "subject": "could you look at my CV?",
        "verdict": "unsure",
        "decided_by": "model-unsure",
        "confidence": 0.38,
    }
    assert by_id["<a1@mail.example>"]["verdict"] == "request"
    assert by_id["<s1@mail.example>"]["verdict"] == "not_a_request"


def test_sent_with_nothing_in_the_window_and_a_bad_date(tmp_path, capsys):
    demo = DemoState(tmp_path)
    capsys.readouterr()
    assert main(demo.cli("sent", "--now", "2026-01-01T09:00:00+00:00"), {}) == 0
    assert capsys.readouterr().out.startswith("No sent messages stored since 02 Dec 2025")
    assert main(demo.cli("sent", "--since", "last week"), {}) == 2
    assert "--since must be a date" in capsys.readouterr().err
