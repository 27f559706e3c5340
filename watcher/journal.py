"""The feedback journal: what employers said about the candidate, gathered by theme (pure).

From the points of every feedback and rejection reply: a summary in plain words made from
counts, then each theme with how many companies raised it, strengths and improvements apart,
the quotes with company and date (newest first), and the comparisons ("where you stood").
Rendered as text, Markdown, HTML (with an inline SVG chart, no script, the digest's strict
content security policy) or JSON.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from watcher.classify.pointscore import THEMES

THEME_NAMES = {
    "technical": "technical skills",
    "problem_solving": "problem solving",
    "communication": "communication",
    "experience": "experience",
    "preparation": "preparation",
    "motivation_fit": "motivation and fit",
    "collaboration_leadership": "collaboration and leadership",
    "materials": "CV and materials",
    "other": "other matters",
}
KIND_TITLES = {
    "strength": "Strengths",
    "improvement": "To work on",
    "comparison": "Where you stood",
}


@dataclass(frozen=True)
class JournalPoint:
    """One point, with where it came from."""

    handle: str  # "p17"
    kind: str
    theme: str
    text: str
    confidence: float
    company: str  # the counterpart's company domain
    date: datetime  # when the reply came
    corrected: bool = False


@dataclass(frozen=True)
class ThemeEntry:
    theme: str
    strengths: tuple[JournalPoint, ...]
    improvements: tuple[JournalPoint, ...]

    @property
    def companies(self) -> int:
        return len({p.company for p in self.strengths + self.improvements})

    def companies_of(self, kind: str) -> int:
        pts = self.strengths if kind == "strength" else self.improvements
        return len({p.company for p in pts})


@dataclass(frozen=True)
class Journal:
    now: datetime
    points: tuple[JournalPoint, ...]
    companies: tuple[str, ...]  # every company that answered with feedback or a rejection
    since: date | None = None

    def themes(self) -> list[ThemeEntry]:
        """Themes raised, most companies first; quotes newest first."""
        out = []
        for theme in THEMES:
            pts = [p for p in self.points if p.theme == theme]
            entry = ThemeEntry(
                theme,
                _newest_first(p for p in pts if p.kind == "strength"),
                _newest_first(p for p in pts if p.kind == "improvement"),
            )
            if entry.strengths or entry.improvements:
                out.append(entry)
        out.sort(key=lambda e: (-e.companies, THEMES.index(e.theme)))
        return out

    def comparisons(self) -> tuple[JournalPoint, ...]:
        return _newest_first(p for p in self.points if p.kind == "comparison")

    def summary(self) -> list[str]:
        return summary_sentences(self)


def _newest_first(points: Iterable[JournalPoint]) -> tuple[JournalPoint, ...]:
    return tuple(sorted(points, key=lambda p: (p.date, int(p.handle[1:] or 0)), reverse=True))


def company_name(domain: str) -> str:
    """A company's name as its domain suggests it: "acme-analytics.example" -> "Acme Analytics"."""
    labels = [x for x in domain.lower().split(".") if x]
    if len(labels) >= 3 and labels[-2] in {"co", "com", "org", "ac", "gov", "net", "or", "ne"}:
        core = labels[-3]
    elif len(labels) >= 2:
        core = labels[-2]
    else:
        core = labels[0] if labels else domain
    return " ".join(w.capitalize() for w in core.replace("_", "-").split("-") if w) or domain


_NUMBERS = "no one two three four five six seven eight nine ten eleven twelve".split()


