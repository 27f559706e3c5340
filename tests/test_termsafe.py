"""Terminal injection: control and bidi characters from mail or a server never reach a terminal,
a log or a digest file as themselves; JSON keeps the exact text; HTML stays escaped."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from datetime import timedelta
from pathlib import Path

from test_followups import ME, OWN, T0, msg

from watcher.cli import main
from watcher.config import FollowupPolicy
from watcher.conversations import build_threads
from watcher.delivery import write_files
from watcher.digest import AccountHealth, Digest, render
from watcher.followups import assess
from watcher.logs import SafeFormatter
from watcher.storage import Store
from watcher.termsafe import visible

NOW = T0 + timedelta(days=8)

# What a hostile sender or server can put in a subject, a reply or a folder name.
ATTACKS = {
    "ansi colour": "\x1b[31mred\x1b[0m",
    "clear screen": "\x1b[2J\x1b[H",
    "cursor up": "\x1b[1A\x1b[2K",
    "window title": "\x1b]0;pwned\x07",
    "osc 8 link": "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "c1 csi": "\x9b31m",
    "carriage return": "safe\roverwritten",
    "bell": "\x07",
    "rtl override": "\u202egnp.exe",
    "isolates": "\u2066a\u2067b\u2068c\u2069",
    "embeddings": "\u202a\u202b\u202c\u202d",
    "line separator": "a\u2028b",
}
UNSAFE = set("\x1b\x07\x9b\r\u2028") | {chr(c) for c in range(0x202A, 0x202F)}
UNSAFE |= {chr(c) for c in range(0x2066, 0x206A)}


def _clean(text: str) -> bool:
    return not (set(text) & UNSAFE)


def test_visible_escapes_controls_and_bidi_and_keeps_ordinary_text():
    for name, attack in ATTACKS.items():
        out = visible(attack)
        assert _clean(out), name
        assert "\n" not in out
    assert visible("\x1b[31m") == "\\x1b[31m"
    assert visible("\u202eabc") == "\\u202eabc"
    assert visible("a\nb\tc", "\n\t") == "a\nb\tc"
    assert visible("a\nb") == "a\\x0ab"
    plain = "Grüße, Dana 😀 — naïve café\u00a0Zoë\u200d👩‍💻"
    assert visible(plain) == plain


def _digest(evil: str) -> Digest:
    ask = msg("<a>", ME, "boss@acme.example", T0, f"Feedback {evil}")
    quiet = msg("<q>", ME, "lee@globex.example", T0, f"Globex {evil}")
    reply = msg("<r>", "boss@acme.example", ME, T0 + timedelta(days=1), irt="<a>")
    threads = build_threads([ask, quiet], {"<a>", "<q>"}, [reply], OWN)
    labels = {"<r>": ("feedback", 0.93, False)}
    states = tuple(
        assess(t, labels, {"<r>": f"Your SQL {evil} was strong"}, FollowupPolicy(), NOW, 0.6)
        for t in threads
    )
    return Digest(NOW, states, (AccountHealth("personal", None, f"server said {evil}"),))


def test_text_and_markdown_digests_and_their_files_show_no_control_character(tmp_path):
    for name, attack in ATTACKS.items():
        d = _digest(attack)
        for fmt in ("text", "markdown"):
            out = render(d, fmt)
            assert _clean(out), (name, fmt)
            assert "Feedback" in out and "was strong" in out
        written = write_files(d, tmp_path)
        md = next(p for p in written if p.suffix == ".md")
        assert _clean(md.read_text()), name


def test_json_keeps_the_exact_text_and_html_stays_escaped():
    attack = ATTACKS["osc 8 link"] + ATTACKS["rtl override"]
    d = _digest(attack)
    data = json.loads(render(d, "json"))
    subjects = {t["subject"] for t in data["threads"]}
    assert f"Feedback {attack}" in subjects
    page = render(_digest("<b>bold</b>"), "html")
    assert "<b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_log_lines_escape_controls_and_cannot_forge_a_line():
    fmt = SafeFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord(
        "watcher",
        logging.WARNING,
        __file__,
        1,
        "folder %s refused",
        ("X\x1b[2J\nERROR fake",),
        None,
    )
    line = fmt.format(record)
    assert "\n" not in line and "\x1b" not in line
    assert "\\x1b[2J\\x0aERROR fake" in line


def test_status_shows_server_folder_names_escaped(tmp_path):
    maildir = tmp_path / "mail"
    (maildir / "cur").mkdir(parents=True)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[accounts]]\nname = "local"\nmaildir = "{maildir}"\naddresses = ["me@example.com"]\n'
    )
    config.chmod(0o600)
    data = tmp_path / "data"
    store = Store.open(data)
    evil = "Jobs\x1b]0;owned\x07\u202e"
    store.reset_folder("local", evil, "other", 7)
    store.folder_refused("local", "Other\x1b[2J", "other", "NO [\x1b[31m] nope")
    store.close()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--config", str(config), "--data-dir", str(data), "status"], {})
    assert code == 0, err.getvalue()
    assert _clean(out.getvalue()) and "Jobs\\x1b]0;owned\\x07\\u202e" in out.getvalue()
    assert "\\x1b[2J" in out.getvalue()


def test_an_error_line_from_a_server_is_escaped(tmp_path):
    config = Path(tmp_path / "config.toml")
    config.write_text('[[accounts]]\nname = "\\u001b[2J"\n')  # host is missing
    config.chmod(0o600)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--config", str(config), "--data-dir", str(tmp_path / "d"), "status"], {})
    assert code == 2
    assert "\x1b" not in err.getvalue() and "\\x1b[2J" in err.getvalue()
