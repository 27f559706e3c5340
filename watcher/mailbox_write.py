"""The opt-in writes into the user's mailbox: a draft in Drafts, the digest in INBOX.

Nothing is ever sent; each write is one APPEND the user asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
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


def append(
    account: Account,
    environ: Mapping[str, str],
    raw: bytes,
    flags: list[str],
    role: str = "inbox",
    fallback: str = "INBOX",
) -> str:
    """APPEND one message to the account's folder with this role; returns the folder's name."""
    from watcher.imap import ImapSource

    source = ImapSource(account, get_secret(account, environ))
    try:
        folder = fallback
        if role != "inbox":
            for folder_flags, delimiter, name in source.list_folders():
                if folder_role(name, folder_flags, delimiter) == role:
                    folder = name
                    break
        source.append(folder, raw, flags)
    finally:
        source.close()
    return folder


def draft_message(draft: Draft, sender: str, sender_name: str, now: datetime) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender))
    msg["To"] = formataddr((draft.to_name, draft.to))
    msg["Subject"] = draft.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
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
) -> str:
    """Save the draft in the account's Drafts folder with the \\Draft flag; returns the folder."""
    request = state.thread.request
    sender = request.sender.email if request.sender else ""
    account = imap_account(config, sender, "draft --to-mailbox")
    raw = draft_message(
        draft,
        sender or account.username,
        request.sender.name if request.sender else "",
        now or datetime.now().astimezone(),
    )
    folder = append(account, environ, raw, ["\\Draft"], role="drafts", fallback="Drafts")
    log.info("draft for %s saved in %s/%s", state.thread.counterpart, account.name, folder)
    return folder
