"""The opt-in writes into the user's mailbox: a draft in Drafts, the digest in INBOX.

Nothing is ever sent; each write is one APPEND the user asked for.
"""

from __future__ import annotations

import email.policy
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, make_msgid

from watcher.config import Account, Config
from watcher.credentials import get_secret
from watcher.drafts import Draft
from watcher.errors import ConfigError
from watcher.folders import folder_role
from watcher.followups import ThreadState

log = logging.getLogger(__name__)


def imap_account(config: Config, address: str | None = None, why: str = "writing") -> Account:
    """The IMAP account that owns ``address``, else the first IMAP account (not a Maildir)."""
    accounts = [a for a in config.accounts if not (a.maildir or a.mbox)]
    if not accounts:
        raise ConfigError(f"{why} needs an IMAP account, and no [[accounts]] entry is one")
    for account in accounts:
        if address and address in account.own_addresses:
            return account
    return accounts[0]


@dataclass(frozen=True)
class Appended:
    folder: str
    already_there: bool  # a message with the same Message-ID was found: nothing was written


def append(
    account: Account,
    environ: Mapping[str, str],
    raw: bytes,
    flags: list[str],
    role: str = "inbox",
    fallback: str = "INBOX",
) -> Appended:
    """APPEND one message to the account's folder with this role, unless the folder already
    holds one with its Message-ID (every message we write has an id made from what it is, so
    writing it twice, by a retry or a second command, leaves one copy)."""
    from watcher.imap import ImapSource

    message_id = BytesParser(policy=email.policy.compat32).parsebytes(raw, headersonly=True)[
        "Message-ID"
    ]
    source = ImapSource(account, get_secret(account, environ))
    try:
        folder = fallback
        if role != "inbox":
            for folder_flags, delimiter, name in source.list_folders():
                if folder_role(name, folder_flags, delimiter) == role:
                    folder = name
                    break
        if message_id and source.holds_message_id(folder, str(message_id).strip()):
            log.info("%s/%s already holds %s; not written again", account.name, folder, message_id)
            return Appended(folder, True)
        source.append(folder, raw, flags)
    finally:
        source.close()
    return Appended(folder, False)


def stable_id(*parts: str, domain: str) -> str:
    """A Message-ID made from what the message is: the same draft or digest gets the same id."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"<feedback-watcher.{digest}@{domain or 'localhost'}>"


def draft_message(
    draft: Draft, sender: str, sender_name: str, now: datetime, asks: int | None = None
) -> bytes:
    """The draft as a message; with ``asks`` (how many times the request was asked so far), its
    Message-ID names the request and that count, so saving it twice gives one draft."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender))
    msg["To"] = formataddr((draft.to_name, draft.to))
    msg["Subject"] = draft.subject
    msg["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2]
    msg["Message-ID"] = (
        stable_id("draft", draft.in_reply_to or draft.subject, str(asks), domain=domain)
        if asks is not None
        else make_msgid(domain=domain or None)
    )
    msg["In-Reply-To"] = draft.in_reply_to
    msg["References"] = " ".join(draft.references)
    msg.set_content(draft.body)
    return msg.as_bytes()


def append_draft(
    config: Config,
    environ: Mapping[str, str],
    state: ThreadState,
    draft: Draft,
    now: datetime | None = None,
) -> Appended:
    """Save the draft in the account's Drafts folder with the \\Draft flag; returns the folder."""
    request = state.thread.request
    sender = request.sender.email if request.sender else ""
    account = imap_account(config, sender, "draft --to-mailbox")
    raw = draft_message(
        draft,
        sender or account.username,
        request.sender.name if request.sender else "",
        now or datetime.now().astimezone(),
        asks=state.asks,
    )
    done = append(account, environ, raw, ["\\Draft"], role="drafts", fallback="Drafts")
    log.info(
        "draft for %s %s %s/%s",
        state.thread.counterpart,
        "already in" if done.already_there else "saved in",
        account.name,
        done.folder,
    )
    return done