def number(n: int, capital: bool = False) -> str:
    word = _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)
    return word[:1].upper() + word[1:] if capital else word


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def summary_sentences(j: Journal) -> list[str]:
    """A few plain English sentences from the counts: the most raised improvement and
    strength themes, and how many said where the candidate stood."""
    total = len(j.companies)
    if not j.points:
        if total:
            return [
                f"{number(total, True)} {_plural(total, 'company', 'companies')} answered, "
                "but no specific points about you were found in what they wrote."
            ]
        return ["No feedback yet: nothing to gather."]
    themes = j.themes()
    parts = []
    improving = sorted(
        (e for e in themes if e.improvements), key=lambda e: -e.companies_of("improvement")
    )
    praising = sorted((e for e in themes if e.strengths), key=lambda e: -e.companies_of("strength"))
    if improving:
        e = improving[0]
        n = e.companies_of("improvement")
        if n == total and total == 2:
            who = "Both companies"
        elif n == total and total > 2:
            who = f"All {number(total)} companies"
        elif total > 1:
            who = f"{number(n, True)} of {number(total)} {_plural(n, 'company', 'companies')}"
        else:
            who = f"{number(n, True)} {_plural(n, 'company', 'companies')}"
        parts.append(f"{who} named {THEME_NAMES[e.theme]} as something to work on")
        if len(improving) > 1 and improving[1].companies_of("improvement") > 1:
            e2 = improving[1]
            parts[-1] += f", {number(e2.companies_of('improvement'))} {THEME_NAMES[e2.theme]}"
    if praising:
        e = praising[0]
        n = e.companies_of("strength")
        subject = number(n, not parts) + ("" if parts else f" {_plural(n, 'company', 'companies')}")
        parts.append(f"{subject} praised your {THEME_NAMES[e.theme]}")
    sentences = ["; ".join(parts) + "."] if parts else []
    stood = len({p.company for p in j.comparisons()})
    if stood:
        sentences.append(
            f"{number(stood, True)} told you how you compared with the other candidates."
        )
    return sentences


# -- rendering -------------------------------------------------------------------------------


def _when(value: datetime) -> str:
    return value.strftime("%d %b %Y")


def _quote_line(p: JournalPoint) -> str:
    mark = ", corrected" if p.corrected else ""
    text = " ".join(p.text.split())
    return f'"{text}" ({company_name(p.company)}, {_when(p.date)}; {p.handle}{mark})'


def render_text(j: Journal, markdown: bool = False) -> str:
    h1, h2, h3 = ("# ", "## ", "### ") if markdown else ("", "", "  ")
    bullet = "- " if markdown else "    * "
    since = f" since {j.since:%d %b %Y}" if j.since else ""
    out = [f"{h1}Feedback journal{since}, {j.now:%A %d %B %Y}", ""]
    out += j.summary()
    for entry in j.themes():
        out.append("")
        n = entry.companies
        out.append(
            f"{h2}{THEME_NAMES[entry.theme].capitalize()} "
            f"({n} {_plural(n, 'company', 'companies')})" + ("" if markdown else ":")
        )
        for kind, pts in (("strength", entry.strengths), ("improvement", entry.improvements)):
            if not pts:
                continue
            c = entry.companies_of(kind)
            out.append(
                f"{h3}{KIND_TITLES[kind]} ({c} {_plural(c, 'company', 'companies')})"
                + ("" if markdown else ":")
            )
            out += [bullet + _quote_line(p) for p in pts]
    comparisons = j.comparisons()
    if comparisons:
        out.append("")
        out.append(f"{h2}Where you stood" + ("" if markdown else ":"))
        out += [bullet + _quote_line(p) for p in comparisons]
    if j.points:
        out.append("")
        out.append(
            "A point read wrongly? feedback-watcher label p12 --kind improvement --theme "
            "communication (--kind none: not a point)"
        )
    return "\n".join(out) + "\n"


def to_json(j: Journal) -> dict:
    def point(p: JournalPoint) -> dict:
        return {
            "handle": p.handle,
            "kind": p.kind,
            "theme": p.theme,
            "text": p.text,
            "confidence": round(p.confidence, 4),
            "company": p.company,
            "date": p.date.isoformat(),
            "corrected": p.corrected,
        }

    return {
        "now": j.now.isoformat(),
        "since": j.since.isoformat() if j.since else None,
        "companies": list(j.companies),
        "summary": j.summary(),
        "themes": [
            {
                "theme": e.theme,
                "companies": e.companies,
                "strengths": [point(p) for p in e.strengths],
                "improvements": [point(p) for p in e.improvements],
            }
            for e in j.themes()
        ],
        "comparisons": [point(p) for p in j.comparisons()],
    }


def render_json(j: Journal) -> str:
    return json.dumps(to_json(j), indent=2, ensure_ascii=False) + "\n"


STRENGTH_COLOUR = "#2da44e"
IMPROVEMENT_COLOUR = "#d4742c"


