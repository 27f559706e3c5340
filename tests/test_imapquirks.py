"""Each quirk of ``imapquirks.py`` against a real Dovecot, through imapclient.

Every test shows the quirk's effect on the commands a sync sends, and the same commands
working through a proxy without the quirk: what fails is the imitated server, not the proxy.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest
from conftest import Mailbox
from dovecot import PASSWORD
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from imapclient.imapclient import SENT
from imapquirks import (
    ACCESS_DENIED,
    M365_CAPABILITIES,
    M365_FOLDERS,
    SPECIAL_USE_FLAGS,
    Command,
    ImapQuirkProxy,
    ListFlags,
    Quirk,
    edit_capabilities,
    gmail_layout,
    m365_capabilities,
    nil_body,
    nonsync,
    omit_fetch_uid,
    parse_fetch,
    references_never_match,
    refuse_folder,
    refuse_header_search,
    refuse_or,
    refuse_parentheses,
    word_based_from,
)

pytestmark = pytest.mark.dovecot

REQUEST_1 = "<req1@jobs.example>"
REQUEST_2 = "<req2@jobs.example>"


def _message(
    sender: str,
    mid: str,
    subject: str,
    in_reply_to: str | None = None,
    references: str | None = None,
) -> bytes:
    head = [
        f"From: {sender}",
        "To: seeker@jobs.example",
        f"Subject: {subject}",
        "Date: Mon, 03 Mar 2025 09:00:00 +0000",
        f"Message-ID: {mid}",
    ]
    if in_reply_to:
        head.append(f"In-Reply-To: {in_reply_to}")
    if references:
        head.append(f"References: {references}")
    return ("\r\n".join(head) + "\r\n\r\nThanks for your time.\r\n").encode()


REPLY = _message(
    "Ana <ana@acme.example>", "<r1@acme.example>", "Re: Feedback", REQUEST_1, REQUEST_1
)
NEWS = _message("news@other.example", "<n1@other.example>", "Newsletter")
# Threads only through References, as mail from some web clients does.
LATE_REPLY = _message("bo@acme.example", "<r2@acme.example>", "Re: Feedback", None, REQUEST_2)


@pytest.fixture
def inbox(mailbox: Mailbox) -> Mailbox:
    """INBOX holds REPLY (UID 1), NEWS (UID 2) and LATE_REPLY (UID 3)."""
    mailbox.append("INBOX", REPLY, NEWS, LATE_REPLY)
    return mailbox


@contextlib.contextmanager
def through(mailbox: Mailbox, *quirks: Quirk) -> Iterator[tuple[ImapQuirkProxy, IMAPClient]]:
    """A proxy with ``quirks`` and a client logged in through it, INBOX examined."""
    with ImapQuirkProxy(mailbox.server.port, *quirks) as proxy:
        client = IMAPClient("127.0.0.1", port=proxy.port, ssl=False, timeout=10)
        try:
            client.login(mailbox.user, PASSWORD)
            client.select_folder("INBOX", readonly=True)
            yield proxy, client
        finally:
            with contextlib.suppress(Exception):
                client.logout()
    assert proxy.log.errors == []


def test_proxy_without_quirks_changes_nothing(inbox: Mailbox) -> None:
    with through(inbox) as (proxy, c):
        assert c.search(["FROM", "acme.example"]) == [1, 3]
        bodies = c.fetch([1, 2], ["BODY.PEEK[]"])
        assert bodies[1][b"BODY[]"] == REPLY
        log = proxy.log
        # Streamed both ways: every byte arrives as it was sent. Compared before LOGOUT: the
        # server's goodbye may reach the proxy after the client has hung up. The counters move
        # just after each forward, so give them a moment to agree.
        deadline = time.monotonic() + 5
        while log.bytes_from_server != log.bytes_to_client and time.monotonic() < deadline:
            time.sleep(0.01)
        assert log.bytes_from_server == log.bytes_to_client > len(REPLY) + len(NEWS)
    assert log.counts["UID SEARCH"] == 1 and log.body_fetches() == 1
    assert log.named("UID SEARCH")[0].line.endswith(b"UID SEARCH FROM acme.example")
    assert log.bytes_from_client == log.bytes_to_server > 0


def test_idle_streams_while_quirks_are_active(inbox: Mailbox) -> None:
    with through(inbox, gmail_layout(), refuse_header_search()) as (proxy, c):
        c.idle()
        inbox.append("INBOX", NEWS)  # from another connection, straight to Dovecot
        seen = c.idle_check(timeout=5)
        c.idle_done()
        # The EXISTS came while IDLE still ran: nothing held the responses back.
        assert (4, b"EXISTS") in seen
        assert c.search(["FROM", "other.example"]) == [2, 4]
    assert proxy.log.counts["IDLE"] == 1


def test_synchronising_literals_pass_both_ways(inbox: Mailbox) -> None:
    inbox.append("INBOX", _message("lea@acme.example", "<c@x>", "=?utf-8?q?Caf=C3=A9_chat?="))
    no_literal_plus = edit_capabilities(remove=["LITERAL+"])
    # SEARCH streamed (the server sends "+"), then read whole (the proxy sends "+").
    for quirks in ([no_literal_plus], [no_literal_plus, refuse_or()]):
        with through(inbox, *quirks) as (proxy, c):
            assert b"LITERAL+" not in c.capabilities()
            assert c.search(["SUBJECT", "Café"], charset="UTF-8") == [4]
        [search] = proxy.log.named("UID SEARCH")
        assert b"SUBJECT {5}\r\nCaf\xc3\xa9" in search.raw
        if len(quirks) == 2:
            assert search.forwarded is not None and b"SUBJECT {5+}\r\n" in search.forwarded


def test_refuse_header_search_is_a_passing_yahoo_error(inbox: Mailbox) -> None:
    criteria = ["HEADER", "In-Reply-To", REQUEST_1]
    with through(inbox, refuse_header_search(times=1)) as (proxy, c):
        with pytest.raises(IMAPClientError, match=r"UNAVAILABLE.*try again later"):
            c.search(criteria)
        assert c.search(criteria) == [1]
    assert proxy.log.answered["UID SEARCH"] == 1 and proxy.log.counts["UID SEARCH"] == 2
    with through(inbox, refuse_header_search()) as (_, c):
        with pytest.raises(IMAPClientError, match="UNAVAILABLE"):
            c.search(["OR", "FROM", "x@acme.example", "HEADER", "References", REQUEST_1])
        assert c.search(["FROM", "ana@acme.example"]) == [1]
    with through(inbox) as (_, c):
        assert c.search(criteria) == [1]


NESTED_OR = ["OR", ["FROM", "ana@acme.example"], ["FROM", "news@other.example"]]
FLAT_OR = ["OR", "FROM", "ana@acme.example", "FROM", "news@other.example"]


def test_refuse_parentheses_like_exchange(inbox: Mailbox) -> None:
    with through(inbox, refuse_parentheses()) as (proxy, c):
        with pytest.raises(IMAPClientError, match=r"Command Argument Error\. 11"):
            c.search(NESTED_OR)
        assert c.search(FLAT_OR) == [1, 2]
    assert b"(FROM ana@acme.example)" in proxy.log.named("UID SEARCH")[0].raw
    with through(inbox) as (_, c):
        assert c.search(NESTED_OR) == [1, 2]


def test_refuse_or(inbox: Mailbox) -> None:
    with through(inbox, refuse_or()) as (_, c):
        for criteria in (FLAT_OR, NESTED_OR):
            with pytest.raises(IMAPClientError, match="invalid command or parameters"):
                c.search(criteria)
        assert c.search(["FROM", "acme.example"]) == [1, 3]
        # "OR" as a value is not the OR key.
        assert c.search(["SUBJECT", "OR"]) == []
    with through(inbox) as (_, c):
        assert c.search(FLAT_OR) == [1, 2]


def _either_header(mid: str) -> list[str]:
    return ["OR", "HEADER", "In-Reply-To", mid, "HEADER", "References", mid]


def test_references_never_match_like_gmail(inbox: Mailbox) -> None:
    with through(inbox, references_never_match()) as (proxy, c):
        assert c.search(["HEADER", "References", REQUEST_1]) == []
        assert c.search(f'HEADER References "{REQUEST_1}"') == []  # quoted, not an atom
        assert c.search(["HEADER", "In-Reply-To", REQUEST_1]) == [1]
        # The OR around the rewritten key still works: In-Reply-To finds the first reply,
        # the reply threaded only through References is lost, as on Gmail.
        assert c.search(_either_header(REQUEST_1)) == [1]
        assert c.search(_either_header(REQUEST_2)) == []
    forwarded = proxy.log.named("UID SEARCH")[0].forwarded or b""
    assert b'References "<no-such-id-xyz@invalid>"' in forwarded
    with through(inbox) as (_, c):
        assert c.search(["HEADER", "References", REQUEST_1]) == [1]
        assert c.search(_either_header(REQUEST_2)) == [3]


def test_references_rewrite_handles_a_literal_id() -> None:
    raw = b"A1 UID SEARCH OR HEADER In-Reply-To {7}\r\n<a@b.c> HEADER references {7}\r\n<a@b.c>\r\n"
    cmd = Command.parse(raw)
    assert references_never_match().on_command(cmd) is None
    assert cmd.raw == (
        b"A1 UID SEARCH OR HEADER In-Reply-To {7}\r\n<a@b.c>"
        b' HEADER references "<no-such-id-xyz@invalid>"\r\n'
    )
    assert nonsync(cmd.raw).startswith(b"A1 UID SEARCH OR HEADER In-Reply-To {7+}\r\n<a@b.c>")


def test_word_based_from_finds_no_bare_domain(inbox: Mailbox) -> None:
    with through(inbox, word_based_from()) as (_, c):
        assert c.search(["FROM", "@acme.example"]) == []
        assert c.search(["OR", "FROM", "@acme.example", "FROM", "news@other.example"]) == [2]
        assert c.search(["FROM", "ana@acme.example"]) == [1]
        assert c.search(["FROM", "acme.example"]) == [1, 3]
    with through(inbox) as (_, c):
        assert c.search(["FROM", "@acme.example"]) == [1, 3]


def test_omit_fetch_uid_drops_a_message_once(inbox: Mailbox) -> None:
    with through(inbox, omit_fetch_uid([1], times=1)) as (proxy, c):
        assert set(c.fetch([1, 2], ["FLAGS"])) == {1, 2}  # no body asked: untouched
        assert set(c.fetch([1, 2], ["BODY.PEEK[]"])) == {2}
        assert set(c.fetch([1, 2], ["BODY.PEEK[]"])) == {1, 2}
    assert proxy.log.body_fetches() == 2 and proxy.log.counts["UID FETCH"] == 3
    with through(inbox, omit_fetch_uid(lambda uid: uid % 2 == 1, times=None)) as (_, c):
        for _ in range(2):
            assert set(c.fetch([1, 2, 3], ["RFC822"])) == {2}
    with through(inbox) as (_, c):
        assert set(c.fetch([1, 2], ["BODY.PEEK[]"])) == {1, 2}


def test_nil_body_once(inbox: Mailbox) -> None:
    with through(inbox, nil_body([2])) as (_, c):
        data = c.fetch([1, 2], ["BODY.PEEK[]", "INTERNALDATE"])
        assert data[2][b"BODY[]"] is None and b"INTERNALDATE" in data[2]
        assert data[1][b"BODY[]"] == REPLY
        assert c.fetch([2], ["BODY.PEEK[]"])[2][b"BODY[]"] == NEWS
    with through(inbox) as (_, c):
        assert c.fetch([2], ["BODY.PEEK[]"])[2][b"BODY[]"] == NEWS


def test_refuse_folder_listed_but_gone(inbox: Mailbox) -> None:
    inbox.append("Calendar", NEWS)
    with through(inbox, refuse_folder("Calendar")) as (_, c):
        assert "Calendar" in [name for _, _, name in c.list_folders()]
        with pytest.raises(IMAPClientError, match=r"NONEXISTENT"):
            c.folder_status("Calendar", [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"])
        with pytest.raises(IMAPClientError, match=r"NONEXISTENT"):
            c.select_folder("Calendar", readonly=True)
        # Dovecot, like the server imitated, has no mailbox selected after the failed SELECT.
        with pytest.raises(IMAPClientError):
            c.search(["ALL"])
        assert c.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"] == 3
    with through(inbox, refuse_folder("Calendar", ACCESS_DENIED, times=1)) as (_, c):
        with pytest.raises(IMAPClientError, match=r"NOPERM"):
            c.folder_status("Calendar", [b"MESSAGES"])
        assert c.folder_status("Calendar", [b"MESSAGES"])[b"MESSAGES"] == 1
    with through(inbox) as (_, c):
        assert c.select_folder("Calendar", readonly=True)[b"EXISTS"] == 1


def _flags(c: IMAPClient) -> dict[str, set[bytes]]:
    return {name: set(flags) for flags, _, name in c.list_folders()}


def test_gmail_layout(mailbox: Mailbox) -> None:
    shared = _message("ana@acme.example", "<g1@acme.example>", "Re: Feedback", REQUEST_1)
    for folder in ("INBOX", "[Gmail]/All Mail", "Jobs"):  # one message, three labels
        mailbox.append(folder, shared)
    mailbox.append("[Gmail]/All Mail", NEWS)
    for name in ("Sent Mail", "Trash", "Spam", "Drafts", "Important"):
        mailbox.append(f"[Gmail]/{name}", NEWS)
    with through(mailbox, gmail_layout()) as (_, c):
        assert b"X-GM-EXT-1" in c.capabilities() and b"SPECIAL-USE" not in c.capabilities()
        assert b"X-GM-EXT-1" in c.welcome
        flags = _flags(c)
        expected = {"All Mail": b"\\All", "Sent Mail": b"\\Sent", "Spam": b"\\Junk"}
        expected |= {"Trash": b"\\Trash", "Drafts": b"\\Drafts", "Important": b"\\Important"}
        for name, flag in expected.items():
            assert flag in flags[f"[Gmail]/{name}"]
        assert not {f.upper() for f in flags["Jobs"]} & SPECIAL_USE_FLAGS
        assert not {"Sent", "Trash", "Junk", "Drafts", "Archive"} & set(flags)
        assert c.find_special_folder(SENT) == "[Gmail]/Sent Mail"
        ids = {}
        for folder in ("INBOX", "[Gmail]/All Mail", "Jobs"):
            c.select_folder(folder, readonly=True)
            data = c.fetch([1], ["X-GM-MSGID"])[1]
            assert set(data) == {b"SEQ", b"X-GM-MSGID"}  # the helper header item is gone
            ids[folder] = data[b"X-GM-MSGID"]
        assert len(set(ids.values())) == 1 and 0 < ids["Jobs"] < 2**63
        c.select_folder("[Gmail]/All Mail", readonly=True)
        both = c.fetch([1, 2], ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)]", "X-GM-MSGID"])
        assert both[1][b"X-GM-MSGID"] == ids["Jobs"] != both[2][b"X-GM-MSGID"]
        assert b"<g1@acme.example>" in both[1][b"BODY[HEADER.FIELDS (MESSAGE-ID DATE)]"]
    with through(mailbox) as (_, c):
        assert b"X-GM-EXT-1" not in c.capabilities() and b"SPECIAL-USE" in c.capabilities()
        assert b"\\All" not in _flags(c)["[Gmail]/All Mail"]
        with pytest.raises(IMAPClientError):
            c.fetch([1], ["X-GM-MSGID"])


def test_m365_capabilities(mailbox: Mailbox) -> None:
    for folder in M365_FOLDERS:
        mailbox.append(folder, NEWS)
    m365 = {cap.upper().encode() for cap in M365_CAPABILITIES}
    with through(mailbox, m365_capabilities()) as (proxy, c):
        assert set(c.capabilities()) == m365  # from LOGIN's [CAPABILITY ...] code
        # Before login imapclient shows the untagged answer to its CAPABILITY command.
        fresh = IMAPClient("127.0.0.1", port=proxy.port, ssl=False, timeout=10)
        assert set(fresh.capabilities()) == m365
        fresh.logout()
        flags = _flags(c)
        assert set(M365_FOLDERS) <= set(flags)
        assert not {"Sent", "Trash", "Junk"} & set(flags)
        assert not any({f.upper() for f in fl} & SPECIAL_USE_FLAGS for fl in flags.values())
    with through(mailbox) as (_, c):
        assert b"\\Sent" in _flags(c)["Sent"]


def test_fetch_parser_keeps_bracketed_items_whole() -> None:
    resp = b"* 3 FETCH (UID 7 BODY[HEADER.FIELDS (DATE)] {6}\r\nDate\r\n FLAGS (\\Seen))\r\n"
    parsed = parse_fetch(resp)
    assert parsed is not None and parsed.uid == 7
    assert [it.key for it in parsed.items] == [b"UID", b"BODY[HEADER.FIELDS (DATE)]", b"FLAGS"]
    assert parsed.items[1].value.value == b"Date\r\n"


def test_list_flags_hide_a_folder_from_list_status_too() -> None:
    responses = [
        b'* LIST (\\HasNoChildren \\Sent) "/" Sent\r\n',
        b"* STATUS Sent (MESSAGES 0)\r\n",
        b'* LIST (\\HasNoChildren) "/" "Sent Items"\r\n',
        b'* STATUS "Sent Items" (MESSAGES 2)\r\n',
        b"A1 OK List completed\r\n",
    ]
    quirk = ListFlags({"Sent Items": "\\Sent"}, hide=["Sent"])
    assert quirk.on_responses(Command.parse(b'A1 LIST "" *\r\n'), responses) == [
        b'* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"\r\n',
        *responses[3:],
    ]
