"""An IMAP-aware loopback proxy that makes the test Dovecot answer the way other servers do.

Dovecot is a good, strict server; the servers our users sync from are not all like it. Yahoo
refuses HEADER searches, Exchange rejects parenthesised SEARCH keys, Gmail finds nothing for
``HEADER References``, some servers leave a message out of a FETCH and still say OK. Each of
those is reported publicly (the quirk's docstring cites the report) and each can break a sync
in a way no unit test of ours would notice. This proxy sits between imapclient and a real
Dovecot on 127.0.0.1 and applies such quirks to the real protocol, so a test can show that
the product copes with them, and that the same commands work without the quirk.

It frames the protocol instead of shovelling bytes (compare ``faultproxy.py``): it reads each
client command whole (tag, name, arguments, ``{n}`` / ``{n+}`` literals), lets the quirks
rewrite it or answer it themselves, and gathers the server's untagged responses up to the
tagged completion so that a quirk can rewrite that list. Commands that no active quirk looks
at are streamed as they come, so IDLE and big APPENDs behave as they do without the proxy.

    with ImapQuirkProxy(dovecot.port, refuse_header_search(times=1)) as proxy:
        client = IMAPClient("127.0.0.1", proxy.port, ssl=False)

Limits: plaintext only (no STARTTLS, no COMPRESS); untagged responses are attributed to the
oldest command still running, which is exact for clients that do not pipeline (imapclient
does not); when the proxy reads a command whole it answers a synchronising literal's ``+``
itself and forwards the literal as LITERAL+ (Dovecot advertises it); a streamed command
whose synchronising literal the server refuses (tagged NO instead of ``+``) would stall.
"""

from __future__ import annotations

import base64
import hashlib
import re
import select
import socket
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

TICK = 0.2  # how often blocked readers look at the stop flag
MAX_LINE = 1 << 20  # a line longer than this is a broken peer, not IMAP
MAX_LITERAL = 1 << 28
LOG_CAP = 1 << 16  # bytes of each command kept in the log (APPEND literals can be large)

SEARCH_COMMANDS = frozenset({"SEARCH", "UID SEARCH"})
FETCH_COMMANDS = frozenset({"FETCH", "UID FETCH"})
CAPABILITY_COMMANDS = frozenset({"GREETING", "CAPABILITY", "LOGIN", "AUTHENTICATE"})
LIST_COMMANDS = frozenset({"LIST", "LSUB", "XLIST"})
_SELECTING = frozenset({"SELECT", "EXAMINE"})
# RFC 6154 attributes plus Gmail's \Important: the flags a server without SPECIAL-USE omits.
SPECIAL_USE_FLAGS = frozenset(
    {b"\\ALL", b"\\ARCHIVE", b"\\DRAFTS", b"\\FLAGGED", b"\\JUNK", b"\\SENT", b"\\TRASH"}
    | {b"\\IMPORTANT"}
)
# Folders tests/dovecot.py creates in every account; a Gmail or Microsoft 365 account has
# its own names for them, so the layouts hide these to keep name-based detection honest.
DOVECOT_AUTO_FOLDERS = ("Sent", "Drafts", "Trash", "Junk", "Archive")

_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only

_LITERAL_AT = re.compile(rb"~?\{(\d+)(\+?)\}\r\n")
_LITERAL_END = re.compile(rb"~?\{(\d+)(\+?)\}\r\n\Z")


class _Closed(Exception):
    """The peer went away, the proxy is closing, or the connection sat idle too long."""


class ProtocolError(Exception):
    """A peer sent something no IMAP framing allows (an endless line, a huge literal)."""


# -- framing and tokens ------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """One IMAP token with its place in the bytes it came from, so quirks can splice."""

    kind: str  # "atom", "quoted", "literal", "(" or ")"
    value: bytes  # decoded: a quoted string unescaped, a literal's data
    start: int
    end: int

    @property
    def upper(self) -> bytes:
        return self.value.upper() if self.kind == "atom" else b""


def tokenize(data: bytes) -> list[Token]:
    """Tokens of a command or response line, literals included.

    Bracketed sections stay inside their atom (``BODY.PEEK[HEADER.FIELDS (A B)]<0.10>``)
    because the parentheses there are part of the item name, not a list.
    """
    out: list[Token] = []
    i, n = 0, len(data)
    while i < n:
        c = data[i]
        if c in b" \r\n":
            i += 1
        elif c in b"()":
            out.append(Token(chr(c), data[i : i + 1], i, i + 1))
            i += 1
        elif c == ord('"'):
            j, buf = i + 1, bytearray()
            while j < n and data[j] != ord('"'):
                if data[j] == ord("\\") and j + 1 < n:
                    j += 1
                buf.append(data[j])
                j += 1
            out.append(Token("quoted", bytes(buf), i, min(j + 1, n)))
            i = j + 1
        elif (m := _LITERAL_AT.match(data, i)) is not None:
            size = int(m.group(1))
            out.append(Token("literal", data[m.end() : m.end() + size], i, m.end() + size))
            i = m.end() + size
        else:
            j, depth = i, 0
            while j < n:
                ch = data[j]
                if ch == ord("["):
                    depth += 1
                elif ch == ord("]"):
                    depth = max(0, depth - 1)
                elif depth == 0 and ch in b' ()"\r\n':
                    break
                j += 1
            out.append(Token("atom", data[i:j], i, j))
            i = j
    return out


