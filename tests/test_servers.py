"""The scenario mailboxes synced through the servers job seekers use (the quirk proxy).

Each case loads a scenario mailbox (tests/scenarios/) into Dovecot, in the folder layout of the
server imitated, and syncs it through ``ImapQuirkProxy`` with that server's quirks. The answer
must not depend on the server: every thread of ``digest --json`` equals the thread the same
mailbox gives on plain Dovecot (through a proxy without quirks, so traffic is measured alike).
And on every server: the sync exits 0, changes no flag, and a second sync at once is a
no-change poll (no body fetched, no more searches than plain Dovecot's poll).

Then the cases that need a misbehaving server: a reply left out of a FETCH or sent as NIL is
fetched on the next sync, and a folder the server refuses makes the sync partial (exit 7)
without holding back the others.

Run with ``-s`` to see one table row per case (the numbers in the report of this change).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import Mailbox
from imapclient.imap_utf7 import decode as utf7_decode
from imapquirks import (
    FETCH_COMMANDS,
    SEARCH_COMMANDS,
    Command,
    ImapQuirkProxy,
    Quirk,
    fetch_attributes,
    fetches_body,
    gmail_layout,
    imap_utf7,
    m365_capabilities,
    nil_body,
    omit_fetch_uid,
    references_never_match,
    refuse_folder,
    refuse_header_search,
    refuse_or,
    refuse_parentheses,
    word_based_from,
)
from scenariolib import Layout, all_flags, as_is, digest, expected, load, message_id, run

from watcher.errors import EXIT_PARTIAL
from watcher.storage import Store
from watcher.sync import SearchPlan

pytestmark = pytest.mark.dovecot

ALL_MAIL = "[Gmail]/All Mail"


# -- extra mail: what only one kind of search finds ------------------------------------------


def _mail(head: dict[str, str], body: str) -> bytes:
    lines = [f"{k}: {v}" for k, v in head.items()]
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"', ""]
    return ("\r\n".join(lines) + "\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()


# Threaded only through References, from a personal address no request went to: only
# HEADER References finds it (Gmail and Outlook.com answer that search with nothing).
LENA_REFERENCES_ONLY = _mail(
    {
        "Date": "Tue, 10 Jun 2025 21:14:00 +0200",
        "From": "Tobias Brandt <tobias.brandt.privat@gmail.com>",
        "To": "Lena Hoffmann <lena.hoffmann@posteo.example>",
        "Subject": "Re: Rückfrage zu meinem Interview",
        "Message-ID": "<CAJx7pQe3privat@mail.gmail.com>",
        "References": "<9958555b-4f4e-9651-04c4-1add42d8a9e0@posteo.example>",
    },
    "Hallo Lena,\n\nich schreibe dir privat, weil ich im Büro nicht dazu komme. Fachlich war "
    "dein Gespräch stark; gefehlt hat uns ein konkretes Beispiel, wie du Datenqualität in "
    "Produktion überwachst. Das würde ich beim nächsten Mal in den Vordergrund stellen.\n\n"
    "Viele Grüße\nTobias",
)
SANNE_REFERENCES_ONLY = _mail(
    {
        "Date": "Tue, 28 Jan 2025 20:02:00 +0100",
        "From": "Femke Bakker <femkebakker82@hotmail.com>",
        "To": "Sanne de Vries <sanne.devries@kpnmail.example>",
        "Subject": "Re: Terugkoppeling gesprek UX-onderzoeker",
        "Message-ID": "<DB9PR02MB71F3@DB9PR02MB71F3.eurprd02.prod.outlook.com>",
        "References": "<D3F420D2-D099-9A11-AEF1-8A1BFDBC7000@kpnmail.example>",
    },
    "Hoi Sanne,\n\nsorry voor de late reactie, ik stuur dit vanaf mijn eigen adres. Je "
    "onderzoeksplan was sterk, maar in de presentatie miste ik hoe je de inzichten aan het "
    "team zou overdragen. Daar zou ik de volgende keer meer tijd aan besteden.\n\nGroet,\nFemke",
)
# A colleague of the person asked, no threading headers: only FROM "@domain" finds it
# (word-based search answers that with nothing).
TOM_COLLEAGUE_UNTHREADED = _mail(
    {
        "Date": "Mon, 28 Oct 2024 10:41:00 +0000",
        "From": "Priya Nair <priya.nair@ironbridge.example>",
        "To": "tom.okafor@fastmail.example",
        "Subject": "Your interview with Ironbridge",
        "Message-ID": "<5f2c9e1a-77b0-4c1e-9d1e-ironbridge@ironbridge.example>",
    },
    "Hi Tom,\n\nGreg asked me to reply as he is travelling. The panel liked your system design "
    "answer; what held you back was the coding exercise, where the tests were incomplete. "
    "More practice with test-first exercises would help.\n\nBest,\nPriya",
)

EXTRA: dict[str, dict[str, list[bytes]]] = {
    "lena_berlin": {"INBOX": [LENA_REFERENCES_ONLY]},
    "sanne_utrecht": {"INBOX": [SANNE_REFERENCES_ONLY]},
    "tom_leeds": {"INBOX": [TOM_COLLEAGUE_UNTHREADED]},
}


# -- layouts ----------------------------------------------------------------------------------


def gmail_of(sent: str, drafts: str | None = None) -> Layout:
    """A plain mailbox as Gmail holds it: every message in [Gmail]/All Mail too, INBOX and
    the other folders as labels, Sent and Drafts under [Gmail] (drafts flagged \\Draft in All
    Mail as well), replies also in [Gmail]/Important."""

    def layout(folder: str, name: str) -> list[tuple[str, Sequence[bytes]]]:
        if folder == drafts:
            return [("[Gmail]/Drafts", (b"\\Draft",)), (ALL_MAIL, (b"\\Draft",))]
        out: list[tuple[str, Sequence[bytes]]] = [(ALL_MAIL, ())]
        out.append(("[Gmail]/Sent Mail" if folder == sent else folder, ()))
        if "-reply-" in name:
            out.append(("[Gmail]/Important", ()))
        return out

    return layout


def diego_labels(folder: str, name: str) -> list[tuple[str, Sequence[bytes]]]:
    """Diego's mailbox is Gmail's already; his requests and replies also carry a label."""
    out: list[tuple[str, Sequence[bytes]]] = [(folder, ())]
    if folder != ALL_MAIL and re.search(r"-(reply|request|second-ask|third-ask)-", name):
        out.append(("Trabajo", ()))
    return out


def m365_of(sent: str) -> Layout:
    """A plain mailbox as Microsoft 365 names its folders (Sent Items; Archive stays), with
    a Calendar folder (Exchange lists it among the mail folders) holding the invitations."""

    def layout(folder: str, name: str) -> list[tuple[str, Sequence[bytes]]]:
        out: list[tuple[str, Sequence[bytes]]] = [("Sent Items" if folder == sent else folder, ())]
        if "-invite-" in name:
            out.append(("Calendar", ()))
        if "-newsletter" in name:
            out.append(("Deleted Items", ()))
        if "-jobalert" in name:
            out.append(("Junk Email", ()))
        return out

    return layout


def without(skip: str) -> Layout:
    def layout(folder: str, name: str) -> list[tuple[str, Sequence[bytes]]]:
        return [] if folder == skip else [(folder, ())]

    return layout


# -- one sync through the proxy, measured -----------------------------------------------------


@dataclass
class Pass:
    """One ``feedback-watcher sync`` as the proxy saw it."""

    code: int
    out: str
    searches: int
    body_fetches: int  # FETCH commands asking for message content
    bodies: list[tuple[str, int]]  # (folder, UID) of every body asked for
    bytes: int  # client to proxy plus proxy to client


def _sequence_set(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition(":")
        if lo.isdigit() and (not hi or hi.isdigit()):
            out += range(int(lo), int(hi or lo) + 1)
    return out


# A whole message (BODY[], BODY.PEEK[]<0.n>, RFC822, BINARY[]), not a header scan.
_WHOLE = re.compile(rb"(BODY(\.PEEK)?\[\]|BINARY(\.PEEK)?\[\]|RFC822\Z)", re.I)


def _bodies(commands: Sequence[Command]) -> list[tuple[str, int]]:
    """(folder, UID) of every whole message the commands asked for."""
    out: list[tuple[str, int]] = []
    folder = ""
    for cmd in commands:
        args = cmd.args()
        if cmd.name in ("SELECT", "EXAMINE") and args:
            folder = utf7_decode(args[0].value)
            continue
        found = fetch_attributes(cmd) if cmd.name in FETCH_COMMANDS and args else None
        if found and any(_WHOLE.match(t.value) for t in found[0]):
            out += [(folder, uid) for uid in _sequence_set(args[0].value.decode())]
    return out


@dataclass
class Server:
    """A scenario mailbox behind a quirk proxy; the config points at the proxy."""

    mb: Mailbox
    proxy: ImapQuirkProxy
    passes: list[Pass] = field(default_factory=list)

    def sync(self, now: str, *quirks: Quirk) -> Pass:
        """One sync; ``quirks`` replace the proxy's for it (none: a healthy server)."""
        self.proxy.quirks = list(quirks)
        log = self.proxy.log
        start = len(log.commands)
        before = log.bytes_from_client + log.bytes_to_client
        code, out = run(self.mb, "sync", "--now", now)
        logged = log.commands[start:]
        sent = [
            Command.parse(c.forwarded if c.forwarded is not None else bytes(c.raw))
            for c in logged
            if not c.answered
        ]
        result = Pass(
            code,
            out,
            searches=sum(c.name in SEARCH_COMMANDS for c in logged),
            body_fetches=sum(c.name in FETCH_COMMANDS and fetches_body(c) for c in sent),
            bodies=_bodies(sent),
            bytes=log.bytes_from_client + log.bytes_to_client - before,
        )
        self.passes.append(result)
        return result

    def plan(self) -> SearchPlan:
        store = Store.open(self.mb.data_dir)
        try:
            return SearchPlan.load(store.get("search_plan:test"))
        finally:
            store.close()

    def status(self) -> str:
        code, out = run(self.mb, "status")
        assert code == 0, out
        return out


