"""The morning digest, rendered as text, Markdown, HTML or JSON from thread states (pure)."""

from __future__ import annotations

import html
import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from watcher.drafts import Draft, compose, other_contacts
from watcher.followups import LabeledReply, ThreadState
from watcher.labels import DueAsk, Label
from watcher.mail.messages import Message
from watcher.termsafe import visible

STALE_SYNC = timedelta(days=1)
UNSURE_SHOWN = 5  # the "did you ask" section is for a few borderline cases: never a long list


def handle(message: Message) -> str | None:
    """The short name the commands accept for a stored message: the state's own id ("12").

    Printed without a '#': a shell would take "#12" for a comment.
    """
    return str(message.ref) if message.ref else None


def command_arg(message: Message) -> str:
    """How a command names the message: its handle, else its Message-ID quoted for a shell."""
    return handle(message) or shlex.quote(message.message_id)


def one_line(text: str, width: int | None = None) -> str:
    """Text from mail as one printable line (no control characters), cut to ``width``."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if width is not None and len(text) > width:
        return text[: width - 3].rstrip() + "..."
    return text


_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|bonjour|salut|hallo|"
    r"guten tag|liebe[rs]?|sehr geehrte[rs]?|hola|estimad[oa]|ol[áa]|prezad[oa]|beste|geachte)\b",
    re.I,
)


def first_line(text: str, width: int = 120) -> str:
    """The first line that says something: a greeting on its own line ("Hi Tom,") is passed
    over, the way a person skims a message."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        short = len(line.split()) <= 5
        if short and (line.endswith((",", "!", ":")) or _GREETING.match(line)):
            continue
        return one_line(line, width)
    return one_line(lines[0], width) if lines else ""


def recipient(message: Message) -> str:
    """Who a sent message went to: the first address, and how many more."""
    people = [a.email for a in message.to + message.cc]
    if not people:
        return "no recipient"
    return one_line(people[0]) + (f" +{len(people) - 1}" if len(people) > 1 else "")


@dataclass(frozen=True)
class UnsureRequest:
    """A sent message the request model could not decide: the digest asks the user, and no
    follow-up is proposed for it until they answer (track or ignore)."""

    message: Message
    confidence: float | None  # the model's probability that it is a request
    text: str  # the user's own words, without what the message quotes


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
    unsure: tuple[UnsureRequest, ...] = ()  # newest first
    own: frozenset[str] = frozenset()  # the user's addresses: never suggested as a contact
    draft_command: str = "feedback-watcher draft"  # the demo's is "feedback-watcher demo --draft"
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
                and not t.undeliverable
            ],
            "unsure": [],  # sent messages, not threads: see ``unsure``
        }
        return picks[name]

    def new_feedback(self, state: ThreadState) -> list[LabeledReply]:
        return [r for r in state.replies if r.label == Label.FEEDBACK and self.is_new(r)]

    def is_new(self, reply: LabeledReply) -> bool:
        """Arrived since the last digest (every reply is new before the first digest)."""
        return self.since is None or reply.message.date > self.since

    def shown(self, key: str, state: ThreadState) -> list[LabeledReply]:
        """The replies a section shows under a thread, oldest first.

        Feedback stays for as long as the thread is listed: the latest feedback, and any
        other that is new; a rejection's latest answer; the uncertain ones for review.
        """
        if key in ("feedback", "rejection"):
            label = Label.FEEDBACK if key == "feedback" else Label.REJECTION
            mine = [r for r in state.replies if r.label == label]
            if not mine:
                return []
            latest = max(mine, key=lambda r: r.message.date)
            keep = [r for r in mine if r is latest or (key == "feedback" and self.is_new(r))]
            return sorted(keep, key=lambda r: r.message.date)
        if key == "needs_review":
            return list(state.needs_review)
        return []

    def draft_for(self, state: ThreadState) -> Draft:
        sender = state.thread.request.sender
        return compose(state, sender.name if sender else "")

    def stale_accounts(self) -> list[AccountHealth]:
        return [h for h in self.health if h.last_ok is None or self.now - h.last_ok > STALE_SYNC]


