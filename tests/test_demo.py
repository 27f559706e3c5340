"""The README's first quick-start command: the demo on the bundled mailbox."""

from __future__ import annotations

import json
import re

import pytest

from watcher.cli import main


def test_demo_prints_a_digest_with_threads_in_every_state(capsys, tmp_path):
    assert main(["--data-dir", str(tmp_path), "demo", "--json"], {}) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {t["request_message_id"]: t for t in data["threads"]}
    assert by_id["<a1@mail.example>"]["status"] == "feedback"
    assert by_id["<a2@mail.example>"]["due"] == "second_ask"
    assert by_id["<a4@mail.example>"]["due"] == "third_ask"
    assert by_id["<a4@mail.example>"]["asks"] == 2
    assert by_id["<a5@mail.example>"]["gone_quiet"] is True
    assert by_id["<a6@mail.example>"]["due"] is None  # out of office until 22 April
    assert by_id["<a7@mail.example>"]["undeliverable"] is True
    assert by_id["<a3@mail.example>"]["status"] == "rejection"
    assert by_id["<a8@mail.example>"]["status"] == "feedback"  # French, HTML-only, unthreaded
    # Three more answers with specific points, for the journal.
    assert by_id["<a9@mail.example>"]["status"] == "feedback"
    assert by_id["<a10@mail.example>"]["status"] in ("feedback", "rejection")  # both, really
    assert by_id["<a11@mail.example>"]["status"] == "feedback"
    assert {p["company"] for p in data["new_points"]} >= {
        "acme-analytics.example",
        "contoso-retail.example",
        "vandelay-imports.example",
    }
    assert "<s1@mail.example>" not in by_id and "<s2@mail.example>" not in by_id


def test_demo_text_output(capsys, tmp_path):
    assert main(["--data-dir", str(tmp_path), "demo"], {}) == 0
    out = capsys.readouterr().out
    assert "Due for a second ask" in out and "Feedback received" in out
    # then the journal of the same mailbox
    assert "see feedback-watcher journal" in out
    journal = out.split("Feedback journal, Monday 14 April 2025", 1)[1]
    assert "companies named" in journal and "(Acme Analytics, 05 Mar 2025; p" in journal


def test_demo_counts_threads_and_its_draft_commands_work(capsys, tmp_path):
    assert main(["--data-dir", str(tmp_path), "demo"], {}) == 0
    out, err = capsys.readouterr()
    assert "11 feedback requests found (14 asks in all)" in err and "1 messages" not in err
    handle = re.search(r"draft: feedback-watcher demo --draft (\d+)\n", out)
    assert handle, out
    # The command the digest suggests works as it is printed, and so does the Message-ID.
    assert main(["--data-dir", str(tmp_path), "demo", "--draft", handle.group(1)], {}) == 0
    assert capsys.readouterr().out.startswith("To: Tom Becker <")
    assert main(["--data-dir", str(tmp_path), "demo", "--draft", "<a2@mail.example>"], {}) == 0
    out = capsys.readouterr().out
    assert out.startswith("To: Tom Becker <tom.becker@northwind-logistics.example>")
    assert "Dear Tom,\n\nI hope you're well" in out and out.rstrip().endswith("Alex Morgan")


@pytest.mark.parametrize(
    "request_id,why",
    [
        ("<a7@mail.example>", "bounced (undeliverable)"),
        ("<a1@mail.example>", "sent feedback on Wed 05 Mar 2025; a thank-you instead"),
    ],
)
def test_demo_draft_refuses_an_ask_that_does_not_fit_in_one_line(capsys, tmp_path, request_id, why):
    assert main(["--data-dir", str(tmp_path), "demo", "--draft", request_id], {}) == 2
    out, err = capsys.readouterr()
    assert out == "" and why in err and err.count("\n") == 1


def test_demo_thank_you_in_french_for_the_french_thread(capsys, tmp_path):
    argv = ["--data-dir", str(tmp_path), "demo", "--draft", "<a8@mail.example>", "--thank-you"]
    assert main(argv, {}) == 0
    out = capsys.readouterr().out
    assert "Bonjour Claire,\n\nMerci beaucoup" in out and "Bien cordialement,\nAlex Morgan" in out