_users = iter(range(1, 10_000))


@contextlib.contextmanager
def server(
    dovecot, tmp: Path, name: str, layout: Layout = as_is, extra: bool = True
) -> Iterator[Server]:
    mb = load(
        dovecot,
        name,
        f"srv{next(_users)}-{name.replace('_', '-')}",
        tmp,
        layout,
        EXTRA.get(name) if extra else None,
    )
    with ImapQuirkProxy(dovecot.port) as proxy:
        mb.port = proxy.port
        mb.write_config()
        yield Server(mb, proxy)
    assert proxy.log.errors == []


def message_ids(mb: Mailbox) -> dict[tuple[str, int], str]:
    """(folder, UID) to Message-ID for every message on the server, asked of Dovecot."""
    out = {}
    c = mb.server.client(mb.user)
    try:
        for flags, _, folder in c.list_folders():
            if b"\\noselect" in {f.lower() for f in flags}:
                continue
            c.select_folder(folder, readonly=True)
            uids = c.search(["ALL"])
            if not uids:
                continue
            item = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
            for uid, data in c.fetch(uids, [item]).items():
                raw = data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"]
                out[(folder, uid)] = message_id(raw) or f"{folder}/{uid}"
    finally:
        c.logout()
    return out


def uid_of(mb: Mailbox, folder: str, mid: str) -> int:
    return next(uid for (f, uid), m in message_ids(mb).items() if f == folder and m == mid)


