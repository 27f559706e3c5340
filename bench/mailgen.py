"""A synthetic mailbox for the sync benchmarks, written straight into Maildir folders.

What it holds, for a given size:

- an INBOX of newsletters, notifications and personal mail (HTML and plain, a few with
  attachments) from a few thousand senders, about 12 KB a message, with the trace headers
  (Received, DKIM, ARC) that make real header blocks 2-4 KB long;
- a Sent folder of everyday mail, applications and scheduling, among which a given number of
  feedback requests, each to a distinct person at a distinct company domain;
- replies to those requests hidden in the inbox noise: threaded and unthreaded, from the
  person asked, from a colleague at the same company, or from a free-mail address that only
  a References header ties to the request; plus out-of-office replies, a bounce and company
  newsletters that a domain search also finds.

Messages are files in ``cur/`` named the way Dovecot names them (with ``S=`` and ``W=`` sizes),
so a fresh Dovecot user indexes 50,000 of them in a second instead of the minutes that
one APPEND per message takes. Generated mailboxes are cached under a directory (by default
``/tmp/fw-bench/mail``) keyed by their parameters, and installed into a Dovecot user's home
with hard links. The request and reply texts come from the product's corpora; everything else
is generated from a seed, so a mailbox is the same on every run.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import random
import shutil
import statistics
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSION = 4  # bump when the output changes, so cached mailboxes are generated again
ANCHOR = datetime(2025, 3, 14, 9, 0, tzinfo=timezone.utc)  # "now" for every generated mailbox
DEFAULT_CACHE = Path(os.environ.get("FW_BENCH_CACHE", "/tmp/fw-bench"))
USER_NAME = "Jordan Lee"
USER_ADDRESS = "jordan.lee@fastmail.com"

WORDS = (
    "the of and to in for is on that by this with you it not or be are from at as your all "
    "have new more an was we will home can us about if page my has search free but our one "
    "other do no information time they site he up may what which their news out use any there "
    "see only so his when contact here business who web also now help get view online first "
    "been would how were me services some these click its like service than find price date "
    "back top people had list name just over state year day into email two health world next "
    "used go work last most products music buy data make them should product system post her "
    "city add policy number such please available copyright support message after best software "
    "then jan good video well where info rights public books high school through each links she "
    "review years order very privacy book items company read group need many user said does set "
    "under general research university january mail full map reviews program life know games way "
    "days management part could great united hotel real item international center ebay must store "
    "travel comments made development report off member details line terms before hotels did send "
    "right type because local those using results office education national car design take posted "
    "internet address community within states area want phone shipping reserved subject between "
    "forum family long based code show even black check special prices website index being women "
    "much sign file link open today technology south case project same pages version section own "
    "found sports house related security both county american photo game members power while care "
    "network down computer systems three total place following download without access think north "
    "resources current posts big media law control water history pictures size art personal since "
    "including guide shop directory board location change white text small rating rate government "
    "children during return students shopping account times sites level digital profile previous "
    "form events love old john main call hours image department title description non insurance "
    "another why shall property class still money quality every listing content country private "
    "little visit save tools low reply customer december compare movies include college value "
    "article york man card jobs provide food source author different press learn sale around print "
    "course job canada process teen room stock training too credit point join science men "
    "categories"
).split()
FIRST = (
    "Anna Ben Carla David Elif Farid Grace Hugo Ines Jonas Kira Luca Mara Nils Olga Pavel "
    "Quinn Rosa Samir Tara Ugo Vera Wim Xenia Yusuf Zoe Aiko Bruno Chloe Dmitri Emma Felix "
    "Greta Hamid Ida Jakob Lena Marco Nadia Oskar Priya Rafael Sofia Tomas Uma Viktor"
).split()
LAST = (
    "Adler Brandt Costa Dubois Eriksen Fischer Garcia Hansen Ivanova Jensen Kowalski Larsen "
    "Moreau Nakamura Okafor Petrov Quinn Rossi Schmidt Tanaka Ueda Vargas Weber Young Zimmer "
    "Andersen Bakker Castillo Dekker Engel Fontaine Gruber Horvat Iqbal Janssen Keller Laine "
    "Meyer Novak Olsen Peeters Romano Silva Thomsen Varga Wagner"
).split()
BRAND_A = (
    "blue north iron bright silver red green swift clear stone oak river cloud metro "
    "urban prime solar harbor maple cedar lumen nova polar summit"
).split()
BRAND_B = (
    "finch line works labs stack forge mart hub ware point field bridge path gate "
    "leaf wave craft base grid nest port loop dock mill"
).split()
FREE_MAIL = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "gmx.de",
    "web.de",
    "icloud.com",
    "hotmail.com",
    "proton.me",
    "fastmail.com",
    "orange.fr",
)
NEWSLETTER_LOCALS = ("newsletter", "news", "hello", "digest", "updates", "team", "marketing")
NOTIFY_LOCALS = ("notifications", "no-reply", "noreply", "alerts", "account", "billing")
NOTIFY_SUBJECTS = (
    "Your order has shipped",
    "New sign-in to your account",
    "Your statement is ready",
    "Payment received",
    "Password changed",
    "Someone commented on your post",
    "Your weekly summary",
    "Security alert",
    "Invoice available",
    "Reminder: upcoming appointment",
    "[repo] Pull request merged",
    "Build failed on main",
    "Delivery update",
)
# Sent mail is read by the request detector, so it is everyday prose, not word salad.
EVERYDAY = (
    "Sounds good, see you on Friday at seven.",
    "Thanks for the photos, they came out great.",
    "Can you send me the address again?",
    "I'll bring the salad and something to drink.",
    "The flat is still available if your cousin is interested.",
    "Let me know when you are back from the trip.",
    "I booked the tickets for the 14th.",
    "Mum says hello and asks whether you got her parcel.",
    "The meeting moved to Thursday morning, same room.",
    "I can't make it this week, maybe next Tuesday?",
    "Here is the recipe I promised.",
    "The bike is in the garage, the key is under the pot.",
    "Could you water the plants while we are away?",
    "We arrive around 6 pm on Saturday.",
    "I paid the electricity bill, we are square now.",
    "Happy birthday! Have a lovely day.",
    "Did you manage to fix the printer in the end?",
    "I attached the scans of the contract.",
    "The kids loved the museum, thanks for the tip.",
    "Running club starts at 8 sharp.",
    "I finished the book, you can have it back on Sunday.",
    "Please remind me to call the landlord about the heating.",
    "The train was late again, I'll be there in twenty minutes.",
    "Lovely to see you yesterday, let's not leave it so long next time.",
    "The insurance form needs your signature on page two.",
    "I found a cheaper flight through Lisbon.",
    "Our dentist appointment is on the 3rd.",
    "Can we split the cost of the present three ways?",
    "The plumber comes between 10 and 12 tomorrow.",
    "Best of luck with the move!",
)
PERSONAL_SUBJECTS = (
    "Dinner on Friday?",
    "photos from the weekend",
    "Re: flat viewing",
    "quick question",
    "Birthday plans",
    "Re: Re: book club",
    "the recipe",
    "Running group this Sunday",
    "Re: holiday dates",
    "Fwd: concert tickets",
    "Moving boxes",
    "Re: your bike",
    "Catching up",
)


@dataclass(frozen=True)
class Spec:
    """How big a mailbox to make."""

    inbox: int
    sent: int
    requests: int
    seed: int = 7
    span_days: int = 730  # the inbox and Sent folder spread over this many days before ANCHOR

    @property
    def key(self) -> str:
        return (
            f"v{VERSION}-i{self.inbox}-s{self.sent}-r{self.requests}-seed{self.seed}"
            f"-d{self.span_days}"
        )


@dataclass(frozen=True)
class Planted:
    """A message placed on purpose: a request, a reply to one, or something that looks like it."""

    message_id: str
    folder: str
    kind: str  # request | reply:<how> | auto_reply | bounce | company_news
    request_id: str = ""  # for replies and their look-alikes: the request they belong to


@dataclass(frozen=True)
class Generated:
    """A generated mailbox on disk and what was planted in it."""

    root: Path  # holds cur/ (the INBOX) and .Sent/cur/
    spec: Spec
    address: str
    anchor: datetime
    planted: tuple[Planted, ...]
    sizes: dict

    @property
    def requests(self) -> list[Planted]:
        return [p for p in self.planted if p.kind == "request"]

    @property
    def replies(self) -> list[Planted]:
        return [p for p in self.planted if p.kind.startswith("reply:")]


# -- text ------------------------------------------------------------------------------------


class _Text:
    """Pools of sentences and random base64, made once per mailbox: rendering must be fast."""

    def __init__(self, rng: random.Random) -> None:
        self.sentences = []
        for _ in range(3000):
            words = rng.choices(WORDS, k=rng.randint(6, 22))
            self.sentences.append(" ".join(words).capitalize() + ".")
        self.b64 = base64.b64encode(rng.randbytes(300_000)).decode()

    def paragraph(self, rng: random.Random, lo: int = 2, hi: int = 6) -> str:
        return _wrap(" ".join(rng.choices(self.sentences, k=rng.randint(lo, hi))))

    def paragraphs(self, rng: random.Random, n: int) -> list[str]:
        return [self.paragraph(rng) for _ in range(n)]

    def token(self, rng: random.Random, n: int) -> str:
        start = rng.randrange(0, len(self.b64) - n)
        return self.b64[start : start + n]


def _wrap(text: str, width: int = 74) -> str:
    lines, line, size = [], [], 0
    for word in text.split(" "):
        if size + len(word) + 1 > width and line:
            lines.append(" ".join(line))
            line, size = [], 0
        line.append(word)
        size += len(word) + 1
    lines.append(" ".join(line))
    return "\n".join(lines)


def _fold(name: str, value: str, width: int = 76) -> str:
    # Fold at spaces (RFC 5322 section 2.2.3); a signature's base64 may break anywhere.
    lines, line = [], f"{name}:"
    for word in value.split(" "):
        while len(word) > width - 4:
            room = max(width - len(line) - 1, 8)
            line += ("" if line == "\t" else " ") + word[:room]
            lines.append(line)
            line, word = "\t", word[room:]
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = "\t" + word
        else:
            line += (" " if line != "\t" else "") + word
    lines.append(line)
    return "\n".join(x for x in lines if x.strip())


# -- senders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sender:
    name: str
    address: str
    kind: str  # newsletter | notification | personal | work


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return first, last


def _senders(rng: random.Random, taken_domains: set[str]) -> list[_Sender]:
    brands = [a + b for a in BRAND_A for b in BRAND_B]
    rng.shuffle(brands)
    brands = [b for b in brands if f"{b}.example" not in taken_domains]
    out = []
    for brand in brands[:260]:
        local = rng.choice(NEWSLETTER_LOCALS)
        out.append(_Sender(brand.capitalize(), f"{local}@news.{brand}.example", "newsletter"))
    for brand in brands[260:400]:
        local = rng.choice(NOTIFY_LOCALS)
        out.append(_Sender(brand.capitalize(), f"{local}@{brand}.example", "notification"))
    for _ in range(2200):
        first, last = _person(rng)
        sep = rng.choice((".", "", "_"))
        num = str(rng.randint(1, 99)) if rng.random() < 0.4 else ""
        address = f"{first}{sep}{last}{num}".lower() + "@" + rng.choice(FREE_MAIL)
        out.append(_Sender(f"{first} {last}", address, "personal"))
    for brand in brands[400:520]:
        for _ in range(4):
            first, last = _person(rng)
            out.append(
                _Sender(f"{first} {last}", f"{first}.{last}@{brand}.example".lower(), "work")
            )
    return out


def _weights(senders: list[_Sender]) -> list[float]:
    # Zipf-like: a few newsletters and friends write most of the mail.
    return [1.0 / (i + 10) for i in range(len(senders))]


# -- messages --------------------------------------------------------------------------------


def _trace(rng: random.Random, text: _Text, domain: str, when: datetime) -> str:
    stamp = format_datetime(when)
    hops = []
    for n in range(rng.randint(2, 4)):
        ip = f"198.51.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        hops.append(
            f"Received: from mail-{n}.{domain} (mail-{n}.{domain} [{ip}])\n"
            f"\tby mx{rng.randint(1, 9)}.messagingengine.com (Postfix) with ESMTPS id "
            f"{text.token(rng, 12).upper()}\n\tfor <{USER_ADDRESS}>; {stamp}"
        )
    selector = rng.choice(("s1", "google", "k1", "mta", "20230601"))
    dkim = (
        f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s={selector}; "
        f"t={int(when.timestamp())}; h=from:to:subject:date:message-id:mime-version:"
        f"content-type:list-unsubscribe; bh={text.token(rng, 44)}; b={text.token(rng, 344)}"
    )
    lines = [
        f"Return-Path: <bounce-{rng.randint(1000, 99999)}@{domain}>",
        f"Delivered-To: {USER_ADDRESS}",
        *hops,
        _fold("DKIM-Signature", dkim),
        f"Authentication-Results: mx.messagingengine.com; dkim=pass header.d={domain};"
        f"\n\tspf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}",
    ]
    if rng.random() < 0.4:
        seal = (
            f"i=1; a=rsa-sha256; cv=none; d=messagingengine.com; s=fm1; "
            f"t={int(when.timestamp())}; b={text.token(rng, 344)}"
        )
        lines.append(_fold("ARC-Seal", seal))
        lines.append(
            _fold(
                "ARC-Message-Signature",
                f"i=1; a=rsa-sha256; c=relaxed/relaxed; d=messagingengine.com; "
                f"h=from:to:subject:date; bh={text.token(rng, 44)}; "
                f"b={text.token(rng, 344)}",
            )
        )
    lines.append(f"X-ME-Spam-Score: {rng.randint(0, 30) / 10}")
    return "\n".join(lines)


def _head(sender: str, to: str, subject: str, when: datetime, mid: str, extra: list[str]) -> str:
    return "\n".join(
        [
            f"From: {sender}",
            f"To: {to}",
            f"Subject: {subject}",
            f"Date: {format_datetime(when)}",
            f"Message-ID: {mid}",
            "MIME-Version: 1.0",
            *extra,
        ]
    )


def _html(paragraphs: list[str], brand: str) -> str:
    cells = "".join(
        '<tr><td style="padding:12px 24px;font-family:Helvetica,Arial,sans-serif;font-size:15px;'
        f'line-height:22px;color:#333333">{p.replace(chr(10), " ")}</td></tr>\n'
        for p in paragraphs
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>td{vertical-align:top}'
        "@media (max-width:600px){.w{width:100%!important}}</style></head><body>\n"
        '<table class="w" width="600" cellpadding="0" cellspacing="0" border="0" '
        'align="center" style="background:#ffffff">\n'
        f'<tr><td style="padding:24px"><img src="https://img.{brand}.example/logo.png" '
        f'alt="{brand}" width="120"></td></tr>\n{cells}'
        f'<tr><td style="font-size:11px;color:#999999;padding:24px">You receive this mail '
        f'because you signed up at {brand}. <a href="https://{brand}.example/unsubscribe">'
        "Unsubscribe</a></td></tr></table></body></html>\n"
    )


def _qp(text: str) -> str:
    return binascii.b2a_qp(text.encode(), istext=True).decode()


def _alternative(rng: random.Random, plain: str, html: str) -> tuple[list[str], str]:
    b = f"==alt_{rng.getrandbits(48):012x}"
    qp_html = rng.random() < 0.6
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n"
        f"{plain}\n--{b}\nContent-Type: text/html; charset=utf-8\n"
        + (
            "Content-Transfer-Encoding: quoted-printable\n\n" + _qp(html)
            if qp_html
            else "Content-Transfer-Encoding: base64\n\n"
            + base64.encodebytes(html.encode()).decode()
        )
        + f"\n--{b}--\n"
    )
    return [f'Content-Type: multipart/alternative; boundary="{b}"'], body


def _with_attachment(rng: random.Random, headers: list[str], body: str) -> tuple[list[str], str]:
    b = f"==mix_{rng.getrandbits(48):012x}"
    size = int(rng.lognormvariate(11, 0.8))  # median ~60 KB, a few of several hundred
    data = base64.encodebytes(rng.randbytes(min(size, 600_000))).decode()
    name = rng.choice(("invoice.pdf", "photo.jpg", "scan.pdf", "tickets.pdf", "slides.pdf"))
    inner = "\n".join(headers)
    return (
        [f'Content-Type: multipart/mixed; boundary="{b}"'],
        f"--{b}\n{inner}\n\n{body}\n--{b}\nContent-Type: application/octet-stream; "
        f'name="{name}"\nContent-Disposition: attachment; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{data}--{b}--\n",
    )


def _noise(
    rng: random.Random,
    text: _Text,
    s: _Sender,
    when: datetime,
    mid: str,
    to: str = f"{USER_NAME} <{USER_ADDRESS}>",
) -> str:
    domain = s.address.rpartition("@")[2]
    extra: list[str] = []
    if s.kind == "newsletter":
        subject = " ".join(rng.choices(WORDS, k=rng.randint(3, 8))).title()
        paras = text.paragraphs(rng, rng.randint(7, 22))
        ctype, body = _alternative(rng, "\n\n".join(paras), _html(paras, domain))
        extra = [
            f"List-Unsubscribe: <https://{domain}/u/{text.token(rng, 24)}>",
            f"List-Id: {s.name} <list.{domain}>",
            "Precedence: bulk",
            *ctype,
        ]
    elif s.kind == "notification":
        subject = rng.choice(NOTIFY_SUBJECTS)
        paras = text.paragraphs(rng, rng.randint(2, 5))
        if rng.random() < 0.5:
            ctype, body = _alternative(rng, "\n\n".join(paras), _html(paras, domain))
        else:
            ctype = [
                "Content-Type: text/html; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
            ]
            body = _qp(_html(paras, domain))
        extra = ["Auto-Submitted: auto-generated", *ctype]
    else:
        subject = rng.choice(PERSONAL_SUBJECTS)
        body = "\n\n".join(text.paragraphs(rng, rng.randint(1, 5)))
        if rng.random() < 0.3:
            quoted = "\n".join(
                "> " + line
                for line in "\n\n".join(text.paragraphs(rng, rng.randint(2, 6))).split("\n")
            )
            body += f"\n\nOn {format_datetime(when - timedelta(days=1))}, {to} wrote:\n{quoted}"
        body += f"\n\n{s.name.split()[0]}\n"
        extra = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit"]
    if rng.random() < (0.08 if s.kind == "personal" else 0.01):
        content = [h for h in extra if h.startswith("Content-")]
        ctype, body = _with_attachment(rng, content, body)
        extra = [h for h in extra if not h.startswith("Content-")] + ctype
    return (
        _trace(rng, text, domain, when)
        + "\n"
        + _head(f"{s.name} <{s.address}>", to, subject, when, mid, extra)
        + "\n\n"
        + body
    )


def _sent_plain(
    sender_to: str, subject: str, body: str, when: datetime, mid: str, extra: list[str] = ()
) -> str:
    return (
        _head(
            f"{USER_NAME} <{USER_ADDRESS}>",
            sender_to,
            subject,
            when,
            mid,
            [
                *extra,
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "User-Agent: Mozilla Thunderbird",
            ],
        )
        + "\n\n"
        + body
        + "\n"
    )


# -- the corpus texts ------------------------------------------------------------------------


def _jsonl(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def corpus_replies() -> list[dict]:
    """The reply corpus items (every file), in a fixed order."""
    items: list[dict] = []
    for path in sorted((REPO / "models" / "corpus").glob("replies-*.jsonl")):
        items += _jsonl(path)
    return items


def _corpus_requests() -> tuple[list[dict], list[dict]]:
    items = _jsonl(REPO / "models" / "corpus" / "requests.jsonl")
    asks = [
        i
        for i in items
        if i["is_request"]
        and i.get("ask") == "first"
        and i.get("lang") == "en"
        and not i.get("hard")
    ]
    others = [i for i in items if not i["is_request"]]
    return asks, others


# -- the mailbox -----------------------------------------------------------------------------

REPLY_KINDS = (
    "threaded",
    "threaded_html",
    "unthreaded",
    "colleague_threaded",
    "colleague_unthreaded",
    "references_only",
    "in_reply_to_only",
    "unthreaded_capitalised",
)


def _plan_requests(rng: random.Random, spec: Spec) -> list[dict]:
    asks, _ = _corpus_requests()
    rng.shuffle(asks)
    chosen, domains = [], set()
    for item in asks:
        domain = item["to_addr"].rpartition("@")[2].lower()
        if domain in domains or domain in FREE_MAIL or not domain.endswith(".example"):
            continue
        domains.add(domain)
        chosen.append(item)
        if len(chosen) == spec.requests:
            break
    if len(chosen) < spec.requests:
        raise ValueError(f"the request corpus has only {len(chosen)} usable first asks")
    replies = [i for i in corpus_replies() if not i.get("auto_submitted")]
    out = []
    for n, item in enumerate(chosen):
        when = (
            ANCHOR
            - timedelta(days=80)
            + timedelta(days=70 * n / max(spec.requests, 1), minutes=rng.randint(0, 600))
        )
        out.append(
            {
                "n": n,
                "item": item,
                "when": when,
                "mid": f"<req{n}.{rng.getrandbits(40):010x}@fastmail.com>",
                "reply_item": replies[rng.randrange(len(replies))],
                "reply_kind": REPLY_KINDS[n % len(REPLY_KINDS)],
            }
        )
    return out


def _request_message(req: dict) -> str:
    item = req["item"]
    return _sent_plain(
        f"{item.get('to_name') or ''} <{item['to_addr']}>".strip(),
        item["subject"],
        item["body_text"],
        req["when"],
        req["mid"],
    )


def _reply_message(rng: random.Random, text: _Text, req: dict) -> tuple[str, str, datetime]:
    item, reply, kind = req["item"], req["reply_item"], req["reply_kind"]
    to_addr = item["to_addr"]
    domain = to_addr.rpartition("@")[2]
    when = req["when"] + timedelta(days=rng.uniform(0.3, 9))
    mid = f"<rep{req['n']}.{rng.getrandbits(40):010x}@{domain}>"
    sender = f"{item.get('to_name') or 'Hiring Manager'} <{to_addr}>"
    if kind.startswith("colleague"):
        sender = f"{reply.get('from_name') or 'Talent Team'} <talent.team@{domain}>"
    elif kind == "references_only":
        first, last = _person(rng)
        sender = f"{first} {last} <{first}.{last}.recruits@gmail.com>".lower()
    elif kind == "unthreaded_capitalised":
        local, _, dom = to_addr.partition("@")
        sender = f"{item.get('to_name') or ''} <{local.title()}@{dom.upper()}>"
    threaded = kind not in ("unthreaded", "colleague_unthreaded", "unthreaded_capitalised")
    subject = "Re: " + item["subject"] if threaded else (reply.get("subject") or "Your interview")
    if not threaded and subject.lower().startswith("re:"):
        subject = "Your interview with us"
    extra = []
    if kind == "references_only":
        extra.append(f"References: <thread-{req['n']}@jobs.example> {req['mid']}")
    elif kind == "in_reply_to_only":
        extra.append(f"In-Reply-To: {req['mid']}")
    elif threaded:
        extra += [f"In-Reply-To: {req['mid']}", f"References: {req['mid']}"]
    body = reply.get("body_text") or ""
    if threaded:
        quoted = "\n".join("> " + line for line in item["body_text"].split("\n"))
        body += (
            f"\n\nOn {format_datetime(req['when'])}, {USER_NAME} <{USER_ADDRESS}> wrote:\n" + quoted
        )
    if kind == "threaded_html" or (not body.strip() and reply.get("body_html")):
        html = reply.get("body_html") or "<p>" + body.replace("\n\n", "</p><p>") + "</p>"
        ctype, payload = _alternative(rng, body, html)
    else:
        ctype, payload = (
            ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"],
            body,
        )
    raw = (
        _trace(rng, text, domain, when)
        + "\n"
        + _head(sender, f"{USER_NAME} <{USER_ADDRESS}>", subject, when, mid, [*extra, *ctype])
        + "\n\n"
        + payload
        + "\n"
    )
    return raw, mid, when


def _lookalikes(
    rng: random.Random, text: _Text, req: dict
) -> Iterator[tuple[str, str, datetime, str]]:
    """Out-of-office replies, a bounce, and the company's newsletters: found, not replies."""
    n, item = req["n"], req["item"]
    domain = item["to_addr"].rpartition("@")[2]
    if n % 5 == 1:
        when = req["when"] + timedelta(minutes=2)
        mid = f"<ooo{n}.{rng.getrandbits(32):08x}@{domain}>"
        raw = (
            _trace(rng, text, domain, when)
            + "\n"
            + _head(
                f"{item.get('to_name') or ''} <{item['to_addr']}>",
                f"{USER_NAME} <{USER_ADDRESS}>",
                "Automatic reply: " + item["subject"],
                when,
                mid,
                [
                    f"In-Reply-To: {req['mid']}",
                    "Auto-Submitted: auto-replied",
                    "Content-Type: text/plain; charset=utf-8",
                ],
            )
            + "\n\nI am out of the office until Monday with limited access to email.\n"
        )
        yield raw, mid, when, "auto_reply"
    if n == 2:
        when = req["when"] + timedelta(minutes=1)
        mid = f"<bounce{n}.{rng.getrandbits(32):08x}@mx.fastmail.com>"
        b = "==dsn"
        raw = (
            _head(
                "Mail Delivery System <MAILER-DAEMON@mx.fastmail.com>",
                USER_ADDRESS,
                "Undelivered Mail Returned to Sender",
                when,
                mid,
                [
                    "Auto-Submitted: auto-replied",
                    f'Content-Type: multipart/report; report-type=delivery-status; boundary="{b}"',
                ],
            )
            + f"\n\n--{b}\nContent-Type: text/plain\n\nThis is the mail system. Your message "
            f"could not be delivered.\n--{b}\nContent-Type: message/delivery-status\n\n"
            f"Reporting-MTA: dns; mx.fastmail.com\n\nFinal-Recipient: rfc822; "
            f"{item['to_addr']}\nAction: failed\nStatus: 5.1.1\n--{b}\n"
            f"Content-Type: message/rfc822\n\n{_request_message(req)}\n--{b}--\n"
        )
        yield raw, mid, when, "bounce"
    if n % 3 == 0:
        brand = domain.split(".")[0]
        sender = _Sender(brand.capitalize(), f"news@{domain}", "newsletter")
        for k in range(4):
            when = req["when"] + timedelta(days=rng.uniform(-40, 20))
            mid = f"<cnews{n}.{k}.{rng.getrandbits(32):08x}@{domain}>"
            yield _noise(rng, text, sender, when, mid), mid, when, "company_news"