def matching(tokens: Sequence[Token], i: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``i`` (the last token if it is unbalanced)."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].kind == "(":
            depth += 1
        elif tokens[j].kind == ")":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def splice(data: bytes, edits: Iterable[tuple[int, int, bytes]]) -> bytes:
    """Replace the byte ranges ``[start, end)`` (non-overlapping) with new bytes."""
    out, pos = bytearray(), 0
    for start, end, new in sorted(edits):
        out += data[pos:start] + new
        pos = end
    return bytes(out + data[pos:])


def astring(value: bytes) -> bytes:
    """``value`` as a quoted string, or as a LITERAL+ literal when quoting cannot carry it."""
    if any(b > 127 or b in b"\r\n\0" for b in value):
        return b"{%d+}\r\n" % len(value) + value
    return b'"' + value.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def nonsync(raw: bytes) -> bytes:
    """The command with every synchronising literal made LITERAL+ (RFC 7888).

    The proxy has already sent the client its own ``+`` for those, so the server must not
    be asked to send one again.
    """
    edits = []
    for t in tokenize(raw):
        if t.kind == "literal":
            m = _LITERAL_AT.match(raw, t.start)
            if m is not None and not m.group(2):
                edits.append((m.end(1), m.end(1), b"+"))
    return splice(raw, edits)


def imap_utf7(name: str) -> bytes:
    """A mailbox name as it goes on the wire (RFC 3501 modified UTF-7)."""
    out = bytearray()
    run: list[str] = []

    def flush() -> None:
        if run:
            packed = base64.b64encode("".join(run).encode("utf-16-be")).rstrip(b"=")
            out.extend(b"&" + packed.replace(b"/", b",") + b"-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.extend(b"&-" if ch == "&" else ch.encode("ascii"))
        else:
            run.append(ch)
    flush()
    return bytes(out)


def _same_mailbox(wire: bytes, name: str) -> bool:
    if name.upper() == "INBOX":
        return wire.upper() == b"INBOX"
    return wire == imap_utf7(name)


# -- commands and quirks -----------------------------------------------------------------------


@dataclass
class Session:
    """What the proxy knows of one client connection."""

    number: int
    selected: bytes | None = None  # wire name of the mailbox SELECTed / EXAMINEd, if any


@dataclass(eq=False)
class Command:
    """One client command as the quirks see it."""

    tag: bytes
    name: str  # upper case; "UID FETCH", "SEARCH", "LOGIN", or "GREETING" for the greeting
    raw: bytes  # what will be forwarded, literals included; a quirk may replace it
    session: Session = field(default_factory=lambda: Session(0))
    original: bytes = b""  # what the client sent
    state: dict[object, object] = field(default_factory=dict)  # quirks' notes, keyed by quirk

    @classmethod
    def parse(cls, raw: bytes, session: Session | None = None) -> Command:
        tag, name = _tag_and_name(raw)
        return cls(tag or b"", name or "", raw, session or Session(0), raw)

    def tokens(self) -> list[Token]:
        return tokenize(self.raw)

    def args(self) -> list[Token]:
        """The tokens after the tag and the command name."""
        return self.tokens()[3 if self.name.startswith("UID ") else 2 :]

    def tagged(self, status_and_text: str) -> bytes:
        """A tagged completion for this command: ``cmd.tagged("NO [ALERT] nope")``."""
        return self.tag + b" " + status_and_text.encode() + b"\r\n"


def _tag_and_name(line: bytes) -> tuple[bytes | None, str | None]:
    parts = line.split(b" ", 3)
    if len(parts) < 2 or not parts[1].strip():
        return None, None
    name = parts[1].strip().upper()
    if name == b"UID" and len(parts) > 2:
        name += b" " + parts[2].strip().upper()
    return parts[0], name.decode("ascii", "replace")


class Quirk:
    """Something one server does differently. Override the hooks you need.

    ``commands`` names the commands the quirk looks at (``"GREETING"`` for the server's
    greeting); the proxy reads those commands whole and buffers their responses, and streams
    every other command untouched.
    """

    commands: frozenset[str] = frozenset()

    def on_command(self, cmd: Command) -> bytes | None:
        """Return bytes to answer the client yourself (nothing is forwarded), or None.

        To change what the server gets, assign ``cmd.raw``.
        """
        return None

    def on_responses(self, cmd: Command, responses: list[bytes]) -> list[bytes]:
        """Rewrite the untagged responses and the tagged completion (the last item)."""
        return responses


class Combined(Quirk):
    """Several quirks in order: the first that answers a command wins."""

    def __init__(self, *quirks: Quirk) -> None:
        self.quirks = quirks
        self.commands = frozenset().union(*(q.commands for q in quirks))

    def on_command(self, cmd: Command) -> bytes | None:
        for q in self.quirks:
            if cmd.name in q.commands:
                answer = q.on_command(cmd)
                if answer is not None:
                    return answer
        return None

    def on_responses(self, cmd: Command, responses: list[bytes]) -> list[bytes]:
        for q in self.quirks:
            if cmd.name in q.commands:
                responses = q.on_responses(cmd, responses)
        return responses


def combine(*quirks: Quirk) -> Quirk:
    return quirks[0] if len(quirks) == 1 else Combined(*quirks)


class Budget:
    """How many more times a quirk acts (None: always); shared by every connection.

    A passing fault is what real servers show most, and a sync that retries must then see a
    healthy server.
    """

    def __init__(self, times: int | None) -> None:
        self.left = times
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.left is not None:
                if self.left <= 0:
                    return False
                self.left -= 1
            self.used += 1
            return True


# -- SEARCH ------------------------------------------------------------------------------------

# Arguments each RFC 3501 / 4551 / Gmail search key takes; OR and NOT are prefix operators on
# the keys that follow, so a flat walk reads them as keys without arguments.
_SEARCH_ARITY = {
    **dict.fromkeys(
        "BCC BEFORE BODY CC FROM KEYWORD LARGER ON SENTBEFORE SENTON SENTSINCE SINCE "
        "SMALLER SUBJECT TEXT TO UID UNKEYWORD CHARSET OLDER YOUNGER X-GM-RAW X-GM-MSGID "
        "X-GM-THRID X-GM-LABELS".split(),
        1,
    ),
    "HEADER": 2,
}


@dataclass(frozen=True)
class SearchKey:
    name: str  # upper case; a sequence set or anything unknown is a key without arguments
    token: Token
    args: tuple[Token, ...]


def search_keys(cmd: Command) -> tuple[list[SearchKey], list[Token]]:
    """The search keys of a SEARCH command, and its criteria tokens (parentheses included)."""
    args = cmd.args()
    i = 0
    if len(args) > 1 and args[0].upper == b"RETURN" and args[1].kind == "(":
        i = matching(args, 1) + 1  # ESEARCH result options are not criteria
    criteria = args[i:]
    keys: list[SearchKey] = []
    while i < len(args):
        t = args[i]
        if t.kind in ("(", ")"):
            i += 1
            continue
        name = t.upper.decode("ascii", "replace")
        arity = _SEARCH_ARITY.get(name, 0)
        if name == "MODSEQ":  # MODSEQ ["/flags/\\x" all] n
            arity = 3 if i + 1 < len(args) and args[i + 1].kind == "quoted" else 1
        keys.append(SearchKey(name, t, tuple(args[i + 1 : i + 1 + arity])))
        i += 1 + arity
    return keys, criteria


class RefuseSearch(Quirk):
    """Answers a SEARCH itself when ``refuses(keys, criteria)`` says the server would."""

    commands = SEARCH_COMMANDS

    def __init__(
        self,
        refuses: Callable[[list[SearchKey], list[Token]], bool],
        reply: str,
        times: int | None = None,
    ) -> None:
        self.refuses = refuses
        self.reply = reply
        self.budget = Budget(times)

    def on_command(self, cmd: Command) -> bytes | None:
        keys, criteria = search_keys(cmd)
        if self.refuses(keys, criteria) and self.budget.take():
            return cmd.tagged(self.reply)
        return None


def refuse_header_search(times: int | None = None) -> RefuseSearch:
    """Yahoo: any SEARCH with a HEADER key gets ``NO [UNAVAILABLE] Server error - Please try
    again later`` (MailKit #1055: ``HeaderContains("References", ...)`` fails on Yahoo; the
    same text comes back for FETCH in MailKit #358, so it can be passing: use ``times``)."""
    return RefuseSearch(
        lambda keys, _: any(k.name == "HEADER" for k in keys),
        "NO [UNAVAILABLE] Server error - Please try again later",
        times,
    )


def refuse_parentheses(times: int | None = None) -> RefuseSearch:
    """Exchange / Microsoft 365: a SEARCH with a parenthesised group gets ``BAD Command
    Argument Error. 11`` (Home-Assistant-Mail-And-Packages #431; node-imap #830 shows
    outlook.office365.com answering nested OR criteria with that error)."""
    return RefuseSearch(
        lambda _, criteria: any(t.kind == "(" for t in criteria),
        "BAD Command Argument Error. 11",
        times,
    )


def refuse_or(
    times: int | None = None, reply: str = "BAD invalid command or parameters"
) -> RefuseSearch:
    """Servers without OR: ``UID SEARCH OR OR OR FROM ...`` gets ``BAD invalid command or
    parameters`` (afterlogic/webmail-lite-8 #56; Aliyun enterprise mail in imap_tools #192,
    whose maintainers confirm it supports no advanced search syntax)."""
    return RefuseSearch(lambda keys, _: any(k.name == "OR" for k in keys), reply, times)


class ReplaceSearchValue(Quirk):
    """Rewrites chosen search values before forwarding, so they match nothing.

    Rewriting a key (instead of answering "no results") keeps the rest of the criteria,
    OR branches included, working as the real server's would.
    """

    commands = SEARCH_COMMANDS

    def __init__(
        self, pick: Callable[[SearchKey], Token | None], never: bytes, times: int | None = None
    ) -> None:
        self.pick = pick
        self.never = never
        self.budget = Budget(times)

    def on_command(self, cmd: Command) -> bytes | None:
        keys, _ = search_keys(cmd)
        hits = [t for k in keys if (t := self.pick(k)) is not None]
        if hits and self.budget.take():
            cmd.raw = splice(cmd.raw, [(t.start, t.end, astring(self.never)) for t in hits])
        return None


NEVER_MESSAGE_ID = b"<no-such-id-xyz@invalid>"
NEVER_SENDER = b"no-such-sender@no-such-domain.invalid"


def references_never_match(
    fields: Collection[str] = ("References",), times: int | None = None
) -> ReplaceSearchValue:
    """Gmail and Outlook.com: ``HEADER References <id>`` finds nothing although the message
    is there, while ``HEADER In-Reply-To`` works (node-imap #735, #831). The id may come as
    an atom, a quoted string or a literal; all three are rewritten."""
    wanted = {f.lower().encode() for f in fields}

    def pick(k: SearchKey) -> Token | None:
        if k.name == "HEADER" and len(k.args) == 2 and k.args[0].value.lower() in wanted:
            return k.args[1]
        return None

    return ReplaceSearchValue(pick, NEVER_MESSAGE_ID, times)


def word_based_from(
    keys: Collection[str] = ("FROM",), times: int | None = None
) -> ReplaceSearchValue:
    """Servers whose search matches whole words: ``FROM "@domain"`` finds nothing, while
    the full address does (snappymail #403, on Zoho and mailo.com)."""
    wanted = {k.upper() for k in keys}

    def pick(k: SearchKey) -> Token | None:
        if k.name in wanted and k.args and k.args[0].value.startswith(b"@"):
            return k.args[0]
        return None

    return ReplaceSearchValue(pick, NEVER_SENDER, times)


# -- FETCH -------------------------------------------------------------------------------------

_BODY_ITEM = re.compile(rb"(BODY(\.PEEK)?\[|BINARY(\.PEEK)?\[|RFC822(\.TEXT|\.HEADER)?\Z)", re.I)


def fetch_attributes(cmd: Command) -> tuple[list[Token], int, int] | None:
    """The FETCH items a command asks for, and the byte span of the item list."""
    args = cmd.args()
    if len(args) < 2:
        return None
    if args[1].kind == "(":
        close = matching(args, 1)
        return args[2:close], args[1].start, args[close].end
    return [args[1]], args[1].start, args[1].end


def fetches_body(cmd: Command) -> bool:
    """Whether a FETCH / UID FETCH asks for message content (BODY[...], RFC822, BINARY[...])."""
    found = fetch_attributes(cmd) if cmd.name in FETCH_COMMANDS else None
    return found is not None and any(_BODY_ITEM.match(t.value) for t in found[0])


@dataclass(frozen=True)
class FetchItem:
    key: bytes  # upper case, as the server named it: b"UID", b"BODY[]", b"FLAGS"
    start: int  # where the key starts in the response
    end: int  # where the value ends
    value: Token  # the value's first token ("(" for a list)


@dataclass(frozen=True)
class FetchResponse:
    seq: int
    items: list[FetchItem]
    open_end: int  # just after the "(" that opens the items
    close: int  # the ")" that closes them

    def get(self, key: bytes) -> FetchItem | None:
        return next((it for it in self.items if it.key == key), None)

    @property
    def uid(self) -> int | None:
        it = self.get(b"UID")
        return int(it.value.value) if it is not None and it.value.value.isdigit() else None


def parse_fetch(resp: bytes) -> FetchResponse | None:
    """An untagged ``* n FETCH (...)`` response split into items; None for anything else."""
    if not resp.startswith(b"* "):
        return None
    toks = tokenize(resp)
    if (
        len(toks) < 4
        or not toks[1].value.isdigit()
        or toks[2].upper != b"FETCH"
        or toks[3].kind != "("
    ):
        return None
    close = matching(toks, 3)
    items, i = [], 4
    while i + 1 < close:
        key, v = toks[i], i + 1
        last = matching(toks, v) if toks[v].kind == "(" else v
        items.append(FetchItem(key.value.upper(), key.start, toks[last].end, toks[v]))
        i = last + 1
    return FetchResponse(int(toks[1].value), items, toks[3].end, toks[close].start)


def _is_body_item(key: bytes) -> bool:
    return _BODY_ITEM.match(key) is not None


def _uid_matcher(uids: Iterable[int] | Callable[[int], bool]) -> Callable[[int], bool]:
    if callable(uids):
        return uids
    wanted = frozenset(uids)
    return wanted.__contains__


class DamageFetch(Quirk):
    """Leaves chosen messages out of a body FETCH, or gives them a NIL body.

    ``times`` counts FETCH commands damaged (each loses every chosen message it carried),
    so the sync after the first sees a healthy server.
    """

    commands = FETCH_COMMANDS

    def __init__(
        self, uids: Iterable[int] | Callable[[int], bool], times: int | None, omit: bool
    ) -> None:
        self.wanted = _uid_matcher(uids)
        self.budget = Budget(times)
        self.omit = omit

    def on_responses(self, cmd: Command, responses: list[bytes]) -> list[bytes]:
        if not fetches_body(cmd):
            return responses
        parsed = [parse_fetch(r) for r in responses]
        hits = {
            i
            for i, p in enumerate(parsed)
            if p is not None
            and p.uid is not None
            and self.wanted(p.uid)
            and any(_is_body_item(it.key) for it in p.items)
        }
        if not hits or not self.budget.take():
            return responses
        out = []
        for i, r in enumerate(responses):
            p = parsed[i]
            if i not in hits or p is None:
                out.append(r)
            elif not self.omit:
                bodies = [it for it in p.items if _is_body_item(it.key)]
                out.append(splice(r, [(it.value.start, it.end, b"NIL") for it in bodies]))
        return out


def omit_fetch_uid(
    uids: Iterable[int] | Callable[[int], bool], times: int | None = 1
) -> DamageFetch:
    """The server answers a body FETCH with OK but leaves these messages out: Gmail answered
    ``UID FETCH 59491 BODY.PEEK[]`` with a bare ``OK Success`` (mailcore2 #1279); Delta Chat
    logs "Missed UID ... in the server response" for whole batches (chatmail/core #4331)."""
    return DamageFetch(uids, times, omit=True)


def nil_body(uids: Iterable[int] | Callable[[int], bool], times: int | None = 1) -> DamageFetch:
    """The server sends ``BODY[] NIL`` for these messages: an nstring may be NIL, and
    servers do send it (emersion/go-imap #392, Spinoco/fs2-mail #31, swift-nio-imap #720)."""
    return DamageFetch(uids, times, omit=False)


# -- folders -----------------------------------------------------------------------------------

NONEXISTENT = "NO [NONEXISTENT] Mailbox doesn't exist"
ACCESS_DENIED = "NO [NOPERM] Access denied"
_NO_SUCH_FOLDER = b'"no-such-folder-xyz.invalid"'


class RefuseFolder(Quirk):
    """STATUS, SELECT and EXAMINE of one folder fail although LIST showed it."""

    commands = frozenset({"STATUS", "SELECT", "EXAMINE"})

    def __init__(self, name: str, reply: str = NONEXISTENT, times: int | None = None) -> None:
        self.name = name
        self.reply = reply
        self.budget = Budget(times)

    def on_command(self, cmd: Command) -> bytes | None:
        args = cmd.args()
        if not args or not _same_mailbox(args[0].value, self.name) or not self.budget.take():
            return None
        if cmd.name == "STATUS":
            return cmd.tagged(self.reply)
        # A failed SELECT leaves no mailbox selected (RFC 3501 6.3.1). Sending Dovecot a
        # SELECT of a missing folder puts it in that same state; answering here would not.
        cmd.raw = splice(cmd.raw, [(args[0].start, args[0].end, _NO_SUCH_FOLDER)])
        cmd.state[self] = True
        return None

    def on_responses(self, cmd: Command, responses: list[bytes]) -> list[bytes]:
        if cmd.state.get(self):
            return responses[:-1] + [cmd.tagged(self.reply)]
        return responses


def refuse_folder(name: str, reply: str = NONEXISTENT, times: int | None = None) -> RefuseFolder:
    """Exchange: STATUS or SELECT of a folder LIST just showed fails, for a calendar or
    contacts folder, a shared folder the user lost access to, or one deleted in between
    (warmbly #347 asks to skip such a folder with a log line). ``reply`` may be
    ``ACCESS_DENIED``."""
    return RefuseFolder(name, reply, times)


# -- capabilities and LIST ---------------------------------------------------------------------

_CAPS_CODE = re.compile(rb"\[CAPABILITY ([^\]]*)\]", re.I)
_CAPS_LINE = re.compile(rb"\A\* CAPABILITY ([^\r\n]*)", re.I)


def rewrite_capabilities(resp: bytes, edit: Callable[[list[bytes]], list[bytes]]) -> bytes:
    """Apply ``edit`` to an untagged CAPABILITY list and to any ``[CAPABILITY ...]`` code."""

    def sub(m: re.Match[bytes]) -> bytes:
        whole = m.group(0)
        caps = b" ".join(edit(m.group(1).split()))
        return whole[: m.start(1) - m.start(0)] + caps + whole[m.end(1) - m.start(0) :]

    return _CAPS_CODE.sub(sub, _CAPS_LINE.sub(sub, resp, count=1))


class EditCapabilities(Quirk):
    """The server advertises other capabilities (greeting, CAPABILITY, LOGIN's OK code)."""

    commands = CAPABILITY_COMMANDS

    def __init__(
        self,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
        replace: Sequence[str] | None = None,
    ) -> None:
        self.add = [a.encode() for a in add]
        self.remove = {r.upper().encode() for r in remove}
        self.replace = None if replace is None else [c.encode() for c in replace]

    def edit(self, caps: list[bytes]) -> list[bytes]:
        if self.replace is not None:
            return list(self.replace)
        kept = [c for c in caps if c.upper() not in self.remove]
        return kept + [a for a in self.add if a.upper() not in {c.upper() for c in kept}]

    def on_responses(self, cmd: Command, responses: list[bytes]) -> list[bytes]:
        return [rewrite_capabilities(r, self.edit) for r in responses]


def edit_capabilities(
    add: Iterable[str] = (), remove: Iterable[str] = (), replace: Sequence[str] | None = None
) -> EditCapabilities:
    """Advertise other capabilities; e.g. ``remove=["LITERAL+"]`` forces synchronising
    literals, as Gmail (``LITERAL-``) and many older servers do."""
    return EditCapabilities(add, remove, replace)


@dataclass(frozen=True)
class ListEntry:
    flags: list[bytes]
    name: bytes  # as on the wire (modified UTF-7)
    flags_start: int
    flags_end: int


def parse_list(resp: bytes) -> ListEntry | None:
    """An untagged LIST / LSUB / XLIST response; None for anything else."""
    if not resp.startswith(b"* "):
        return None
    toks = tokenize(resp)
    if len(toks) < 6 or toks[1].upper not in (b"LIST", b"LSUB", b"XLIST") or toks[2].kind != "(":
        return None
    close = matching(toks, 2)
    if close + 2 >= len(toks):
        return None
    flags = [t.value for t in toks[3:close]]
    return ListEntry(flags, toks[close + 2].value, toks[2].end, toks[close].start)


def _status_of(resp: bytes) -> bytes | None:
    """The mailbox an untagged STATUS response is about."""
    if not resp.startswith(b"* STATUS "):
        return None
    toks = tokenize(resp)
    return toks[2].value if len(toks) > 2 else None


class ListFlags(Quirk):
    """LIST shows other folder attributes: special-use flags stripped, or set by name."""

    commands = LIST_COMMANDS

    def __init__(
        self,
        by_name: Mapping[str, str] | None = None,
        strip_special_use: bool = True,
        hide: Iterable[str] = (),
    ) -> None:
        self.by_name = {imap_utf7(k): v.encode() for k, v in (by_name or {}).items()}
        self.strip = strip_special_use
        self.hide = {imap_utf7(h) for h in hide}

    def on_responses(self, cmd: Command, responses: list[bytes]) -> list[bytes]:
        out = []
        for r in responses:
            entry = parse_list(r)
            if entry is None:
                if not (self.hide and _status_of(r) in self.hide):  # LIST-STATUS lines
                    out.append(r)
                continue
            if entry.name in self.hide:
                continue
            flags = [f for f in entry.flags if not (self.strip and f.upper() in SPECIAL_USE_FLAGS)]
            extra = self.by_name.get(entry.name)
            if extra is not None and extra.upper() not in {f.upper() for f in flags}:
                flags.append(extra)
            out.append(splice(r, [(entry.flags_start, entry.flags_end, b" ".join(flags))]))
        return out


# -- Gmail -------------------------------------------------------------------------------------

GMAIL_FOLDERS = {
    "All Mail": "\\All",
    "Sent Mail": "\\Sent",
    "Trash": "\\Trash",
    "Spam": "\\Junk",
    "Drafts": "\\Drafts",
    "Important": "\\Important",
    "Starred": "\\Flagged",
}
_MSGID_SOURCE = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)]"
_HEADER_FIELDS = re.compile(rb"BODY(?:\.PEEK)?\[HEADER\.FIELDS \(([^)]*)\)\]\Z", re.I)


def _is_msgid_source(key: bytes) -> bool:
    m = _HEADER_FIELDS.match(key)
    return m is not None and {f.upper() for f in m.group(1).split()} == {b"MESSAGE-ID", b"DATE"}


def gmail_msgid(header_fields: bytes) -> int:
    """A stable 60-bit X-GM-MSGID from a message's Message-ID and Date header lines.

    Gmail's id is the same in every label of one message; those header lines are too, and
    Dovecot returns them byte for byte alike from every folder holding a copy.
    """
    return int(hashlib.sha1(header_fields.strip()).hexdigest()[:15], 16)


class GmailMessageIds(Quirk):
    """``X-GM-MSGID`` in FETCH, which Dovecot does not know, made up from the message.

    The item is taken out of the forwarded command and the Message-ID and Date lines asked
    for instead (unless the client asked for them), then each FETCH response gets
    ``X-GM-MSGID n`` and loses the header item the client did not ask for. X-GM-THRID and
    X-GM-LABELS are not made up: Dovecot answers them with BAD.
    """

    commands = FETCH_COMMANDS

    def on_command(self, cmd: Command) -> bytes | None:
        found = fetch_attributes(cmd)
        if found is None:
            return None
        items, start, end = found
        if not any(t.upper == b"X-GM-MSGID" for t in items):
            return None
        kept = [cmd.raw[t.start : t.end] for t in items if t.upper != b"X-GM-MSGID"]
        asked = any(_is_msgid_source(t.value) for t in items)
        if not asked:
            kept.append(_MSGID_SOURCE)
        cmd.state[self] = not asked  # True: drop the header item from the responses
        cmd.raw = splice(cmd.raw, [(start, end, b"(" + b" ".join(kept) + b")")])
        return None

    def on_responses(self, cmd: Command, responses: list[bytes]) -> list[bytes]:
        if self not in cmd.state:
            return responses
        out = []
        for r in responses:
            p = parse_fetch(r)
            source = (
                None
                if p is None
                else next((it for it in p.items if _is_msgid_source(it.key)), None)
            )
            if p is None or source is None:
                out.append(r)
                continue
            parts = [
                r[it.start : it.end] for it in p.items if it is not source or not cmd.state[self]
            ]
            parts.append(b"X-GM-MSGID %d" % gmail_msgid(source.value.value))
            out.append(r[: p.open_end] + b" ".join(parts) + r[p.close :])
        return out


def gmail_layout(root: str = "[Gmail]", hide: Iterable[str] = DOVECOT_AUTO_FOLDERS) -> Quirk:
    """The account looks like Gmail's.

    CAPABILITY gains X-GM-EXT-1 and loses SPECIAL-USE (Gmail's CAPABILITY as logged in
    jakartaee/mail-api #342: ``IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN
    X-GM-EXT-1 ...``), yet LIST carries special-use flags by folder name, as Gmail's does
    (``[Gmail]/All Mail`` is ``\\All``, ``Spam`` ``\\Junk``, ``Important`` ``\\Important``).
    Dovecot's own Sent, Drafts, Trash, Junk and Archive are hidden; the test creates the
    ``[Gmail]/...`` folders and labels (plain folders holding copies of a message).
    FETCH X-GM-MSGID works (see ``GmailMessageIds``).
    """
    by_name = {f"{root}/{name}": flag for name, flag in GMAIL_FOLDERS.items()}
    return combine(
        EditCapabilities(add=["X-GM-EXT-1"], remove=["SPECIAL-USE"]),
        ListFlags(by_name, strip_special_use=True, hide=hide),
        GmailMessageIds(),
    )


# -- Microsoft 365 -----------------------------------------------------------------------------

M365_CAPABILITIES = (
    "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN "
    "IDLE NAMESPACE LITERAL+"
).split()
M365_FOLDERS = ("Sent Items", "Deleted Items", "Junk Email", "Drafts", "Archive")


def m365_capabilities(hide: Iterable[str] = ("Sent", "Trash", "Junk")) -> Quirk:
    """The account looks like Microsoft 365's: its CAPABILITY list (no SPECIAL-USE, CONDSTORE,
    ESEARCH, ENABLE; Exchange 2010 sends the same core in MailKit #1139) and LIST without
    special-use flags, so Sent Items, Deleted Items and Junk Email are known only by name.
    Dovecot's Sent, Trash and Junk are hidden; the test creates the Microsoft names
    (``M365_FOLDERS``; Drafts and Archive are Dovecot's own)."""
    return combine(
        EditCapabilities(replace=M365_CAPABILITIES),
        ListFlags(strip_special_use=True, hide=hide),
    )


# -- the proxy ---------------------------------------------------------------------------------


@dataclass
class LoggedCommand:
    connection: int
    name: str
    raw: bytearray  # as the client sent it (the first LOG_CAP bytes)
    forwarded: bytes | None = None  # what the server got when a quirk changed it
    answered: bool = False  # the proxy answered it; the server never saw it

    @property
    def line(self) -> bytes:
        """The command's first line, without CRLF: what a protocol log shows."""
        return bytes(self.raw).split(b"\r\n", 1)[0]


@dataclass
class ProxyLog:
    """What crossed the proxy, for the tests' assertions."""

    connections: int = 0
    commands: list[LoggedCommand] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)
    bytes_from_client: int = 0
    bytes_to_server: int = 0
    bytes_from_server: int = 0
    bytes_to_client: int = 0
    errors: list[str] = field(default_factory=list)  # proxy failures (a quirk raised, ...)

    def named(self, name: str) -> list[LoggedCommand]:
        return [c for c in self.commands if c.name == name]

    def body_fetches(self) -> int:
        """FETCH / UID FETCH commands that reached the server asking for message content."""
        n = 0
        for c in self.commands:
            if c.name in FETCH_COMMANDS and not c.answered:
                sent = c.forwarded if c.forwarded is not None else bytes(c.raw)
                n += fetches_body(Command.parse(sent))
        return n


