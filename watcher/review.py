"""`review`: one keypress per item over what needs the user's word (pure: keys in, text out).

The items are the sent messages the request model was unsure of (y: it is a request, n: it is
not) and the replies shown as "needs your eye" (f/r/n: feedback, rejection, no response);
s skips one, q stops. Reading keys and recording answers are passed in, so the loop runs the
same against a terminal, a test, or anything else that yields keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from watcher.digest import UnsureRequest, first_line, one_line, recipient
from watcher.followups import ThreadState
from watcher.labels import Label
from watcher.mail.messages import Message

SKIP, QUIT = "s", "q"
SHOWN_LINES = 3
LINE_WIDTH = 100


@dataclass(frozen=True)
class Choice:
    key: str
    answer: str  # "track", "ignore", or a reply label
    help: str


REQUEST_CHOICES = (
    Choice("y", "track", "yes, track it"),
    Choice("n", "ignore", "no, ignore it"),
)
REPLY_CHOICES = (
    Choice("f", Label.FEEDBACK, "feedback"),
    Choice("r", Label.REJECTION, "rejection"),
    Choice("n", Label.NO_RESPONSE, "no response"),
)


@dataclass(frozen=True)
class Item:
    """One question: a sent message (is it a request?) or a reply (which label?)."""

    message: Message
    question: str
    who: str  # "to x@y" for a sent message, "from x@y" for a reply
    text: str
    choices: tuple[Choice, ...]

    @property
    def is_reply(self) -> bool:
        return self.choices == REPLY_CHOICES

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.choices if c.key == key.lower()), None)


def items(unsure: Sequence[UnsureRequest], states: Sequence[ThreadState]) -> list[Item]:
    """Unsure requests (newest first), then the replies that need the user's eye."""
    out = [
        Item(
            u.message,
            "Did you ask for feedback here?",
            "to " + recipient(u.message),
            u.text,
            REQUEST_CHOICES,
        )
        for u in unsure
    ]
    seen: set[int | str] = set()
    for st in states:
        for r in st.needs_review:
            if r.message.key in seen:
                continue
            seen.add(r.message.key)
            who = one_line(r.message.sender.email) if r.message.sender else "unknown sender"
            out.append(
                Item(
                    r.message,
                    f"Needs your eye: read as {r.label}, {r.confidence:.0%} sure",
                    "from " + who,
                    r.text,
                    REPLY_CHOICES,
                )
            )
    return out


def first_lines(text: str, count: int = SHOWN_LINES) -> list[str]:
    """The opening lines that say something (a greeting alone on its line is passed over)."""
    lines = [line for line in text.splitlines() if line.strip()]
    opening = first_line(text, LINE_WIDTH)
    start = next((i for i, line in enumerate(lines) if one_line(line, LINE_WIDTH) == opening), 0)
    return [one_line(line, LINE_WIDTH) for line in lines[start : start + count]]


def key_help(item: Item) -> str:
    keys = [f"{c.key} = {c.help}" for c in item.choices]
    return "   ".join([*keys, f"{SKIP} = skip", f"{QUIT} = quit"])


def show(item: Item, number: int, total: int) -> str:
    m = item.message
    handle = f"[{m.ref}] " if m.ref else ""
    lines = [
        "",
        f"({number}/{total}) {item.question}",
        f"  {handle}{item.who}, {m.date:%a %d %b %Y}",
        f"  {one_line(m.subject, LINE_WIDTH) or '(no subject)'}",
    ]
    lines += [f"  | {line}" for line in first_lines(item.text)]
    lines.append(f"  {key_help(item)}")
    return "\n".join(lines)


@dataclass
class Tally:
    answered: int = 0
    skipped: int = 0
    left: int = 0
    interrupted: bool = False  # Ctrl-C: what was answered before it is kept

    def summary(self) -> str:
        text = f"{self.answered} answered, {self.skipped} skipped"
        text += f", {self.left} left for another time" if self.left else ""
        return text + (" (interrupted)" if self.interrupted else "")


def run(
    questions: Sequence[Item],
    read_key: Callable[[], str],
    write: Callable[[str], None],
    record: Callable[[Item, str], str],
) -> Tally:
    """Ask each question; ``record(item, answer)`` stores an answer and says what it did.

    ``read_key`` returns one key, or "" at the end of input (taken as quit); when it raises
    KeyboardInterrupt the tally says so and counts what was done before.
    """
    tally = Tally(left=len(questions))
    for number, item in enumerate(questions, 1):
        write(show(item, number, len(questions)))
        while True:
            try:
                key = read_key().lower()
            except KeyboardInterrupt:
                write("  interrupted")
                tally.interrupted = True
                return tally
            if key in ("", QUIT):
                write("  stopped")
                return tally
            if key == SKIP:
                write("  skipped")
                tally.skipped += 1
                break
            choice = item.choice(key)
            if choice is not None:
                write("  " + record(item, choice.answer))
                tally.answered += 1
                break
            if key.isprintable() and key.strip():
                write(f"  {key!r} is not one of the keys: {key_help(item)}")
        tally.left -= 1
    return tally