REPLY_VARIANTS = ("plain", "quoted", "alternative", "html_only", "latin1")


def reply_messages(count: int, seed: int = 11) -> list[tuple[bytes, str]]:
    """``count`` raw replies from the reply corpus with their labels, in varied MIME forms.

    Each corpus item in turn, in one of REPLY_VARIANTS: plain text; plain text quoting a
    feedback request below the reply; text and HTML alternatives (quoted-printable HTML);
    base64 HTML only; quoted-printable Latin-1. All carry a realistic trace-header block.
    """
    rng = random.Random(seed)
    text = _Text(rng)
    items = corpus_replies()
    asks, _ = _corpus_requests()
    out = []
    for n in range(count):
        item = items[n % len(items)]
        variant = REPLY_VARIANTS[(n // len(items) + n) % len(REPLY_VARIANTS)]
        when = ANCHOR - timedelta(days=rng.uniform(0, 60))
        addr = item.get("from_addr") or "someone@corpus.example"
        domain = addr.rpartition("@")[2]
        body = item.get("body_text") or ""
        html = item.get("body_html")
        extra = []
        if item.get("auto_submitted"):
            extra.append(f"Auto-Submitted: {item['auto_submitted']}")
        ask = asks[n % len(asks)]
        if variant == "quoted" and body:
            quoted = "\n".join("> " + line for line in ask["body_text"].split("\n"))
            body += (
                f"\n\nOn {format_datetime(when - timedelta(days=2))}, {USER_NAME} "
                f"<{USER_ADDRESS}> wrote:\n{quoted}"
            )
            extra.append(f"In-Reply-To: <ask{n}@fastmail.com>")
        if variant in ("alternative", "html_only") or not body:
            html = html or "<div>" + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</div>"
        if variant == "html_only" or not body:
            ctype = ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64"]
            payload = base64.encodebytes(html.encode()).decode()
        elif variant == "alternative":
            ctype, payload = _alternative(rng, body, html)
        elif variant == "latin1":
            ctype = [
                "Content-Type: text/plain; charset=iso-8859-1",
                "Content-Transfer-Encoding: quoted-printable",
            ]
            payload = binascii.b2a_qp(body.encode("latin-1", "replace")).decode()
        else:
            ctype = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            payload = body
        subject = " ".join((item.get("subject") or "").split())
        raw = (
            _trace(rng, text, domain, when)
            + "\n"
            + _head(
                f"{' '.join((item.get('from_name') or '').split())} <{addr}>",
                f"{USER_NAME} <{USER_ADDRESS}>",
                subject,
                when,
                f"<r{n}.{rng.getrandbits(32):08x}@{domain}>",
                [*extra, *ctype],
            )
            + "\n\n"
            + payload
            + "\n"
        )
        out.append((raw.encode(), item["label"]))
    return out


def _filename(when: datetime, seq: int, raw: bytes, seen: bool) -> str:
    vsize = len(raw) + raw.count(b"\n")
    return f"{int(when.timestamp())}.M{seq:06d}P1.bench,S={len(raw)},W={vsize}:2," + (
        "S" if seen else ""
    )


def _write(folder: Path, entries: list[tuple[datetime, int, bytes]]) -> list[int]:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    entries.sort(key=lambda e: (e[0], e[1]))
    sizes = []
    recent = ANCHOR - timedelta(days=3)
    for seq, (when, _, raw) in enumerate(entries):
        path = folder / "cur" / _filename(when, seq, raw, when < recent)
        path.write_bytes(raw)
        ts = when.timestamp()
        os.utime(path, (ts, ts))  # Maildir INTERNALDATE is the file's mtime; SINCE searches it
        sizes.append(len(raw))
    return sizes


def generate(spec: Spec, dest: Path) -> Generated:
    """Write the mailbox under ``dest`` (INBOX in cur/, Sent in .Sent/cur/)."""
    rng = random.Random(spec.seed)
    text = _Text(rng)
    requests = _plan_requests(rng, spec)
    company_domains = {r["item"]["to_addr"].rpartition("@")[2].lower() for r in requests}
    senders = _senders(rng, company_domains)
    weights = _weights(senders)
    planted: list[Planted] = []
    inbox: list[tuple[datetime, int, bytes]] = []
    span = spec.span_days * 86400
    start = ANCHOR - timedelta(days=spec.span_days)
    picks = rng.choices(senders, weights=weights, k=spec.inbox)
    for i, s in enumerate(picks):
        when = start + timedelta(seconds=rng.uniform(0, span))
        mid = f"<n{i}.{rng.getrandbits(48):012x}@{s.address.rpartition('@')[2]}>"
        inbox.append((when, i, _noise(rng, text, s, when, mid).encode()))
    # A few notes the user mailed to themself: own mail in the INBOX, as real mailboxes have.
    for k in range(min(5, spec.inbox // 100 + 1)):
        when = start + timedelta(seconds=rng.uniform(0, span))
        inbox.append(
            (
                when,
                spec.inbox + k,
                _sent_plain(
                    USER_ADDRESS,
                    f"note to self {k}",
                    text.paragraph(rng),
                    when,
                    f"<self{k}.{rng.getrandbits(32):08x}@fastmail.com>",
                ).encode(),
            )
        )
    seq = spec.inbox + 10
    for req in requests:
        raw, mid, when = _reply_message(rng, text, req)
        inbox.append((when, seq, raw.encode()))
        seq += 1
        planted.append(Planted(mid, "INBOX", "reply:" + req["reply_kind"], req["mid"]))
        for raw, mid, when, kind in _lookalikes(rng, text, req):
            inbox.append((when, seq, raw.encode()))
            seq += 1
            planted.append(Planted(mid, "INBOX", kind, req["mid"]))
    sent: list[tuple[datetime, int, bytes]] = []
    _, others = _corpus_requests()
    contacts = [s for s in senders if s.kind in ("personal", "work")]
    for i in range(max(spec.sent - len(requests), 0)):
        when = start + timedelta(seconds=rng.uniform(0, span))
        mid = f"<s{i}.{rng.getrandbits(48):012x}@fastmail.com>"
        if rng.random() < 0.15:
            item = rng.choice(others)
            raw = _sent_plain(item["to_addr"], item["subject"], item["body_text"], when, mid)
        else:
            to = rng.choice(contacts)
            body = (
                f"Hi {to.name.split()[0]},\n\n"
                + _wrap(" ".join(rng.sample(EVERYDAY, rng.randint(2, 6))))
                + "\n\nJordan"
            )
            raw = _sent_plain(
                f"{to.name} <{to.address}>", rng.choice(PERSONAL_SUBJECTS), body, when, mid
            )
        sent.append((when, i, raw.encode()))
    for req in requests:
        sent.append((req["when"], spec.sent + req["n"], _request_message(req).encode()))
        planted.append(Planted(req["mid"], "Sent", "request"))
    inbox_sizes = _write(dest, inbox)
    sent_sizes = _write(dest / ".Sent", sent)
    sizes = {
        "inbox_messages": len(inbox_sizes),
        "inbox_bytes": sum(inbox_sizes),
        "inbox_median": int(statistics.median(inbox_sizes)) if inbox_sizes else 0,
        "inbox_mean": int(statistics.fmean(inbox_sizes)) if inbox_sizes else 0,
        "sent_messages": len(sent_sizes),
        "sent_bytes": sum(sent_sizes),
    }
    return Generated(dest, spec, USER_ADDRESS, ANCHOR, tuple(planted), sizes)


def _manifest(g: Generated) -> dict:
    return {
        "spec": asdict(g.spec),
        "address": g.address,
        "anchor": g.anchor.isoformat(),
        "planted": [asdict(p) for p in g.planted],
        "sizes": g.sizes,
    }


def _from_manifest(root: Path, data: dict) -> Generated:
    return Generated(
        root,
        Spec(**data["spec"]),
        data["address"],
        datetime.fromisoformat(data["anchor"]),
        tuple(Planted(**p) for p in data["planted"]),
        data["sizes"],
    )


def ensure(spec: Spec, cache: Path = DEFAULT_CACHE) -> Generated:
    """The mailbox for ``spec``, generated once and then read from the cache."""
    root = cache / "mail" / spec.key
    manifest = root / "manifest.json"
    if manifest.exists():
        return _from_manifest(root, json.loads(manifest.read_text()))
    tmp = cache / "mail" / (spec.key + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    g = generate(spec, tmp)
    (tmp / "manifest.json").write_text(json.dumps(_manifest(g), indent=1))
    if os.geteuid() == 0:
        _chown_tree(tmp)  # Dovecot reads the mail as nobody; hard links share the owner
    try:
        tmp.rename(root)
    except OSError:  # another run finished the same mailbox first
        shutil.rmtree(tmp, ignore_errors=True)
    return _from_manifest(root, json.loads(manifest.read_text()))


def _chown_tree(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        shutil.chown(dirpath, "nobody", "nogroup")
        for f in files:
            shutil.chown(os.path.join(dirpath, f), "nobody", "nogroup")


def install(g: Generated, home: Path) -> None:
    """Hard-link the generated folders into a Dovecot user's (not yet indexed) Maildir home."""
    as_root = os.geteuid() == 0
    for src in (g.root, g.root / ".Sent"):
        dst = home / src.relative_to(g.root)
        for sub in ("cur", "new", "tmp"):
            (dst / sub).mkdir(parents=True, exist_ok=True)
            if as_root:
                shutil.chown(dst / sub, "nobody", "nogroup")
        if as_root:
            shutil.chown(dst, "nobody", "nogroup")
        for entry in os.scandir(src / "cur"):
            os.link(entry.path, dst / "cur" / entry.name)
    if as_root:
        shutil.chown(home, "nobody", "nogroup")


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inbox", type=int, default=1000)
    ap.add_argument("--sent", type=int, default=200)
    ap.add_argument("--requests", type=int, default=15)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = ap.parse_args(argv)
    g = ensure(Spec(args.inbox, args.sent, args.requests, args.seed), args.cache)
    print(json.dumps({"root": str(g.root), **g.sizes, "planted": len(g.planted)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