def read_response(read_line: Callable[[], bytes], read_exact: Callable[[int], bytes]) -> bytes:
    """One logical line: a line, and for each ``{n}`` it ends with, n bytes and the rest."""
    out = bytearray()
    while True:
        line = read_line()
        out += line
        m = _LITERAL_END.search(line)
        if m is None:
            return bytes(out)
        size = int(m.group(1))
        if size > MAX_LITERAL:
            raise ProtocolError(f"literal of {size} bytes")
        out += read_exact(size)


class _Reader:
    """Buffered reads from a socket that give up when the proxy stops or the peer idles."""

    def __init__(
        self,
        sock: socket.socket,
        stopping: Callable[[], bool],
        idle_timeout: float,
        counted: Callable[[int], None],
    ) -> None:
        self.sock = sock
        self.stopping = stopping
        self.idle_timeout = idle_timeout
        self.counted = counted
        self.buf = bytearray()

    def _fill(self) -> None:
        waited = 0.0
        while True:
            if self.stopping():
                raise _Closed
            ready, _, _ = select.select([self.sock], [], [], TICK)
            if not ready:
                waited += TICK
                if waited >= self.idle_timeout:
                    raise _Closed
                continue
            data = self.sock.recv(65536)
            if not data:
                raise _Closed
            if _QUICKACK is not None:
                # imapclient sends a command and its CRLF in two writes under Nagle: the CRLF
                # waits for our ACK, which Linux delays 40 ms unless asked (after each read).
                self.sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            self.counted(len(data))
            self.buf += data
            return

    def readline(self) -> bytes:
        scanned = 0
        while True:
            i = self.buf.find(b"\r\n", max(0, scanned - 1))
            if i >= 0:
                line = bytes(self.buf[: i + 2])
                del self.buf[: i + 2]
                return line
            if len(self.buf) > MAX_LINE:
                raise ProtocolError("line too long")
            scanned = len(self.buf)
            self._fill()

    def readexact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data


