"""Follow-up and thank-you drafts (pure): short, warm, specific, in the user's own language.

A draft is written in the language of the user's request (de/en/es/fr/nl/pt, by stopword
counts), in its register (Sie/du, vous/tu, usted/tú, u/je), opens with the user's own greeting
line from that request ("Hoi Sanne,") and closes with their own sign-off block ("Groetjes,
Joost"). The third ask is briefer and says it is the last.

A thread gets no ask when asking again would be wrong: its last ask bounced (then the thread's
other people at that company are named, to write to instead), or it was answered with
feedback or a rejection (then a thank-you is offered).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from watcher.draft_texts import GREETINGS, SIGNOFFS, TEXTS, format_day, register
from watcher.followups import LabeledReply, ThreadState
from watcher.labels import DueAsk, Label
from watcher.language import Style, writing_style
from watcher.mail.headers import Address
from watcher.mail.messages import Message
from watcher.replytext import strip_quotes


@dataclass(frozen=True)
class Draft:
    to: str
    to_name: str
    subject: str
    body: str
    in_reply_to: str
    references: tuple[str, ...]
    language: str = "en"
    kind: str = "ask"  # "ask" or "thank_you"


@dataclass(frozen=True)
class Contact:
    """Someone else at the company who shows up in the thread."""

    email: str
    name: str
    how: str  # "replied on Wed 05 Mar 2025", "cc'd on your request", ...


@dataclass(frozen=True)
class NoAsk:
    """Why a thread gets no ask draft."""

    kind: str  # "undeliverable" or "answered"
    reason: str  # one line, without the command to run instead
    contacts: tuple[Contact, ...] = ()


def _first_name(name: str) -> str:
    name = name.strip().strip('"')
    if "," in name:  # "Doe, Jane" as Outlook directories write it
        name = name.split(",", 1)[1]
    parts = name.split()
    return parts[0] if parts else ""


def _full_name(name: str) -> str:
    name = name.strip().strip('"')
    if "," in name:
        last, first = name.split(",", 1)
        name = f"{first.strip()} {last.strip()}"
    return " ".join(name.split())


def _when(value: datetime) -> str:
    return value.strftime("%a %d %b %Y")


def user_style(state: ThreadState) -> Style:
    """How the user wrote the request: language, register, greeting and sign-off."""
    return writing_style(strip_quotes(state.thread.request.body_text))


def _greeting(style: Style, key: tuple[str, bool], name: str, same_person: bool) -> str:
    if same_person and style.greeting:
        return style.greeting
    with_name, without = GREETINGS[key]
    first, full = _first_name(name), _full_name(name)
    return with_name.format(first=first, full=full) if first else without


def _signoff(style: Style, key: tuple[str, bool], sender_name: str) -> str:
    if style.signoff:
        return style.signoff
    return SIGNOFFS[key] + (f"\n{sender_name}" if sender_name else "")


def _body(greeting: str, text: str, signoff: str, lang: str) -> str:
    # German goes on in lower case after "Hallo Anna,"; elsewhere, and after no comma, capitals.
    if not (lang == "de" and greeting.endswith(",")):
        text = text[:1].upper() + text[1:]
    return f"{greeting}\n\n{text}\n\n{signoff}"


_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|antw|sv|rv|res|réf|ref|rif|r)\s*:", re.I)


def _re(subject: str) -> str:
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}"


def _name_of(state: ThreadState, email: str) -> str:
    """A display name for an address, from the thread's own headers."""
    for m in (*state.thread.asks, *state.thread.replies):
        for a in (*m.recipients, *([m.sender] if m.sender else [])):
            if a.email == email and a.name:
                return a.name
    return ""


def compose(state: ThreadState, sender_name: str = "", to: str | None = None) -> Draft:
    """The next ask, replying to the latest ask so it threads in the user's mail client.

    ``to`` writes to someone else instead of the counterpart (after a bounce): the draft says
    why, in one sentence, before it asks.
    """
    thread = state.thread
    latest = thread.latest_ask
    style = user_style(state)
    key = register(style.language, style.formal)
    texts = TEXTS[key]
    recipient = (to or thread.counterpart).strip().lower()
    to_name = _name_of(state, recipient)
    greeting = _greeting(style, key, to_name, recipient == thread.counterpart)
    asked = format_day(latest.date.date(), key[0])
    if recipient != thread.counterpart:
        first_asked = _full_name(_name_of(state, thread.counterpart)) or thread.counterpart
        text = texts["redirect"].format(date=asked, name=first_asked) + "\n\n" + texts["ask"]
    elif state.due == DueAsk.THIRD or state.asks >= 2:
        text = texts["last"]
    else:
        text = texts["follow_up"].format(date=asked) + "\n\n" + texts["ask"]
    body = _body(greeting, text, _signoff(style, key, sender_name), key[0])
    refs = tuple(dict.fromkeys((*latest.references, latest.message_id)))
    return Draft(recipient, to_name, _re(latest.subject), body, latest.message_id, refs, key[0])