SECTIONS = (
    ("second_ask", "Due for a second ask"),
    ("third_ask", "Due for a third (last) ask"),
    ("undeliverable", "Undeliverable: find another contact"),
    ("feedback", "Feedback received"),
    ("needs_review", "Needs your eye"),
    ("unsure", "Did you ask for feedback here?"),
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
        if state.away_until:
            extra += f" (away until {_day(state.away_until)})"
    return f"{t.counterpart}, asked {_when(t.latest_ask.date)}{extra}"


def _tag(message: Message) -> str:
    h = handle(message)
    return f"[{h}] " if h else ""


def _day(value: datetime | date) -> str:
    return f"{value:%a %d %b}"


def _excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


def _first_lines(text: str, lines: int = 3, limit: int = 300) -> str:
    """A rejection's first few lines (its greeting line skipped), whitespace folded."""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    if len(kept) > 1 and len(kept[0]) <= 40 and kept[0].endswith((",", ":", "!")):
        kept = kept[1:]
    return _excerpt(" ".join(kept[:lines]), limit)


def reply_excerpt(key: str, reply: LabeledReply) -> str:
    if key == "rejection":
        return _first_lines(reply.text)
    return _excerpt(reply.text, 400)


def holding_line(state: ThreadState) -> tuple[str, str, str] | None:
    """(who, what they wrote, what it did to the next ask) for a thread's holding reply."""
    h = state.holding
    if h is None or state.status != Label.NO_RESPONSE:
        return None
    who = h.reply.message.sender.email if h.reply.message.sender else "?"
    if state.next_due and state.moved:
        note = f"next ask moved to {_day(state.next_due)}"
    elif h.promised:
        note = f"promised by {_day(h.promised)}"
    else:
        note = "no date given"
    return who, h.quote, note


def contact_lines(d: Digest, state: ThreadState) -> list[tuple[str, str]]:
    """For a bounced thread: (who else at the company shows up in it, the command to run)."""
    command = f"{d.draft_command} {command_arg(state.thread.request)}"
    contacts = other_contacts(state, d.own)
    if not contacts:
        where = state.thread.company or "the company"
        return [
            (
                f"no one else at {where} shows up in this thread: find a contact, then",
                f"{command} --to ADDRESS",
            )
        ]
    return [
        (f"another contact: {c.email} ({c.how}):", f"{command} --to {c.email}")
        for c in contacts[:3]
    ]


def mailto(draft: Draft) -> str:
    """A mailto: URL (RFC 6068) for a draft, every field percent-encoded."""
    fields = (
        ("subject", draft.subject),
        ("in-reply-to", draft.in_reply_to),
        ("body", draft.body.replace("\r\n", "\n").replace("\n", "\r\n")),
    )
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in fields)
    return f"mailto:{quote(draft.to, safe='@')}?{query}"


def _line(state: ThreadState) -> str:
    return f"{_tag(state.thread.request)}{state.thread.subject} ({_details(state)})"


def _unsure_details(u: UnsureRequest) -> str:
    return f"{recipient(u.message)}, sent {_when(u.message.date)}"


def _answer_hint(d: Digest) -> str:
    shown = d.unsure[:UNSURE_SHOWN]
    h = command_arg(shown[0].message) if len(shown) == 1 else "HANDLE"
    return (
        f"yes: feedback-watcher track {h}; no: feedback-watcher ignore {h}; "
        "or answer each in turn: feedback-watcher review"
    )


def _label_hint(d: Digest) -> str:
    reviews = [r for st in d.section("needs_review") for r in st.needs_review]
    h = command_arg(reviews[0].message) if len(reviews) == 1 else "HANDLE"
    return (
        f"correct it: feedback-watcher label {h} feedback|rejection|no_response; "
        "or feedback-watcher review"
    )


def _unsure_text(d: Digest, markdown: bool) -> list[str]:
    if not d.unsure:
        return []
    title = dict(SECTIONS)["unsure"]
    out = ["", f"## {title} ({len(d.unsure)})" if markdown else f"{title} ({len(d.unsure)})"]
    bullet = "- " if markdown else "  * "
    for u in d.unsure[:UNSURE_SHOWN]:
        out.append(f"{bullet}{_tag(u.message)}{one_line(u.message.subject)} ({_unsure_details(u)})")
        line = first_line(u.text)
        if line:
            out.append(f"    > {line}")
    more = len(d.unsure) - UNSURE_SHOWN
    if more > 0:
        out.append(f"  ... and {more} more: feedback-watcher sent")
    out.append(f"  {_answer_hint(d)}")
    return out