# -- plain Dovecot: what every server must give -----------------------------------------------


@dataclass
class Baseline:
    threads: dict[str, dict]
    first: Pass
    poll: Pass


@pytest.fixture(scope="module")
def baseline(dovecot, tmp_path_factory) -> Callable[..., Baseline]:
    """Each scenario (with its EXTRA mail) synced through a proxy without quirks, once."""
    done: dict[tuple[str, str], Baseline] = {}

    def get(name: str, variant: str = "", layout: Layout = as_is) -> Baseline:
        if (name, variant) not in done:
            with server(dovecot, tmp_path_factory.mktemp(name), name, layout) as s:
                now = expected(name)["now"]
                first = s.sync(now)
                assert first.code == 0, first.out
                threads = _threads(digest(s.mb, now))
                poll = s.sync(now)
            done[(name, variant)] = Baseline(threads, first, poll)
        return done[(name, variant)]

    return get


# Handles are the state file's own ids: they number messages in the order a server delivered
# them, so they differ between servers and say nothing about the threads.
_SERVER_DEPENDENT = {"handle"}


def _threads(d: dict) -> dict[str, dict]:
    def plain(item: dict) -> dict:
        return {k: v for k, v in item.items() if k not in _SERVER_DEPENDENT}

    return {
        t["request_message_id"]: {**plain(t), "replies": [plain(r) for r in t["replies"]]}
        for t in d["threads"]
    }