@dataclass
class _Pending:
    cmd: Command
    collect: bool
    responses: list[bytes] = field(default_factory=list)


class _Connection:
    """One client connection and its Dovecot connection, with a thread for each direction."""

    def __init__(self, proxy: ImapQuirkProxy, client: socket.socket, number: int) -> None:
        self.proxy = proxy
        self.quirk = combine(*proxy.quirks) if proxy.quirks else Quirk()
        self.client = client
        self.server = socket.create_connection((proxy.target_host, proxy.target_port), timeout=5)
        for s in (client, self.server):
            s.settimeout(30)  # bounds a sendall to a peer that stopped reading
            # Responses go out in pieces (streamed lines, then a buffered batch); with Nagle
            # each piece would wait for the peer's delayed ACK, 40 ms a round trip.
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.session = Session(number)
        self.pending: list[_Pending] = []
        self._lock = threading.Lock()
        self._client_lock = threading.Lock()
        self._closed = threading.Event()

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._run, args=(self._upstream,), daemon=True),
            threading.Thread(target=self._run, args=(self._downstream,), daemon=True),
        ]
        for t in threads:
            t.start()
        return threads

    def _stopping(self) -> bool:
        return self._closed.is_set() or self.proxy._stop.is_set()

    def _run(self, body: Callable[[], None]) -> None:
        try:
            body()
        except (_Closed, OSError):
            pass
        except Exception as exc:  # noqa: BLE001 - a broken quirk must show up in the test
            with self.proxy._lock:
                self.proxy.log.errors.append(f"{body.__name__}: {exc!r}")
        finally:
            self.close()

    def close(self) -> None:
        self._closed.set()
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _count(self, what: str) -> Callable[[int], None]:
        def add(n: int) -> None:
            with self.proxy._lock:
                setattr(self.proxy.log, what, getattr(self.proxy.log, what) + n)

        return add

    def _to_client(self, data: bytes) -> None:
        with self._client_lock:
            self.client.sendall(data)
        self._count("bytes_to_client")(len(data))

    def _to_server(self, data: bytes) -> None:
        self.server.sendall(data)  # only the upstream thread writes to the server
        self._count("bytes_to_server")(len(data))

    def _log(self, cmd: Command, first: bytes) -> LoggedCommand:
        entry = LoggedCommand(self.session.number, cmd.name, bytearray(first[:LOG_CAP]))
        with self.proxy._lock:
            self.proxy.log.commands.append(entry)
            self.proxy.log.counts[cmd.name] += 1
        return entry

    # client -> server
    def _upstream(self) -> None:
        reader = _Reader(
            self.client, self._stopping, self.proxy.idle_timeout, self._count("bytes_from_client")
        )
        while True:
            first = reader.readline()
            tag, name = _tag_and_name(first)
            if tag is None or name is None or self._awaiting_continuation():
                # DONE after IDLE, an AUTHENTICATE response line: part of the command running.
                self._to_server(first)
                continue
            # A streamed SELECT keeps its first line, so that Session.selected is known to
            # the quirks of later commands (a mailbox name never needs a literal here).
            cmd = Command(tag, name, first if name in _SELECTING else b"", self.session)
            if name not in self.quirk.commands:
                self._stream(reader, cmd, first)
                continue
            cmd.raw = cmd.original = self._read_whole(reader, first)
            entry = self._log(cmd, cmd.raw)
            answer = self.quirk.on_command(cmd)
            if answer is not None:
                entry.answered = True
                with self.proxy._lock:
                    self.proxy.log.answered[name] += 1
                self._to_client(answer)
                continue
            forwarded = nonsync(cmd.raw)
            if forwarded != cmd.original:
                entry.forwarded = forwarded
            with self._lock:
                self.pending.append(_Pending(cmd, collect=True))
            self._to_server(forwarded)

    def _awaiting_continuation(self) -> bool:
        with self._lock:
            return any(p.cmd.name in ("IDLE", "AUTHENTICATE") for p in self.pending)

    def _stream(self, reader: _Reader, cmd: Command, first: bytes) -> None:
        # Registered before the first byte goes out: the answer may beat the next line here.
        entry = self._log(cmd, b"")
        with self._lock:
            self.pending.append(_Pending(cmd, collect=False))
        line = first
        while True:
            if len(entry.raw) < LOG_CAP:
                entry.raw += line[: LOG_CAP - len(entry.raw)]
            self._to_server(line)
            m = _LITERAL_END.search(line)
            if m is None:
                return
            # A synchronising literal waits for the server's "+", which the downstream
            # thread passes on; the client then sends the data and the rest of the line.
            data = reader.readexact(int(m.group(1)))
            if len(entry.raw) < LOG_CAP:
                entry.raw += data[: LOG_CAP - len(entry.raw)]
            self._to_server(data)
            line = reader.readline()

    def _read_whole(self, reader: _Reader, first: bytes) -> bytes:
        raw, line = bytearray(first), first
        while (m := _LITERAL_END.search(line)) is not None:
            size = int(m.group(1))
            if size > MAX_LITERAL:
                raise ProtocolError(f"literal of {size} bytes")
            if not m.group(2):
                self._to_client(b"+ Ready for literal data\r\n")
            raw += reader.readexact(size)
            line = reader.readline()
            raw += line
        return bytes(raw)

    # server -> client
    def _downstream(self) -> None:
        reader = _Reader(
            self.server, self._stopping, self.proxy.idle_timeout, self._count("bytes_from_server")
        )

        def next_response() -> bytes:
            return read_response(reader.readline, reader.readexact)

        greeting = next_response()
        if "GREETING" in self.quirk.commands:
            hello = Command(b"*", "GREETING", b"", self.session)
            greeting = b"".join(self.quirk.on_responses(hello, [greeting]))
        self._to_client(greeting)
        while True:
            resp = next_response()
            if resp.startswith(b"+"):
                self._to_client(resp)
                continue
            if resp.startswith(b"* "):
                with self._lock:
                    oldest = self.pending[0] if self.pending else None
                    if oldest is not None and oldest.collect:
                        oldest.responses.append(resp)
                        continue
                self._to_client(resp)
                continue
            tag = resp.split(b" ", 1)[0]
            with self._lock:
                done = next((p for p in self.pending if p.cmd.tag == tag), None)
                if done is not None:
                    self.pending.remove(done)
            if done is None:
                self._to_client(resp)
                continue
            self._track_selected(done.cmd, resp)
            if done.collect:
                resp = b"".join(self.quirk.on_responses(done.cmd, [*done.responses, resp]))
            self._to_client(resp)

    def _track_selected(self, cmd: Command, tagged: bytes) -> None:
        if cmd.name in ("SELECT", "EXAMINE"):
            ok = tagged.split(b" ", 2)[1:2] == [b"OK"]
            args = cmd.args()
            self.session.selected = args[0].value if ok and args else None
        elif cmd.name in ("CLOSE", "UNSELECT"):
            self.session.selected = None


