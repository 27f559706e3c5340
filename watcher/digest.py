"""The morning digest, rendered as text, Markdown, HTML or JSON from thread states (pure)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from watcher.followups import LabeledReply, ThreadState
from watcher.labels import DueAsk, Label

STALE_SYNC = timedelta(days=1)


@dataclass(frozen=True)
class AccountHealth:
    account: str
    last_ok: datetime | None
    last_error: str | None  # set only while the latest attempt failed
    partial: str | None = None  # what the last sync could not read
    unchecked: bool = False  # its threads' answers may be on the server, unread


@dataclass(frozen=True)
class Digest:
    now: datetime
    states: tuple[ThreadState, ...]
    health: tuple[AccountHealth, ...]
    since: datetime | None = None  # the previous digest: feedback after it is "new"
    # (company domain, points) that replies since the previous digest added to the journal
    new_points: tuple[tuple[str, int], ...] = ()

    def section(self, name: str) -> list[ThreadState]:
        s = self.states
        picks = {
            "second_ask": [t for t in s if t.due == DueAsk.SECOND],
            "third_ask": [t for t in s if t.due == DueAsk.THIRD],
            "feedback": [t for t in s if t.status == Label.FEEDBACK],
            "rejection": [t for t in s if t.status == Label.REJECTION],
            "gone_quiet": [t for t in s if t.gone_quiet],
            "undeliverable": [t for t in s if t.undeliverable],
            "needs_review": [t for t in s if t.needs_review],
            "unchecked": [t for t in s if t.unchecked],
            "waiting": [
                t
                for t in s
                if t.status == Label.NO_RESPONSE
                and not t.due
                and not t.gone_quiet
                and not t.unchecked
            ],
        }
        return picks[name]

    def new_feedback(self, state: ThreadState) -> list[LabeledReply]:
        return [
            r
            for r in state.replies
            if r.label == Label.FEEDBACK and (self.since is None or r.message.date > self.since)
        ]

    def stale_accounts(self) -> list[AccountHealth]:
        return [h for h in self.health if h.last_ok is None or self.now - h.last_ok > STALE_SYNC]


SECTIONS = (
    ("second_ask", "Due for a second ask"),
    ("third_ask", "Due for a third (last) ask"),
    ("undeliverable", "Undeliverable: find another contact"),
    ("feedback", "Feedback received"),
    ("needs_review", "Needs your eye"),
    ("rejection", "Rejections"),
    ("gone_quiet", "Gone quiet after three asks"),
    ("unchecked", "Not checked: an answer may be waiting on the server"),
    ("waiting", "Waiting"),
)


def _when(value: datetime | None) -> str:
    return value.strftime("%a %d %b %Y") if value else "never"


def _details(state: ThreadState) -> str:
    t = state.thread
    extra = f", {state.asks} asks" if state.asks > 1 else ""
    if state.unchecked:
        extra += f", not checked: the last sync of {state.unchecked} was not complete"
    elif state.due_since:
        extra += f", due since {_when(state.due_since)}"
    elif state.next_due and state.status == Label.NO_RESPONSE and not state.gone_quiet:
        extra += f", next ask {_when(state.next_due)}"
    return f"{t.counterpart}, asked {_when(t.latest_ask.date)}{extra}"


def _line(state: ThreadState) -> str:
    return f"{state.thread.subject} ({_details(state)})"


def _health_lines(d: Digest) -> list[str]:
    lines = []
    for h in d.health:
        if h.last_error or h.last_ok is None or d.now - h.last_ok > STALE_SYNC:
            why = f": {h.last_error}" if h.last_error else ""
            since = f"since {_when(h.last_ok)}" if h.last_ok else "yet"
            lines.append(f"WARNING: {h.account} has not synced {since}{why}")
        elif h.partial:
            lines.append(f"NOTE: {h.account}: the last sync could not read everything: {h.partial}")
    return lines


def render_text(d: Digest, markdown: bool = False) -> str:
    out: list[str] = []
    out += _health_lines(d)
    head = "# " if markdown else ""
    out.append(f"{head}feedback-watcher digest, {d.now:%A %d %B %Y}")
    bullet = "- " if markdown else "  * "
    for key, title in SECTIONS:
        items = d.section(key)
        if not items:
            continue
        out.append("")
        out.append(f"## {title} ({len(items)})" if markdown else f"{title} ({len(items)}):")
        for st in items:
            out.append(bullet + _line(st))
            replies = (
                d.new_feedback(st)
                if key == "feedback"
                else st.needs_review
                if key == "needs_review"
                else ()
            )
            for r in replies:
                text = " ".join(r.text.split())
                text = text[:400] + ("..." if len(text) > 400 else "")
                who = r.message.sender.email if r.message.sender else "?"
                note = f" [{r.label}, {r.confidence:.0%} sure]" if key == "needs_review" else ""
                out.append(f"    > {who}{note}: {text}")
            if key in ("second_ask", "third_ask"):
                out.append(f"    draft: feedback-watcher draft '{st.thread.request.message_id}'")
    if not d.states:
        out.append("")
        out.append("No feedback requests found yet.")
    if d.new_points:
        out.append("")
        out.append(journal_line(d))
    out.append("")
    out.append(
        "Last sync: " + "; ".join(f"{h.account} {_when(h.last_ok)}" for h in d.health)
        if d.health
        else "Last sync: no accounts"
    )
    return "\n".join(out) + "\n"


def journal_line(d: Digest) -> str:
    """One line pointing at the journal when new feedback added points to it."""
    from watcher.journal import company_name

    total = sum(n for _, n in d.new_points)
    names = [company_name(c) for c, _ in d.new_points]
    where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"{total} new point{'s' if total != 1 else ''} from {where}: see feedback-watcher journal"
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def to_json(d: Digest) -> dict:
    threads = []
    for st in d.states:
        t = st.thread
        threads.append(
            {
                "request_message_id": t.request.message_id,
                "counterpart": t.counterpart,
                "subject": t.subject,
                "asks": st.asks,
                "ask_message_ids": [a.message_id for a in st.ask_messages or t.asks],
                "status": st.status,
                "due": st.due,
                "due_since": _iso(st.due_since),
                "next_due": _iso(st.next_due),
                "gone_quiet": st.gone_quiet,
                "undeliverable": st.undeliverable,
                "replies": [
                    {
                        "message_id": r.message.message_id,
                        "from": r.message.sender.email if r.message.sender else None,
                        "date": r.message.date.isoformat(),
                        "label": r.label,
                        "confidence": round(r.confidence, 4),
                        "needs_review": r in st.needs_review,
                        "text": r.text,
                    }
                    for r in st.replies
                ],
            }
        )
    return {
        "now": d.now.isoformat(),
        "threads": threads,
        "new_points": [{"company": c, "points": n} for c, n in d.new_points],
        "health": [
            {
                "account": h.account,
                "last_sync": _iso(h.last_ok),
                "error": h.last_error,
                "stale": h.last_ok is None or d.now - h.last_ok > STALE_SYNC,
            }
            for h in d.health
        ],
    }


def render_json(d: Digest) -> str:
    return json.dumps(to_json(d), indent=2, ensure_ascii=False) + "\n"


_CSS = """
body{font:16px/1.5 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328;
max-width:46rem;margin:2rem auto;padding:0 1rem;background:#fff}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.1rem;margin-top:1.75rem;
border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
ul{padding-left:1.2rem}li{margin:.5rem 0}.meta{color:#59636e;font-size:.9rem}
blockquote{margin:.4rem 0;padding:.4rem .8rem;border-left:3px solid #8c959f;background:#f6f8fa;
white-space:pre-wrap}.warn{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem .8rem;
border-radius:6px}code{font-size:.85rem;background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
"""


def render_html(d: Digest) -> str:
    """A self-contained page: everything from mail is escaped, nothing remote is loaded."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>feedback-watcher digest {d.now:%Y-%m-%d}</title><style>{_CSS}</style>",
        "</head><body>",
    ]
    for line in _health_lines(d):
        parts.append(f'<p class="warn">{e(line)}</p>')
    parts.append(f'<h1>Your feedback digest</h1><p class="meta">{e(f"{d.now:%A %d %B %Y}")}</p>')
    for key, title in SECTIONS:
        items = d.section(key)
        if not items:
            continue
        parts.append(f"<h2>{e(title)} ({len(items)})</h2><ul>")
        for st in items:
            parts.append(
                f"<li><strong>{e(st.thread.subject)}</strong>"
                f'<div class="meta">{e(_details(st))}</div>'
            )
            replies = (
                d.new_feedback(st)
                if key == "feedback"
                else st.needs_review
                if key == "needs_review"
                else ()
            )
            for r in replies:
                if key == "needs_review":  # say what the model thought, as the text digest does
                    parts.append(
                        f'<div class="meta">Read as {e(r.label)}, {r.confidence:.0%} sure:</div>'
                    )
                parts.append(f"<blockquote>{e(r.text)}</blockquote>")
            if key in ("second_ask", "third_ask"):
                cmd = f"feedback-watcher draft '{st.thread.request.message_id}'"
                parts.append(f'<div class="meta">Draft: <code>{e(cmd)}</code></div>')
            parts.append("</li>")
        parts.append("</ul>")
    if not d.states:
        parts.append("<p>No feedback requests found yet.</p>")
    if d.new_points:
        parts.append(f"<p>{e(journal_line(d))}</p>")
    health = "; ".join(f"{h.account} {_when(h.last_ok)}" for h in d.health) or "no accounts"
    parts.append(f'<p class="meta">Last sync: {e(health)}</p></body></html>')
    return "\n".join(parts) + "\n"


def render(d: Digest, fmt: str) -> str:
    return {
        "text": render_text,
        "json": render_json,
        "html": render_html,
        "markdown": lambda x: render_text(x, markdown=True),
    }[fmt](d)


def states_sorted(states: Sequence[ThreadState]) -> tuple[ThreadState, ...]:
    return tuple(sorted(states, key=lambda s: s.thread.request.date))