def _differences(want: dict[str, dict], got: dict[str, dict]) -> list[str]:
    diffs = [f"missing thread {m}" for m in sorted(set(want) - set(got))]
    diffs += [f"extra thread {m}" for m in sorted(set(got) - set(want))]
    for mid in sorted(set(want) & set(got)):
        a, b = want[mid], got[mid]
        for key in sorted(set(a) | set(b)):
            if key == "replies":
                ra = {r["message_id"]: r for r in a[key]}
                rb = {r["message_id"]: r for r in b[key]}
                if ra != rb:
                    diffs.append(f"{mid} replies: {sorted(ra)} -> {sorted(rb)}")
                    diffs += [
                        f"{mid} reply {r}: {ra[r]['label']} -> {rb[r]['label']}"
                        for r in sorted(set(ra) & set(rb))
                        if ra[r] != rb[r]
                    ]
            elif a.get(key) != b.get(key):
                diffs.append(f"{mid} {key}: {a.get(key)!r} -> {b.get(key)!r}")
    return diffs


def _twice(passes: Sequence[Pass], ids: dict[tuple[str, int], str]) -> int:
    """How many messages had their body fetched more than once over these passes."""
    seen = Counter(ids.get(b, str(b)) for p in passes for b in p.bodies)
    return sum(1 for n in seen.values() if n > 1)


def _row(case: str, name: str, s: Server, first: Pass, poll: Pass, equal: bool) -> None:
    """A line of the table in the report: exit code of the first sync, threads equal to
    plain Dovecot, bodies fetched by the first sync, messages whose body was asked for more
    than once over every pass, bytes of the last (no-change) poll."""
    twice = _twice(s.passes, message_ids(s.mb))
    print(
        f"\n| {case} | {name} | {first.code} | {'yes' if equal else 'NO'} | {len(first.bodies)} "
        f"| {twice} | {poll.bytes} |"
    )


# -- the servers ------------------------------------------------------------------------------

NESTED = "nested OR"
FLAT = "flat OR"
SINGLE = "one key per SEARCH"

# (case, scenario, the server's quirks, its folder layout, how the sync learns to search it)
CASES: list[tuple[str, str, Callable[[], list[Quirk]], Layout, str]] = [
    (
        "refuse_header_search",
        "lena_berlin",
        lambda: [refuse_header_search()],
        as_is,
        NESTED + ", no HEADER search",
    ),
    (
        "refuse_header_search",
        "tom_leeds",
        lambda: [refuse_header_search()],
        as_is,
        NESTED + ", no HEADER search",
    ),
    ("refuse_parentheses", "sanne_utrecht", lambda: [refuse_parentheses()], as_is, FLAT),
    ("refuse_parentheses", "amelie_lyon", lambda: [refuse_parentheses()], as_is, FLAT),
    ("refuse_or", "tom_leeds", lambda: [refuse_or()], as_is, SINGLE),
    ("refuse_or", "diego_madrid", lambda: [refuse_or()], as_is, SINGLE),
    (
        "references_never_match",
        "lena_berlin",
        lambda: [references_never_match()],
        as_is,
        NESTED + ", References here",
    ),
    (
        "references_never_match",
        "sanne_utrecht",
        lambda: [references_never_match()],
        as_is,
        NESTED + ", References here",
    ),
    ("word_based_from", "tom_leeds", lambda: [word_based_from()], as_is, NESTED + ", @domain here"),
    (
        "word_based_from",
        "diego_madrid",
        lambda: [word_based_from()],
        as_is,
        NESTED + ", @domain here",
    ),
    ("gmail_layout", "diego_madrid", lambda: [gmail_layout()], diego_labels, NESTED),
    (
        "gmail_layout",
        "amelie_lyon",
        lambda: [gmail_layout()],
        gmail_of("Éléments envoyés", "Brouillons"),
        NESTED,
    ),
    ("gmail_layout", "lena_berlin", lambda: [gmail_layout()], gmail_of("Sent"), NESTED),
    (
        "m365_capabilities",
        "sanne_utrecht",
        lambda: [m365_capabilities()],
        m365_of("Sent"),
        NESTED,
    ),
    ("m365_capabilities", "amelie_lyon", lambda: [m365_capabilities()], as_is, NESTED),
    # Whole servers: several quirks at once.
    (
        "gmail (layout, References)",
        "lena_berlin",
        lambda: [gmail_layout(), references_never_match()],
        gmail_of("Sent"),
        NESTED + ", References here",
    ),
    (
        "microsoft 365 (names, parentheses, Calendar refused)",
        "tom_leeds",
        lambda: [m365_capabilities(), refuse_parentheses(), refuse_folder("Calendar")],
        m365_of("Sent"),
        FLAT,
    ),
    (
        "yahoo (headers, no OR)",
        "sanne_utrecht",
        lambda: [refuse_header_search(), refuse_or()],
        as_is,
        SINGLE + ", no HEADER search",
    ),
]


