"""Messages per second through parse_message + replies.visible_text on one core.

Generates a fixed, seeded mix of realistic messages (about 10 KB on average): plain+HTML
replies quoting the original, HTML-only replies, quoted-printable Latin-1 replies, base64 UTF-8
replies, and a few auto-replies and bounces. Each message is parsed from bytes and its visible
text extracted, the way a sync does it. Run from the repository root:

    python bench/bench_parse.py            # 2,000 messages, best of 3 rounds
    python bench/bench_parse.py --profile  # plus the top functions by cumulative time
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import pstats
import quopri
import random
import statistics
import sys
import time
from collections.abc import Callable

from watcher.mail.headers import clear_caches
from watcher.mail.messages import parse_message
from watcher.replytext import visible_text

TARGET = 2000  # messages per second

WORDS = (
    "thank you for your time interview team feedback panel role we decided candidate experience "
    "strong skills however unfortunately process next steps system design communication example "
    "project impressed portfolio coding exercise position application hiring manager decision "
    "wish best luck future opportunity colleagues discussion technical depth culture"
).split()
NAMES = [
    "Anita Kowalski",
    "Jürgen Weiß",
    "Sofie Lindqvist",
    "Dana Whitfield",
    "Priya Raman",
    "Marc Dubois",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def wrap(text: str, width: int = 72) -> str:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def headers(rng: random.Random, i: int, extra: str = "") -> str:
    name = rng.choice(NAMES)
    subject = rng.choice(
        [
            "Re: Feedback on my interview",
            "AW: Rückmeldung",
            "RE: Following up",
            "Re: Re: Your application",
        ]
    )
    enc_name = "=?utf-8?B?" + base64.b64encode(name.encode()).decode() + "?="
    return (
        f"Received: from mx{i % 7}.corp.example by mx.mail.example;"
        f" Tue, 4 Mar 2025 10:{i % 60:02d}:00 +0000\n"
        f"From: {enc_name} <person{i}@corp.example>\nTo: Alex Candidate <alex@mail.example>\n"
        f"Cc: Recruiter {i % 50} <recruiter{i % 50}@corp.example>\nSubject: {subject}\nDate: Tue, "
        f"4 Mar 2025 10:{i % 60:02d}:00 +0100\n"
        f"Message-ID: <msg{i}@corp.example>\nIn-Reply-To: <req{i}@mail.example>\n"
        f"References: <first{i}@mail.example> <req{i}@mail.example>\nMIME-Version: 1.0\n{extra}"
    )


def reply_parts(rng: random.Random) -> tuple[str, str]:
    new = "\n\n".join(wrap(paragraph(rng, rng.randint(2, 5))) for _ in range(rng.randint(1, 3)))
    original = "\n\n".join(
        wrap(paragraph(rng, rng.randint(4, 8))) for _ in range(rng.randint(5, 9))
    )
    quoted = "\n".join("> " + line if line else ">" for line in original.splitlines())
    return new, "On Mon, 3 Mar 2025 at 09:00, Alex Candidate <alex@mail.example> wrote:\n" + quoted


def html_of(new: str, original: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in new.split("\n\n"))
    quoted = "".join(f"<p>{p}</p>" for p in original.split("\n\n"))
    return (
        '<html><head><style>p{margin:0}</style></head><body><div dir="ltr">'
        + paras
        + '<br><div class="gmail_quote"><div class="gmail_attr">On Mon, 3 Mar 2025 Alex '
        "wrote:</div>"
        '<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid">'
        + quoted
        + "</blockquote></div></div></body></html>"
    )


def alternative(rng: random.Random, i: int) -> bytes:
    new, quote = reply_parts(rng)
    plain = new + "\n\n" + quote + "\n"
    html = html_of(new, quote.split("\n", 1)[1].replace("> ", ""))
    body = (
        "--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
        "quoted-printable\n\n"
        + quopri.encodestring(plain.encode()).decode()
        + "\n--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: "
        "quoted-printable\n\n" + quopri.encodestring(html.encode()).decode() + "\n--alt--\n"
    )
    return (
        headers(rng, i, 'Content-Type: multipart/alternative; boundary="alt"\n') + "\n" + body
    ).encode()


def html_only(rng: random.Random, i: int) -> bytes:
    new, quote = reply_parts(rng)
    html = html_of(new, quote.split("\n", 1)[1].replace("> ", ""))
    body = base64.encodebytes(html.encode()).decode()
    extra = "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n"
    return (headers(rng, i, extra) + "\n" + body).encode()


def latin1_plain(rng: random.Random, i: int) -> bytes:
    new, quote = reply_parts(rng)
    text = "Grüße aus München.\n\n" + new + "\n\nMit freundlichen Grüßen\nJürgen\n\n" + quote + "\n"
    extra = (
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n"
    )
    return (headers(rng, i, extra) + "\n").encode() + quopri.encodestring(
        text.encode("latin-1", "replace")
    )


def automatic(rng: random.Random, i: int) -> bytes:
    if rng.random() < 0.5:
        extra = "Auto-Submitted: auto-replied\nContent-Type: text/plain; charset=utf-8\n"
        body = "I am out of the office and back on 12 March.\n\n" + paragraph(rng, 4)
        return (
            headers(rng, i, extra).replace("Re: ", "Automatic reply: ", 1) + "\n" + body
        ).encode()
    body = (
        "--r\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n"
        f"Final-Recipient: rfc822; gone{i}@corp.example\nAction: failed\nStatus: 5.1.1\n"
        "--r\nContent-Type: message/rfc822\n\nFrom: alex@mail.example\nSubject: Feedback\n\n"
        + paragraph(rng, 20)
        + "\n--r--\n"
    )
    extra = 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n'
    return (headers(rng, i, extra) + "\n" + body).encode()


MIX: list[tuple[float, Callable[[random.Random, int], bytes]]] = [
    (0.45, alternative),
    (0.25, html_only),
    (0.20, latin1_plain),
    (0.10, automatic),
]


def corpus(n: int, seed: int = 1) -> list[bytes]:
    rng = random.Random(seed)
    makers = [maker for share, maker in MIX for _ in range(int(share * 100))]
    return [rng.choice(makers)(rng, i) for i in range(n)]


def run(messages: list[bytes], with_replies: bool = True, cold: bool = False) -> float:
    """CPU seconds for one pass: process time, so other work on a shared machine does not count.

    `cold` empties the header caches before every message: the worst case, a mailbox where no
    subject or address ever repeats.
    """
    start = time.process_time()
    for raw in messages:
        if cold:
            clear_caches()
        m = parse_message(raw)
        if with_replies:
            visible_text(m.body_text)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="messages per round (default 2000)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds; the best one counts (default 3)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print the top functions by cumulative time"
    )
    args = parser.parse_args(argv)

    messages = corpus(args.n)
    sizes = [len(m) for m in messages]
    print(
        f"{len(messages)} messages, mean {statistics.mean(sizes) / 1024:.1f} KB, "
        f"median {statistics.median(sizes) / 1024:.1f} KB, {sum(sizes) / 1e6:.1f} MB in all"
    )
    run(messages[:200])  # warm caches (regexes, codec lookups)
    parse_only = min(run(messages, with_replies=False) for _ in range(args.rounds))
    both = min(run(messages) for _ in range(args.rounds))
    cold = min(run(messages, cold=True) for _ in range(args.rounds))
    rate = len(messages) / both
    n = len(messages)
    print(f"parse_message only:                    {n / parse_only:8.0f} messages/s")
    print(f"parse_message + visible_text:          {rate:8.0f} messages/s  (target >= {TARGET})")
    print(f"  the same, header caches always cold: {n / cold:8.0f} messages/s")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(messages)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