def _last_syncs(d: Digest) -> str:
    return (
        "; ".join(
            f"{h.account} {_when(h.last_ok)}" if h.last_ok else f"{h.account} never synced"
            for h in d.health
        )
        or "no accounts"
    )


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


def _text_notes(d: Digest, key: str, st: ThreadState, markdown: bool) -> list[str]:
    """The lines under a thread: replies, a holding reply, contacts, the draft command."""
    out = []
    new = "**NEW** " if markdown else "NEW "
    for r in d.shown(key, st):
        who = r.message.sender.email if r.message.sender else "?"
        note = f" [{r.label}, {r.confidence:.0%} sure]" if key == "needs_review" else ""
        mark = new if key in ("feedback", "rejection") and d.is_new(r) else ""
        out.append(f"    > {mark}{_tag(r.message)}{who}{note}: {reply_excerpt(key, r)}")
    holding = holding_line(st) if key not in ("feedback", "rejection", "needs_review") else None
    if holding:
        who, quote_, note = holding
        out.append(f"    > holding reply from {who}: {_excerpt(quote_, 200)} ({note})")
    if key == "undeliverable":
        out += [f"    {lead} {command}" for lead, command in contact_lines(d, st)]
    if key in ("second_ask", "third_ask"):
        out.append(f"    draft: {d.draft_command} {command_arg(st.thread.request)}")
    return out