def _learnt(plan: SearchPlan) -> str:
    return (
        plan.name
        + (", References here" if plan.local_ids else "")
        + (", @domain here" if plan.local_domains else "")
    )


@pytest.mark.parametrize(
    "case,name,quirks,layout,learnt", CASES, ids=[f"{c[0].split(' ')[0]}-{c[1]}" for c in CASES]
)
def test_sync_through_server_equals_plain_dovecot(
    dovecot, tmp_path, baseline, case, name, quirks, layout, learnt
):
    base = baseline(name)
    now = expected(name)["now"]
    with server(dovecot, tmp_path, name, layout) as s:
        before = all_flags(s.mb)
        first = s.sync(now, *quirks())
        assert first.code == 0, first.out
        got = _threads(digest(s.mb, now))
        poll = s.sync(now, *quirks())
        after = all_flags(s.mb)
        diffs = _differences(base.threads, got)
        _row(case, name, s, first, poll, not diffs)
        assert not diffs, f"{case} on {name}: " + "; ".join(diffs)
        assert after == before, "a sync changed flags on the server"
        assert poll.code == 0, poll.out
        assert poll.body_fetches == 0, f"the no-change poll fetched {poll.bodies}"
        assert poll.searches <= base.poll.searches, "the no-change poll searched"
        assert _twice(s.passes, message_ids(s.mb)) == 0, "a message's body was fetched twice"
        assert _learnt(s.plan()) == learnt


# -- a passing refusal: the next day tries the richer search again ----------------------------


def test_a_passing_refusal_is_forgotten_the_next_day(dovecot, tmp_path, baseline):
    name = "lena_berlin"
    now = datetime.fromisoformat(expected(name)["now"])
    with server(dovecot, tmp_path, name) as s:
        before = all_flags(s.mb)
        first = s.sync(now.isoformat(), refuse_header_search(times=1))
        assert first.code == 0, first.out
        assert s.plan().no_header  # stepped down for the "try again later"
        diffs = _differences(baseline(name).threads, _threads(digest(s.mb, now.isoformat())))
        poll = s.sync(now.isoformat())
        _row("refuse_header_search(times=1)", name, s, first, poll, not diffs)
        assert not diffs, "; ".join(diffs)
        assert poll.body_fetches == 0 and poll.searches == 0
        assert all_flags(s.mb) == before
        # A day later, with a new reply to find: the full search again, and it works.
        later = now + timedelta(days=1, minutes=1)
        s.mb.append("INBOX", _late_reply(later))
        start = len(s.proxy.log.commands)
        second = s.sync(later.isoformat())
        assert second.code == 0, second.out
        assert _learnt(s.plan()) == NESTED
        searches = [c for c in s.proxy.log.commands[start:] if c.name in SEARCH_COMMANDS]
        assert any(b"(" in c.line for c in searches), [c.line for c in searches]
        threads = _threads(digest(s.mb, later.isoformat()))
        replies = {r["message_id"] for t in threads.values() for r in t["replies"]}
        assert "<late-reply-nordwerk@nordwerk-energie.example>" in replies


def _late_reply(when: datetime) -> bytes:
    return _mail(
        {
            "Date": when.strftime("%a, %d %b %Y %H:%M:%S %z"),
            "From": "Tobias Brandt <tobias.brandt@nordwerk-energie.example>",
            "To": "lena.hoffmann@posteo.example",
            "Subject": "Re: Rückfrage zu meinem Interview",
            "Message-ID": "<late-reply-nordwerk@nordwerk-energie.example>",
            "In-Reply-To": "<9958555b-4f4e-9651-04c4-1add42d8a9e0@posteo.example>",
        },
        "Hallo Lena,\n\nentschuldige die späte Antwort: Du warst knapp zweite. Mehr Erfahrung "
        "mit Streaming hätte den Ausschlag gegeben.\n\nGruß\nTobias",
    )


