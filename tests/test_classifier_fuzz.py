"""Bad input never escapes: the classifier path, config files and command-line arguments.

1. Random and mutated messages go through ``parse_message``, ``reply_sample``/``sent_sample``
   and both models: no exception, a label from the set, a confidence in [0, 1] that is the
   largest of the three probabilities, and the same verdict alone or in a batch.
2. Random TOML-ish text, and valid configs with one wrong setting, through ``watcher.cli.main``:
   a usable config, or exit 2 with exactly one line on stderr naming the key.
3. Bad arguments through ``main``: exit 2 and one line, never a traceback.

Budgets are fixed (``max_examples`` below, no deadline); the examples run are counted and
printed (``pytest -s tests/test_classifier_fuzz.py``).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import math
import os
import quopri
import random
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from watcher.classify.classifier import ReplyClassifier, RequestDetector
from watcher.classify.features import Sample, reply_sample, sent_sample
from watcher.cli import COMMANDS, main
from watcher.config import load_config
from watcher.errors import ConfigError
from watcher.labels import Label, RequestVerdict
from watcher.mail.messages import parse_message
from watcher.providers import BY_KEY

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"
SEEDS = sorted(
    [
        *DATA.glob("ugly/*.eml"),
        *DATA.glob("replies/*.eml"),
        *Path(__file__).parent.glob("scenarios/*/**/*.eml"),
    ]
)

MESSAGES = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CONFIGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EXAMPLES: Counter[str] = Counter()
ESCAPES: Counter[str] = Counter()  # stays empty: every escape fails its test first


@pytest.fixture(scope="module", autouse=True)
def report_budget():
    yield
    print(f"\nfuzz examples run: {dict(EXAMPLES)}; escapes: {sum(ESCAPES.values())}")


@pytest.fixture(scope="module")
def models():
    return ReplyClassifier(None), RequestDetector(None)


# -- 1. the classifier path ------------------------------------------------------------------------

PHRASES = [
    "Thanks for reaching out.",
    "Unfortunately we decided to move forward with another candidate.",
    "Your system design answer lacked depth.",
    "I am out of the office until Monday 14 April.",
    "Leider haben wir uns für jemand anderen entschieden.",
    "Malheureusement, nous ne donnons pas suite.",
    "Gracias por tu interés.",
    "Helaas",
    "Obrigado!",
    "feedback",
    "rejection",
    "no_response",
    "How do I stack up against the other candidates?",
    "Kind regards,\nDana",
    "-- \nDana Smith | Acme",
    "On Mon, 3 Mar 2025 at 09:00, Sam <sam@x.example> wrote:",
    "> Thanks again for the interview.",
    ">> nested quote",
    "-----Original Message-----",
    "From: Sam\nSent: Monday\nTo: Dana\nSubject: Re: x",
    "________________________________",
    "<script>alert(1)</script>",
    "<img src=http://track.example/p.gif>",
    "&nbsp;&amp;&#0;&#x110000;",
    "=?utf-8?b?w6k=?=",
    "\u202eevil\u202c",
    "\u200b\u200b",
    "\ufeff",
    "\x00",
    "\x1b[2J",
    "😀🙏",
    "ﷺ",
    "𝔉𝔢𝔢𝔡𝔟𝔞𝔠𝔨",
    "a" * 300,
    "\t\t",
    "\r",
    "?",
]
CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "utf-16", "koi8-r", "bogus", ""]

words = st.one_of(st.sampled_from(PHRASES), st.text(max_size=30))
text = st.lists(
    st.tuples(words, st.sampled_from([" ", "\n", "\n\n", "\n> ", "<br>", ""])), max_size=40
).map(lambda parts: "".join(w + sep for w, sep in parts))


def _body(payload: str, charset: str, cte: str) -> bytes:
    try:
        raw = payload.encode(charset or "ascii", "replace")
    except LookupError:
        raw = payload.encode("utf-8", "surrogatepass")
    if cte == "base64":
        return base64.encodebytes(raw)
    if cte == "quoted-printable":
        return quopri.encodestring(raw)
    return raw


subjects = st.one_of(
    st.sampled_from(["Re: Feedback", "Out of office", "Undeliverable: x", "AW: Ihr Feedback", ""]),
    st.text(max_size=60),
)


@st.composite
def reply_messages(draw) -> bytes:
    """A reply-like message: headers that matter to the models, plain or HTML or both."""
    headers = [
        f"From: {draw(st.sampled_from(['Dana <dana@acme.example>', '', 'MAILER-DAEMON', '<>']))}",
        "To: sam@jobs.example",
        f"Subject: {draw(subjects).replace(chr(10), ' ')}",
        f"Date: {draw(st.sampled_from(['Mon, 3 Mar 2025 09:00:00 +0000', 'yesterday', '']))}",
        f"Message-ID: <{draw(st.integers(0, 10**6))}@acme.example>",
    ]
    for name, values in (
        ("Auto-Submitted", ["auto-replied", "auto-generated", "no"]),
        ("Precedence", ["bulk", "list", "junk", "auto-reply"]),
        ("X-Autoreply", ["yes"]),
        ("List-Id", ["<jobs.list.example>"]),
        ("In-Reply-To", ["<req1@jobs.example>", "garbage"]),
    ):
        if draw(st.booleans()):
            headers.append(f"{name}: {draw(st.sampled_from(values))}")
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(["8bit", "base64", "quoted-printable", "7bit"]))
    plain, html = draw(text), draw(text)
    kind = draw(st.sampled_from(["plain", "html", "alternative"]))
    part = f"; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n"
    if kind == "plain":
        head = "Content-Type: text/plain" + part
        body = _body(plain, charset, cte)
    elif kind == "html":
        head = "Content-Type: text/html" + part
        body = _body(f"<html><body><div>{html}</div><blockquote>{plain}</blockquote>", charset, cte)
    else:
        head = 'Content-Type: multipart/alternative; boundary="b1"\n\n'
        body = (
            b"--b1\nContent-Type: text/plain"
            + part.encode()
            + _body(plain, charset, cte)
            + b"\n--b1\nContent-Type: text/html"
            + part.encode()
            + _body(f"<p>{html}</p>", charset, cte)
            + b"\n--b1--\n"
        )
    raw = ("\n".join(headers) + "\nMIME-Version: 1.0\n" + head).encode("utf-8", "surrogatepass")
    return raw + body


@st.composite
def mutated_seeds(draw) -> bytes:
    """A real message (ugly, reply, scenario) with bytes flipped, cut, repeated or spliced."""
    raw = bytearray(draw(st.sampled_from(SEEDS)).read_bytes())
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(1, 8))):
        op = rng.choice(["flip", "cut", "repeat", "insert", "truncate"])
        at = rng.randrange(len(raw) + 1)
        if op == "flip" and raw:
            raw[min(at, len(raw) - 1)] = rng.randrange(256)
        elif op == "cut":
            del raw[at : at + rng.randrange(1, 200)]
        elif op == "repeat":
            raw[at:at] = raw[at : at + rng.randrange(1, 300)] * rng.randrange(2, 20)
        elif op == "insert":
            raw[at:at] = rng.choice(
                [
                    b"\n\n",
                    b"\r\n",
                    b"--",
                    b"=?utf-8?q?",
                    b"<",
                    b">",
                    b"\x00",
                    b"\xff\xfe",
                    b"Content-Type: text/html\n",
                    b"=\n",
                    b"boundary=",
                    "é".encode("latin-1"),
                ]
            )
        else:
            del raw[at:]
    return bytes(raw)


def _check_verdicts(models, raws: list[bytes]) -> None:
    replies, requests = models
    messages = [parse_message(raw) for raw in raws]
    for m in messages:
        for sample in (reply_sample(m), sent_sample(m)):
            assert isinstance(sample, Sample)
            values = [getattr(sample, f.name) for f in dataclasses.fields(sample)]
            texts = [v for v in values if isinstance(v, str)]
            assert len(texts) == 4 and all(v is None or not isinstance(v, str) for v in values[4:])
            "".join(texts).encode("utf-8")  # no lone surrogates for the vectorizer to choke on
    verdicts = replies.classify(messages)
    assert len(verdicts) == len(messages)
    for v in verdicts:
        assert v.label in Label.names()
        assert math.isfinite(v.confidence) and 1 / len(Label.names()) - 1e-9 <= v.confidence <= 1
    decisions = requests(messages)
    assert [d[0] for d in decisions] == [m.message_id for m in messages]
    for _, verdict, confidence in decisions:
        assert isinstance(verdict, RequestVerdict)
        assert confidence is not None and 0 <= confidence <= 1


@MESSAGES
@given(raw=reply_messages())
def test_generated_replies_get_a_label_and_a_confidence(models, raw):
    EXAMPLES["generated replies"] += 1
    _check_verdicts(models, [raw])


@MESSAGES
@given(raw=mutated_seeds())
def test_mutated_real_mail_gets_a_label_and_a_confidence(models, raw):
    EXAMPLES["mutated .eml"] += 1
    _check_verdicts(models, [raw])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raws=st.lists(st.one_of(reply_messages(), mutated_seeds()), min_size=2, max_size=6))
def test_a_batch_gives_each_message_the_verdict_it_gets_alone(models, raws):
    EXAMPLES["batches"] += 1
    replies, _ = models
    messages = [parse_message(raw) for raw in raws]
    together = replies.classify(messages)
    alone = [replies.classify([m])[0] for m in messages]
    assert [v.label for v in together] == [v.label for v in alone]
    assert all(abs(a.confidence - b.confidence) < 1e-9 for a, b in zip(together, alone))


EXTREMES = {
    # 200 KB, not more: the request features scan one long line at about 2.5 s a megabyte.
    "200 KB on one line": b"Subject: x\n\n" + b"feedback " * 22_000,
    "20,000 quote lines": b"Subject: Re: x\n\nThanks!\n" + b"> quoted line\n" * 20_000,
    "5,000 nested divs": b"Content-Type: text/html\n\n"
    + b"<div>" * 5000
    + b"no"
    + b"</div>" * 5000,
    "only NULs": b"Subject: \x00\x00\n\n" + b"\x00" * 5000,
    "only whitespace": b"\n\n" + b" \t\n" * 3000,
    "empty": b"",
    "headers only": b"From: a@b.example\nSubject: Re: Feedback",
    "10,000 signature dashes": b"\n\nThanks\n" + b"-- \n" * 10_000,
}


@pytest.mark.parametrize("name", sorted(EXTREMES))
def test_extreme_messages_get_a_label(models, name):
    EXAMPLES["extremes"] += 1
    _check_verdicts(models, [EXTREMES[name]])


# -- 2. config files -------------------------------------------------------------------------------

TOML_BITS = [
    "[[accounts]]\n",
    "[accounts]\n",
    "[followup]\n",
    "[delivery]\n",
    "[[followup]]\n",
    'name = "a"\n',
    'host = "127.0.0.1"\n',
    'username = "u"\n',
    "port = 993\n",
    "port = -1\n",
    'tls = "none"\n',
    'tls = "tls"\n',
    'password = "hunter2"\n',
    'password_env = "X"\n',
    'password_command = "true"\n',
    "idle = 1\n",
    "addresses = []\n",
    'addresses = [""]\n',
    "lookback_days = 1e400\n",
    "poll_minutes = 0\n",
    'digest_time = "25:61"\n',
    'digest_time = "8"\n',
    "confidence_threshold = nan\n",
    "confidence_threshold = inf\n",
    "business_days = 99\n",
    "max_asks = true\n",
    'files = "yes"\n',
    "mailbox = {}\n",
    "accounts = 3\n",
    'accounts = ["x"]\n',
    "x = [[[[[[1]]]]]]\n",
    '"a\\nb" = 1\n',
    'ca_file = "/nonexistent\\u0000"\n',
    'maildir = "~"\n',
    "= 1\n",
    "a = \n",
    "[\n",
    "]]\n",
    '"""\n',
    "'''\n",
    "# comment\n",
    "\n",
    "=",
    "[",
    "]",
    '"',
    "{",
    "}",
    ",",
    ".",
    "\\",
]
toml_ish = st.lists(st.one_of(st.sampled_from(TOML_BITS), st.text(max_size=12)), max_size=25).map(
    "".join
)


