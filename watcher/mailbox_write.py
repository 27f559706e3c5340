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


def _account_for(config: Config, address: str | None) -> Account:
    for account in config.accounts:
        if address and address in account.own_addresses:
            return account
    if not config.accounts:
        raise ConfigError("no [[accounts]] in the configuration")
    return config.accounts[0]


def _folder_with_role(source, role: str, fallback: str) -> str:
    for flags, delimiter, name in source.list_folders():
        if folder_role(name, flags, delimiter) == role:
            return name
    return fallback


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


def append_draft(config: Config, environ: Mapping[str, str], state: ThreadState,
                 draft: Draft, now: datetime | None = None) -> str:
    """Save the draft in the account's Drafts folder with the \\Draft flag; returns the folder."""
    from watcher.imap import ImapSource

    request = state.thread.request
    sender = request.sender.email if request.sender else ""
    account = _account_for(config, sender)
    raw = draft_message(draft, sender or account.username,
                        request.sender.name if request.sender else "",
                        now or datetime.now().astimezone())
    source = ImapSource(account, get_secret(account, environ))
    try:
        folder = _folder_with_role(source, "drafts", "Drafts")
        source.append(folder, raw, ["\\Draft"])
    finally:
        source.close()
    log.info("draft for %s saved in %s/%s", state.thread.counterpart, account.name, folder)
    return folder
