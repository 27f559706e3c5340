"""Follow-up drafts for a due ask (pure): short, warm and specific; the third one briefer."""

from __future__ import annotations

from dataclasses import dataclass

from watcher.followups import ThreadState
from watcher.labels import DueAsk


@dataclass(frozen=True)
class Draft:
    to: str
    to_name: str
    subject: str
    body: str
    in_reply_to: str
    references: tuple[str, ...]


def _first_name(name: str) -> str:
    name = name.strip().strip('"')
    if "," in name:  # "Doe, Jane" as Outlook directories write it
        name = name.split(",", 1)[1]
    parts = name.split()
    return parts[0] if parts else ""


def compose(state: ThreadState, sender_name: str = "") -> Draft:
    """The next ask for a thread, replying to the latest ask so it threads in mail clients."""
    thread = state.thread
    latest = thread.latest_ask
    counterpart = next((a for a in latest.recipients if a.email == thread.counterpart), None)
    to_name = counterpart.name if counterpart else ""
    hello = f"Hi {_first_name(to_name)}," if _first_name(to_name) else "Hello,"
    sign = f"\n\nBest regards,\n{sender_name}" if sender_name else "\n\nBest regards,"
    if state.due == DueAsk.THIRD or state.asks >= 2:
        body = (
            f"{hello}\n\n"
            "I know you are busy, so this is my last note on this. If you have two minutes, "
            "even a line or two on how I compared with the other candidates, or on one thing "
            "I could have done differently, would help me a lot. And if you can't share "
            'feedback, a short "no" is completely fine too.\n\n'
            "Thank you again for your time and for considering me."
            f"{sign}"
        )
    else:
        body = (
            f"{hello}\n\n"
            f"I hope you're well. I wanted to follow up on my note of "
            f"{latest.date:%-d %B} about feedback on my interview. "
            "Thank you again for the time you and the team gave me; I really enjoyed learning "
            "about the role, and I'm still very interested in working with you.\n\n"
            "I'm working on improving, so any honest feedback would mean a lot: how did I stack "
            "up against the other candidates, and what could I have done better or differently "
            "in the interviews?\n\n"
            "Even a few lines would be really helpful."
            f"{sign}"
        )
    subject = (
        latest.subject if latest.subject.lower().startswith("re:") else f"Re: {latest.subject}"
    )
    refs = tuple(dict.fromkeys((*latest.references, latest.message_id)))
    return Draft(thread.counterpart, to_name, subject, body, latest.message_id, refs)