def chart_svg(j: Journal, width: int = 640) -> str:
    """Themes by kind as horizontal bars: points praising (green) and to work on (orange)."""
    themes = j.themes()
    if not themes:
        return ""
    label_w, bar_h, gap, top = 200, 14, 10, 28
    most = max(max(len(e.strengths), len(e.improvements)) for e in themes) or 1
    scale = (width - label_w - 40) / most
    row_h = 2 * bar_h + gap
    height = top + row_h * len(themes) + 4
    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="chart-title">',
        '<title id="chart-title">Points by theme: strengths and things to work on</title>',
        f'<rect x="{label_w}" y="4" width="12" height="12" fill="{STRENGTH_COLOUR}"/>',
        f'<text x="{label_w + 16}" y="14" font-size="12">strengths</text>',
        f'<rect x="{label_w + 100}" y="4" width="12" height="12" fill="{IMPROVEMENT_COLOUR}"/>',
        f'<text x="{label_w + 116}" y="14" font-size="12">to work on</text>',
    ]
    for row, entry in enumerate(themes):
        y = top + row * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h + 4}" font-size="13" text-anchor="end">'
            f"{e(THEME_NAMES[entry.theme])}</text>"
        )
        for k, (kind, pts, colour) in enumerate(
            (
                ("strength", entry.strengths, STRENGTH_COLOUR),
                ("improvement", entry.improvements, IMPROVEMENT_COLOUR),
            )
        ):
            w = round(len(pts) * scale, 1)
            by = y + k * bar_h
            parts.append(
                f'<rect class="bar {kind}" data-theme="{e(entry.theme)}" x="{label_w}" '
                f'y="{by}" width="{w}" height="{bar_h - 2}" fill="{colour}"/>'
            )
            if pts:
                parts.append(
                    f'<text x="{label_w + w + 4}" y="{by + bar_h - 3}" font-size="11">'
                    f"{len(pts)}</text>"
                )
    parts.append("</svg>")
    return "\n".join(parts)


_CSS = """
body{font:16px/1.5 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328;
max-width:46rem;margin:2rem auto;padding:0 1rem;background:#fff}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.1rem;margin-top:1.75rem;
border-bottom:1px solid #d0d7de;padding-bottom:.25rem}h3{font-size:1rem;margin:.75rem 0 .25rem}
ul{padding-left:1.2rem}li{margin:.4rem 0}.meta{color:#59636e;font-size:.9rem}
.summary{font-size:1.05rem}svg.chart{max-width:100%;height:auto;font-family:inherit}
code{font-size:.85rem;background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
"""


def _html_points(points: Sequence[JournalPoint]) -> str:
    e = html.escape
    items = [
        f"<li>&ldquo;{e(' '.join(p.text.split()))}&rdquo; "
        f'<span class="meta">{e(company_name(p.company))}, {e(_when(p.date))}, '
        f"<code>{e(p.handle)}</code>{' (corrected)' if p.corrected else ''}</span></li>"
        for p in points
    ]
    return "<ul>" + "".join(items) + "</ul>"


def render_html(j: Journal) -> str:
    """A self-contained page: everything from mail is escaped, nothing remote is loaded."""
    e = html.escape
    since = f" since {j.since:%d %b %Y}" if j.since else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>feedback-watcher journal {j.now:%Y-%m-%d}</title><style>{_CSS}</style>",
        "</head><body>",
        f'<h1>Your feedback journal</h1><p class="meta">{e(f"{j.now:%A %d %B %Y}{since}")}</p>',
    ]
    parts += [f'<p class="summary">{e(s)}</p>' for s in j.summary()]
    chart = chart_svg(j)
    if chart:
        parts.append(chart)
    for entry in j.themes():
        n = entry.companies
        parts.append(
            f"<h2>{e(THEME_NAMES[entry.theme].capitalize())} "
            f"({n} {_plural(n, 'company', 'companies')})</h2>"
        )
        for kind, pts in (("strength", entry.strengths), ("improvement", entry.improvements)):
            if pts:
                parts.append(f"<h3>{e(KIND_TITLES[kind])}</h3>{_html_points(pts)}")
    comparisons = j.comparisons()
    if comparisons:
        parts.append(f"<h2>Where you stood</h2>{_html_points(comparisons)}")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(j: Journal, fmt: str) -> str:
    return {
        "text": render_text,
        "json": render_json,
        "html": render_html,
        "markdown": lambda x: render_text(x, markdown=True),
    }[fmt](j)
