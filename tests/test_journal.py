"""The feedback journal: grouping, the summary from counts, the renderers, and the HTML chart
as a real browser draws it (headless Chromium, skipped when it is not installed)."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from watcher.journal import (
    IMPROVEMENT_COLOUR,
    STRENGTH_COLOUR,
    Journal,
    JournalPoint,
    company_name,
    render,
    render_html,
    summary_sentences,
)

NOW = datetime(2025, 4, 14, 8, 0, tzinfo=timezone.utc)


def _p(n: int, kind: str, theme: str, company: str, days_ago: int, text: str = "") -> JournalPoint:
    return JournalPoint(
        f"p{n}",
        kind,
        theme,
        text or f"point {n} about {theme}",
        0.9,
        company,
        NOW - timedelta(days=days_ago),
    )


def _journal() -> Journal:
    points = (
        _p(1, "improvement", "communication", "acme.example", 40, "Your recommendation was vague."),
        _p(2, "improvement", "communication", "globex.example", 20),
        _p(3, "improvement", "communication", "initech.example", 5),
        _p(4, "strength", "technical", "acme.example", 40),
        _p(5, "strength", "technical", "initech.example", 5),
        _p(6, "improvement", "experience", "initech.example", 5),
        _p(7, "comparison", "other", "globex.example", 20, "You were our second choice."),
    )
    companies = ("acme.example", "globex.example", "hooli.example", "initech.example", "x.example")
    return Journal(NOW, points, companies)


def test_themes_count_companies_and_list_quotes_newest_first():
    themes = _journal().themes()
    assert [e.theme for e in themes] == ["communication", "technical", "experience"]
    comm = themes[0]
    assert comm.companies == 3 and comm.companies_of("improvement") == 3
    assert [p.handle for p in comm.improvements] == ["p3", "p2", "p1"]
    assert [p.handle for p in _journal().comparisons()] == ["p7"]


def test_summary_is_plain_words_from_counts():
    assert summary_sentences(_journal()) == [
        "Three of five companies named communication as something to work on; "
        "two praised your technical skills.",
        "One told you how you compared with the other candidates.",
    ]
    empty = Journal(NOW, (), ("acme.example",))
    assert "no specific points" in summary_sentences(empty)[0]
    assert summary_sentences(Journal(NOW, (), ())) == ["No feedback yet: nothing to gather."]


def test_company_names_from_domains():
    assert company_name("acme-analytics.example") == "Acme Analytics"
    assert company_name("mail.northwind.co.uk") == "Northwind"
    assert company_name("localhost") == "Localhost"


def test_text_markdown_and_json_renderings():
    j = _journal()
    text = render(j, "text")
    assert text.startswith("Feedback journal, Monday 14 April 2025\n\nThree of five companies")
    assert "Communication (3 companies):" in text and "To work on (3 companies):" in text
    assert '"Your recommendation was vague." (Acme, 05 Mar 2025; p1)' in text
    assert "Where you stood:" in text
    assert render(j, "markdown").startswith("# Feedback journal")
    data = json.loads(render(j, "json"))
    assert data["themes"][0]["theme"] == "communication"
    assert data["themes"][0]["improvements"][0]["handle"] == "p3"
    assert data["comparisons"][0]["text"] == "You were our second choice."


def test_html_is_strict_escaped_and_has_the_chart():
    hostile = _p(9, "strength", "materials", "evil.example", 1, '<script>alert(1)</script>"')
    page = render_html(Journal(NOW, (*_journal().points, hostile), ("evil.example",)))
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "default-src 'none'" in page
    assert page.count("<svg") == 1 and 'class="bar strength"' in page


# -- the chart in a real browser ---------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1:
                line[x] = (line[x] + a) & 0xFF
            elif f == 2:
                line[x] = (line[x] + b) & 0xFF
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r) for r in rows]


def _count(rows: list[bytes], width: int, colour: str) -> int:
    want = bytes.fromhex(colour.lstrip("#"))
    channels = len(rows[0]) // width
    return sum(1 for row in rows for x in range(0, len(row), channels) if row[x : x + 3] == want)


def test_the_chart_renders_in_headless_chromium_at_800px(tmp_path: Path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    page = tmp_path / "journal.html"
    page.write_text(render_html(_journal()))
    shot = tmp_path / "journal.png"
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    subprocess.run(
        [*common, "--window-size=800,900", f"--screenshot={shot}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, height, rows = _png_pixels(shot.read_bytes())
    assert width == 800
    # The bars are drawn: communication (3 to work on) and technical (2 strengths) at least.
    # A bar is 12 px high and about (640 - 240) / 3 px wide per point.
    assert _count(rows, width, IMPROVEMENT_COLOUR) > 12 * 300
    assert _count(rows, width, STRENGTH_COLOUR) > 12 * 200
    # And the browser's own DOM has the SVG with its bars, no script.
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "<svg" in dom and "<script" not in dom
    assert dom.count('class="bar improvement"') == 3