def _answer(state: ThreadState) -> LabeledReply | None:
    """The reply a thank-you answers: the latest feedback, else the latest rejection."""
    for label in (Label.FEEDBACK, Label.REJECTION):
        found = [r for r in state.replies if r.label == label]
        if found:
            return max(found, key=lambda r: r.message.date)
    return None


def compose_thank_you(state: ThreadState, sender_name: str = "") -> Draft | None:
    """A thank-you for the feedback (or the answer) in this thread; None when there is none."""
    answer = _answer(state)
    if answer is None:
        return None
    reply = answer.message
    style = user_style(state)
    key = register(style.language, style.formal)
    sender = reply.sender or Address(state.thread.counterpart)
    greeting = _greeting(style, key, sender.name, sender.email == state.thread.counterpart)
    part = "thanks_feedback" if answer.label == Label.FEEDBACK else "thanks_rejection"
    body = _body(greeting, TEXTS[key][part], _signoff(style, key, sender_name), key[0])
    refs = tuple(dict.fromkeys((*reply.references, reply.message_id)))
    return Draft(
        sender.email,
        sender.name,
        _re(reply.subject or state.thread.subject),
        body,
        reply.message_id,
        refs,
        key[0],
        "thank_you",
    )


_UNATTENDED = re.compile(
    r"^(?:mailer-?daemon|postmaster|no-?reply|do-?not-?reply|bounces?|notifications?)\b", re.I
)
_ADDRESS_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _bounced(state: ThreadState) -> set[str]:
    out: set[str] = set()
    for r in state.replies:
        if r.message.signals.bounce:
            out |= set(r.message.signals.bounced_recipients) or {state.thread.counterpart}
    return out


def other_contacts(state: ThreadState, own: Iterable[str] = ()) -> tuple[Contact, ...]:
    """Other people at the counterpart's company in this thread: colleagues who replied,
    people cc'd on the asks or the replies, addresses a reply names ("please contact ...")."""
    thread = state.thread
    skip = {thread.counterpart, *_bounced(state), *(a.lower() for a in own)}
    if thread.request.sender:
        skip.add(thread.request.sender.email)
    company = thread.company
    found: dict[str, Contact] = {}

    def add(address: Address | str, how: str, same_company: bool = False) -> None:
        email = address if isinstance(address, str) else address.email
        email = email.lower().rstrip(".")
        if email in skip or email in found or _UNATTENDED.match(email):
            return
        if same_company and (company is None or not email.endswith("@" + company)):
            return
        name = "" if isinstance(address, str) else address.name
        found[email] = Contact(email, name or _name_of(state, email), how)

    for r in state.replies:
        m: Message = r.message
        if m.sender and not m.signals.automatic:
            add(m.sender, f"replied on {_when(m.date)}")
    for ask in thread.asks:
        for a in ask.recipients:
            add(a, "cc'd on your request" if a in ask.cc else "asked with them")
    for r in state.replies:
        for a in r.message.cc:
            add(a, f"cc'd on a reply of {_when(r.message.date)}")
    for r in state.replies:
        for email in _ADDRESS_IN_TEXT.findall(r.text or r.message.body_text):
            add(email, f"named in a reply of {_when(r.message.date)}", same_company=True)
    return tuple(found.values())


def why_no_ask(state: ThreadState, own: Iterable[str] = ()) -> NoAsk | None:
    """Why this thread gets no ask draft, or None when an ask is right."""
    if state.undeliverable:
        return NoAsk(
            "undeliverable",
            f"your last ask to {state.thread.counterpart} bounced (undeliverable)",
            other_contacts(state, own),
        )
    answer = _answer(state)
    if answer is not None and state.status != Label.NO_RESPONSE:
        who = answer.message.sender.email if answer.message.sender else state.thread.counterpart
        what = "sent feedback" if answer.label == Label.FEEDBACK else "answered (a rejection)"
        return NoAsk("answered", f"{who} {what} on {_when(answer.message.date)}")
    return None
