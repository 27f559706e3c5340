"""Short handles: what the digest prints is what track, ignore, label and draft accept."""

from __future__ import annotations

import json
import re

from demostate import DEMO_NOW, DemoState

from watcher.cli import main

NOW = ["--now", DEMO_NOW]


def _digest(demo, capsys, *fmt):
    capsys.readouterr()
    assert main(demo.cli("digest", *NOW, *fmt), {}) == 0
    return capsys.readouterr().out


def test_every_thread_and_reply_shown_has_a_handle_the_commands_take(tmp_path, capsys):
    demo = DemoState(tmp_path)
    text = _digest(demo, capsys)
    ops = demo.ref("<a2@mail.example>")
    # The thread line carries the request's handle; its draft command uses it, with no '#'
    # (a shell would take the rest of the line for a comment).
    assert f"  * [{ops}] Operations Analyst - final round (" in text
    assert f"    draft: feedback-watcher draft {ops}\n" in text
    assert "'<a2@mail.example>'" not in text and "#" not in text
    priya = demo.ref("<r1@acme-analytics.example>")
    # Feedback is marked NEW in the first digest that shows it.
    assert re.search(rf"    > (NEW )?\[{priya}\] priya\.shah@acme-analytics\.example: ", text)

    data = json.loads(_digest(demo, capsys, "--json"))
    by_id = {t["request_message_id"]: t for t in data["threads"]}
    assert by_id["<a2@mail.example>"]["handle"] == ops
    reply = by_id["<a1@mail.example>"]["replies"][0]
    assert reply["handle"] == priya and reply["message_id"] == "<r1@acme-analytics.example>"
    # Unsure sent mail (the demo's note asking a friend to look at a CV may be one) has handles
    # that are not threads.
    assert all(u["handle"] not in {t["handle"] for t in data["threads"]} for u in data["unsure"])

    # draft by the handle printed, and by "#9" or the Message-ID as before
    for name in (str(ops), f"#{ops}", "<a2@mail.example>", "a2@mail.example"):
        assert main(demo.cli("draft", name, *NOW), {}) == 0
        assert capsys.readouterr().out.startswith("To: Tom Becker <tom.becker@")

    # label a reply by its handle; the digest shows the correction
    assert main(demo.cli("label", str(priya), "rejection"), {}) == 0
    assert capsys.readouterr().out.startswith(f"[{priya}] <r1@acme-analytics.example>: recorded")
    data = json.loads(_digest(demo, capsys, "--json"))
    replies = {r["handle"]: r for t in data["threads"] for r in t["replies"]}
    assert replies[priya]["label"] == "rejection"
    assert main(demo.cli("label", "<r1@acme-analytics.example>", "feedback"), {}) == 0

    # ignore and track a thread by its handle
    assert main(demo.cli("ignore", str(ops)), {}) == 0
    assert "tracked" not in capsys.readouterr().out
    data = json.loads(_digest(demo, capsys, "--json"))
    assert ops not in {t["handle"] for t in data["threads"]}
    assert main(demo.cli("track", str(ops)), {}) == 0
    data = json.loads(_digest(demo, capsys, "--json"))
    assert ops in {t["handle"] for t in data["threads"]}


def test_a_handle_of_the_wrong_kind_or_none_is_one_line_and_exit_2(tmp_path, capsys):
    demo = DemoState(tmp_path)
    request, reply = demo.ref("<a3@mail.example>"), demo.ref("<r3@globex-corp.example>")
    capsys.readouterr()
    assert main(demo.cli("track", str(reply)), {}) == 2
    assert "is a reply you received" in capsys.readouterr().err
    assert main(demo.cli("label", str(request), "feedback"), {}) == 2
    assert "is a message you sent" in capsys.readouterr().err
    assert main(demo.cli("draft", str(reply), *NOW), {}) == 2
    assert "is a reply you received; draft takes a request's handle" in capsys.readouterr().err
    assert main(demo.cli("ignore", "999"), {}) == 2
    err = capsys.readouterr().err
    assert "no synced message 999" in err and len(err.strip().splitlines()) == 1
    store = demo.store()
    try:
        assert store.corrections() == {} and store.request_marks()[request].source == "model"
    finally:
        store.close()


def test_markdown_and_html_digests_show_the_handles(tmp_path, capsys):
    demo = DemoState(tmp_path)
    ops = demo.ref("<a2@mail.example>")
    markdown = _digest(demo, capsys, "--markdown")
    assert f"- [{ops}] Operations Analyst - final round" in markdown
    assert f"draft: feedback-watcher draft {ops}" in markdown
    page = _digest(demo, capsys, "--html")
    assert f"<strong>[{ops}] Operations Analyst - final round</strong>" in page
    assert f"<code>feedback-watcher draft {ops}</code>" in page
    priya = demo.ref("<r1@acme-analytics.example>")
    assert re.search(rf"\[{priya}\] priya\.shah@acme-analytics\.example:</span>", page)