class ImapQuirkProxy:
    """Listens on 127.0.0.1:<port> and carries each connection to the IMAP server at
    ``target_port`` through ``quirks``.

    ``quirks`` may be replaced between connections; each connection keeps the list it
    started with. Use it as a context manager: its threads stop on exit.
    """

    def __init__(
        self,
        target_port: int,
        *quirks: Quirk,
        target_host: str = "127.0.0.1",
        idle_timeout: float = 120.0,
    ) -> None:
        self.target_port = target_port
        self.target_host = target_host
        self.quirks: list[Quirk] = list(quirks)
        self.idle_timeout = idle_timeout
        self.log = ProxyLog()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connections: list[_Connection] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(TICK)
        self.port: int = self._listener.getsockname()[1]
        self._accepter = threading.Thread(target=self._accept, name="imapquirks", daemon=True)

    def __enter__(self) -> ImapQuirkProxy:
        self._accepter.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() now, not after a TICK
        except OSError:
            pass
        if self._accepter.is_alive():
            self._accepter.join(5)
        for conn in self._connections:
            conn.close()
        for t in self._threads:
            t.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.log.connections += 1
                number = self.log.connections
            try:
                conn = _Connection(self, client, number)
            except OSError as exc:
                with self._lock:
                    self.log.errors.append(f"connect to {self.target_port}: {exc!r}")
                client.close()
                continue
            self._connections.append(conn)
            self._threads.extend(conn.start())