def _run(argv: list[str], environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv, environ or {})
    return code, out.getvalue(), err.getvalue()


def _one_error_line(code: int, err: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("feedback-watcher: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    where = tmp_path_factory.mktemp("fuzzcli")
    for sub in ("args", "p1", "p2", "p3"):
        (where / sub).mkdir()
    _write_config(where / "args", "lookback_days = 30\n")
    return where


def _write_config(workdir: Path, content: str | bytes) -> Path:
    path = workdir / "config.toml"
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    os.chmod(path, 0o600)
    return path


@CONFIGS
@given(content=st.one_of(toml_ish, st.binary(max_size=200)))
def test_random_config_text_is_a_config_or_one_line_exit_2(workdir, content):
    EXAMPLES["config text"] += 1
    path = _write_config(workdir, content)
    try:
        load_config(path)
        valid = True
    except ConfigError:
        valid = False
    code, _, err = _run(["--config", str(path), "--data-dir", str(workdir / "data"), "status"])
    if valid:
        assert code == 0, err
    else:
        _one_error_line(code, err)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


VALID = {
    "top": {
        "lookback_days": 30,
        "poll_minutes": 10,
        "digest_time": "08:00",
        "confidence_threshold": 0.6,
    },
    "followup": {"business_days": 5, "max_asks": 3},
    "delivery": {"files": True, "notify": False, "mailbox": False},
    "account": {
        "name": "p",
        "host": "imap.example.com",
        "port": 993,
        "tls": "ssl",
        "username": "me@example.com",
        "password_env": "FW_PW",
        "addresses": ["me@example.com"],
        "include_folders": [],
        "exclude_folders": [],
        "idle": True,
    },
}
WRONG = {  # a value of the wrong kind or out of range, for every key of every table
    int: [True, "10", 1.5, [], {}, -5, 10**9],
    str: [1, True, [], {}, 1.5],
    float: ["0.5", True, [], -0.1, 1.1, float("nan"), float("inf")],
    bool: [1, "true", [], 0.0],
    list: ["me@example.com", 1, [1], [""], {}],
}
SPECIAL = {
    "digest_time": ["8", "25:00", "08:60", "8:00:00", "ab:cd", ""],
    "tls": ["tls", "SSL", ""],
    "name": [],
}


def _render(config: dict) -> str:
    lines = [f"{k} = {_toml_value(v)}" for k, v in config["top"].items()]
    for table in ("followup", "delivery"):
        lines.append(f"[{table}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in config[table].items()]
    lines.append("[[accounts]]")
    lines += [f"{k} = {_toml_value(v)}" for k, v in config["account"].items()]
    return "\n".join(lines) + "\n"


@st.composite
def one_wrong_setting(draw) -> tuple[str, str]:
    config = {t: dict(v) for t, v in VALID.items()}
    table = draw(st.sampled_from(sorted(config)))
    how = draw(st.sampled_from(["wrong", "unknown"]))
    if how == "unknown":
        key = draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
        assume(
            key not in config[table]
            and key
            not in (
                "accounts",
                "followup",
                "delivery",
                "maildir",
                "ca_file",
                "password",
                "password_command",
                "oauth2_token_command",
            )
        )
        config[table][key] = draw(st.sampled_from([1, "x", True, [], {}]))
    else:
        key = draw(st.sampled_from(sorted(config[table])))
        if key == "name":
            assume(False)  # any string is a name; the wrong kinds are covered by the others
        current = config[table][key]
        kind = type(current)
        choices = WRONG[kind] + SPECIAL.get(key, [])
        config[table][key] = draw(st.sampled_from(choices))
    return _render(config), key


@CONFIGS
@given(case=one_wrong_setting())
def test_one_wrong_setting_is_exit_2_naming_the_key(workdir, case):
    EXAMPLES["wrong setting"] += 1
    content, key = case
    path = _write_config(workdir, content)
    code, _, err = _run(["--config", str(path), "--data-dir", str(workdir / "data"), "status"])
    line = _one_error_line(code, err)
    assert key in line


# -- 3. command-line arguments ---------------------------------------------------------------------

junk = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


def _not_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return True
    return False


def _not_int(s: str) -> bool:
    try:
        int(s)
    except ValueError:
        return True
    return False


def _not_iso(s: str) -> bool:
    try:
        datetime.fromisoformat(s)
    except ValueError:
        return True
    return False


@st.composite
def bad_argv(draw) -> list[str]:
    kind = draw(
        st.sampled_from(
            [
                "command",
                "option",
                "missing",
                "choice",
                "type",
                "now",
                "exclusive",
                "label",
                "global",
            ]
        )
    )
    if kind == "command":
        cmd = draw(junk.filter(lambda s: s not in COMMANDS and not s.startswith("-")))
        return [cmd, *draw(st.lists(junk, max_size=3))]
    if kind == "option":
        cmd = draw(st.sampled_from(["status", "digest", "sync", "run", "eval", "train"]))
        return [cmd, "--zz" + draw(junk)]
    if kind == "missing":
        return draw(
            st.sampled_from(
                [
                    ["label"],
                    ["label", "<m@x>"],
                    ["track"],
                    ["ignore"],
                    ["classify"],
                    ["draft"],
                    ["digest", "--now"],
                    ["eval", "--kind"],
                ]
            )
        )
    if kind == "choice":
        flag, cmd = draw(
            st.sampled_from([("--kind", "eval"), ("--tls", "setup"), ("--provider", "setup")])
        )
        valid = {"reply", "request", "ssl", "starttls", "none", *BY_KEY}
        value = draw(junk.filter(lambda s: s not in valid and not s.startswith("-")))
        return [cmd, flag, value]
    if kind == "type":
        flag, cmd, ok = draw(
            st.sampled_from([("--port", "setup", _not_int), ("--poll-seconds", "run", _not_float)])
        )
        return [cmd, flag, draw(junk.filter(lambda s: ok(s) and not s.startswith("-")))]
    if kind == "now":
        cmd = draw(st.sampled_from(["digest", "label"]))
        value = draw(junk.filter(lambda s: _not_iso(s) and not s.startswith("-")))
        return [cmd, "--now", value] + (["<m@x>", "feedback"] if cmd == "label" else [])
    if kind == "exclusive":
        a, b = draw(
            st.lists(
                st.sampled_from(["--json", "--markdown", "--html", "--deliver"]),
                min_size=2,
                max_size=2,
                unique=True,
            )
        )
        return ["digest", a, b]
    if kind == "label":
        value = draw(junk.filter(lambda s: s not in Label.names() and not s.startswith("-")))
        return ["label", "<m@x>", value]
    return [draw(st.sampled_from(["--config", "--data-dir", "--zz" + draw(junk)]))]


@CONFIGS
@given(argv=bad_argv())
def test_bad_arguments_are_exit_2_and_one_line(workdir, argv):
    EXAMPLES["bad arguments"] += 1
    config = workdir / "args" / "config.toml"
    code, _, err = _run(["--config", str(config), "--data-dir", str(workdir / "data"), *argv])
    _one_error_line(code, err)


def test_real_processes_print_exactly_one_line(workdir):
    """The same contract through a real process: logging and print both land on stderr."""
    cases = [
        ["--config", str(_write_config(workdir / "p1", b"\xff\xfe\x00bad")), "status"],
        ["--config", str(_write_config(workdir / "p2", '"a\\nb" = 1\n')), "status"],
        [
            "--config",
            str(_write_config(workdir / "p3", "x = " + "[" * 5000 + "]" * 5000)),
            "status",
        ],
        ["status", "--zz\nsecond line"],
        ["eval", "--kind", "\x1b[2Jboth"],
        ["digest", "--json", "--html"],
    ]
    for argv in cases:
        EXAMPLES["real processes"] += 1
        done = subprocess.run(
            [sys.executable, "-m", "watcher", "--data-dir", str(workdir / "data"), *argv],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HOME": str(workdir)},
        )
        line = _one_error_line(done.returncode, done.stderr)
        assert "\x1b" not in line