# -- integrity: a server that loses a reply for one sync --------------------------------------


class InFolder(Quirk):
    """Another quirk, applied only while ``folder`` is selected (UIDs repeat across folders)."""

    def __init__(self, folder: str, quirk: Quirk) -> None:
        self.wire = imap_utf7(folder)
        self.quirk = quirk
        self.commands = quirk.commands

    def _here(self, cmd: Command) -> bool:
        return cmd.session.selected == self.wire

    def on_command(self, cmd: Command) -> bytes | None:
        return self.quirk.on_command(cmd) if self._here(cmd) else None

    def on_responses(self, cmd: Command, responses: list[bytes]) -> list[bytes]:
        return self.quirk.on_responses(cmd, responses) if self._here(cmd) else responses


@pytest.mark.parametrize(
    "damage,name,reply",
    [
        (
            omit_fetch_uid,
            "lena_berlin",
            "<CANQ8YjnjIpveyVON4VCdg251xoaWyxvUo9i8YjnjI@mail.gmail.com>",
        ),
        (
            nil_body,
            "tom_leeds",
            "<AM9PR08MB37227A956E64E3BAF795FD751B@AM9PR08MB3722.gbrp265.prod.outlook.com>",
        ),
    ],
    ids=["omit_fetch_uid", "nil_body"],
)
def test_a_reply_the_server_withholds_is_fetched_next_time(
    dovecot, tmp_path, baseline, damage, name, reply
):
    now = expected(name)["now"]
    with server(dovecot, tmp_path, name) as s:
        before = all_flags(s.mb)
        uid = uid_of(s.mb, "INBOX", reply)
        first = s.sync(now, InFolder("INBOX", damage([uid], times=1)))
        # Withheld is not read: the sync says so, and the reply is not lost.
        assert first.code == EXIT_PARTIAL, first.out
        missing = _threads(digest(s.mb, now))
        assert reply not in {r["message_id"] for t in missing.values() for r in t["replies"]}
        second = s.sync(now)
        assert second.code == 0, second.out
        assert ("INBOX", uid) in second.bodies and len(second.bodies) == 1, second.bodies
        diffs = _differences(baseline(name).threads, _threads(digest(s.mb, now)))
        poll = s.sync(now)
        _row(f"{damage.__name__}(reply, times=1)", name, s, first, poll, not diffs)
        assert not diffs, "; ".join(diffs)
        assert poll.code == 0 and poll.body_fetches == 0 and poll.searches == 0
        assert all_flags(s.mb) == before


# -- a folder the server refuses ---------------------------------------------------------------


def test_a_refused_folder_makes_the_sync_partial_and_the_rest_current(dovecot, tmp_path, baseline):
    name = "sanne_utrecht"
    now = expected(name)["now"]
    rest = baseline(name, "without Archive", without("Archive"))
    assert rest.threads != baseline(name).threads  # the Archive holds a reply
    with server(dovecot, tmp_path, name) as s:
        before = all_flags(s.mb)
        first = s.sync(now, refuse_folder("Archive"))
        assert first.code == EXIT_PARTIAL, first.out
        assert {f for f, _ in first.bodies} == {"INBOX", "Sent"}
        diffs = _differences(rest.threads, _threads(digest(s.mb, now)))
        poll = s.sync(now, refuse_folder("Archive"))
        assert poll.code == EXIT_PARTIAL and poll.body_fetches == 0 and poll.searches == 0
        _row(
            'refuse_folder("Archive") (equal: to Dovecot without it)',
            name,
            s,
            first,
            poll,
            not diffs,
        )
        assert not diffs, "; ".join(diffs)
        status = s.status()
        line = next(ln for ln in status.splitlines() if ln.strip().startswith("Archive"))
        assert "refused" in line and "NONEXISTENT" in line, status
        # The server lets it be read again: everything is current, the note goes.
        healthy = s.sync(now)
        assert healthy.code == 0, healthy.out
        assert _differences(baseline(name).threads, _threads(digest(s.mb, now))) == []
        assert "refused" not in s.status()
        assert all_flags(s.mb) == before