def render_text(d: Digest, markdown: bool = False) -> str:
    out: list[str] = []
    out += _health_lines(d)
    head = "# " if markdown else ""
    out.append(f"{head}feedback-watcher digest, {d.now:%A %d %B %Y}")
    bullet = "- " if markdown else "  * "
    for key, title in SECTIONS:
        if key == "unsure":
            out += _unsure_text(d, markdown)
            continue
        items = d.section(key)
        if not items:
            continue
        out.append("")
        out.append(f"## {title} ({len(items)})" if markdown else f"{title} ({len(items)}):")
        for st in items:
            out.append(bullet + _line(st))
            out += _text_notes(d, key, st, markdown)
        if key == "needs_review":
            out.append(f"  {_label_hint(d)}")
    if not d.states and not d.unsure:
        out.append("")
        out.append("No feedback requests found yet.")
    if d.new_points:
        out.append("")
        out.append(journal_line(d))
    out.append("")
    out.append("Last sync: " + _last_syncs(d))
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
                "handle": t.request.ref or None,
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
                "away_until": st.away_until.isoformat() if st.away_until else None,
                "holding": {
                    "message_id": st.holding.reply.message.message_id,
                    "promised": st.holding.promised.isoformat() if st.holding.promised else None,
                    "quote": st.holding.quote,
                    "moved_next_ask": st.moved,
                }
                if st.holding
                else None,
                "replies": [
                    {
                        "handle": r.message.ref or None,
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
        "unsure": [
            {
                "handle": u.message.ref or None,
                "message_id": u.message.message_id,
                "to": [a.email for a in u.message.to + u.message.cc],
                "subject": u.message.subject,
                "date": u.message.date.isoformat(),
                "confidence": None if u.confidence is None else round(u.confidence, 4),
                "first_line": first_line(u.text),
            }
            for u in d.unsure
        ],
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
li,blockquote,code,.meta{overflow-wrap:anywhere;word-break:break-word}
.new{font-weight:700;color:#fff;background:#1a7f37;padding:0 .3rem;border-radius:4px;
font-size:.8rem}
a{color:#0969da}
"""


def _html_notes(d: Digest, key: str, st: ThreadState) -> list[str]:
    """The HTML under a thread: replies, a holding reply, contacts, the draft as a mailto link.

    The one link the page carries is a mailto: built from the product's own fields (the
    counterpart's address, the user's subject and Message-ID, the draft's text), never a
    URL taken from mail.
    """
    e = html.escape
    parts = []
    for r in d.shown(key, st):
        who = r.message.sender.email if r.message.sender else "?"
        if key == "needs_review":  # say what the model thought, as the text digest does
            parts.append(f'<div class="meta">Read as {e(r.label)}, {r.confidence:.0%} sure:</div>')
        mark = '<span class="new">NEW</span> ' if d.is_new(r) and key != "needs_review" else ""
        parts.append(
            f'<blockquote>{mark}<span class="meta">{e(_tag(r.message))}{e(who)}:</span> '
            f"{e(reply_excerpt(key, r) if key == 'rejection' else r.text)}</blockquote>"
        )
    holding = holding_line(st) if key not in ("feedback", "rejection", "needs_review") else None
    if holding:
        who, quote_, note = holding
        parts.append(
            f'<blockquote><span class="meta">Holding reply from {e(who)} ({e(note)}):</span> '
            f"{e(quote_)}</blockquote>"
        )
    if key == "undeliverable":
        parts += [
            f'<div class="meta">{e(lead)} <code>{e(command)}</code></div>'
            for lead, command in contact_lines(d, st)
        ]
    if key in ("second_ask", "third_ask"):
        draft = d.draft_for(st)
        which = "second" if key == "second_ask" else "last"
        to = f"{draft.to_name} <{draft.to}>" if draft.to_name else draft.to
        cmd = f"{d.draft_command} {command_arg(st.thread.request)}"
        parts.append(
            f'<div class="meta">Draft: <a href="{e(mailto(draft))}">write the {which} ask to '
            f"{e(to)}</a> (opens your mail program; nothing is sent), or <code>{e(cmd)}</code>"
            "</div>"
        )
    return parts


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
        if key == "unsure":
            parts += _unsure_html(d)
            continue
        items = d.section(key)
        if not items:
            continue
        parts.append(f"<h2>{e(title)} ({len(items)})</h2><ul>")
        for st in items:
            parts.append(
                f"<li><strong>{e(_tag(st.thread.request))}{e(st.thread.subject)}</strong>"
                f'<div class="meta">{e(_details(st))}</div>'
            )
            parts += _html_notes(d, key, st)
            parts.append("</li>")
        parts.append("</ul>")
        if key == "needs_review":
            parts.append(f'<p class="meta">{_code_hint(_label_hint(d))}</p>')
    if not d.states and not d.unsure:
        parts.append("<p>No feedback requests found yet.</p>")
    if d.new_points:
        parts.append(f"<p>{e(journal_line(d))}</p>")
    parts.append(f'<p class="meta">Last sync: {e(_last_syncs(d))}</p></body></html>')
    return "\n".join(parts) + "\n"


def _code_hint(hint: str) -> str:
    """A hint line with each command in <code>, escaped."""
    pieces = re.split(r"(feedback-watcher [^;]+)", hint)
    return "".join(
        f"<code>{html.escape(p)}</code>" if p.startswith("feedback-watcher") else html.escape(p)
        for p in pieces
    )


def _unsure_html(d: Digest) -> list[str]:
    if not d.unsure:
        return []
    e = html.escape
    title = dict(SECTIONS)["unsure"]
    parts = [f"<h2>{e(title)} ({len(d.unsure)})</h2><ul>"]
    for u in d.unsure[:UNSURE_SHOWN]:
        parts.append(
            f"<li><strong>{e(_tag(u.message))}{e(one_line(u.message.subject))}</strong>"
            f'<div class="meta">{e(_unsure_details(u))}</div>'
        )
        line = first_line(u.text)
        if line:
            parts.append(f"<blockquote>{e(line)}</blockquote>")
        parts.append("</li>")
    parts.append("</ul>")
    more = len(d.unsure) - UNSURE_SHOWN
    if more > 0:
        parts.append(f'<p class="meta">... and {more} more: <code>feedback-watcher sent</code></p>')
    parts.append(f'<p class="meta">{_code_hint(_answer_hint(d))}</p>')
    return parts


def render(d: Digest, fmt: str) -> str:
    """The digest in one format; text and Markdown with control and bidi characters from mail
    made visible (they reach a terminal or a file a person opens), JSON exact, HTML escaped."""
    return {
        "text": lambda x: visible(render_text(x), "\n"),
        "json": render_json,
        "html": render_html,
        "markdown": lambda x: visible(render_text(x, markdown=True), "\n"),
    }[fmt](d)


def states_sorted(states: Sequence[ThreadState]) -> tuple[ThreadState, ...]:
    return tuple(sorted(states, key=lambda s: s.thread.request.date))
