from watcher.folders import choose_folders, folder_role


def test_special_use_flags_decide_roles():
    listed = [
        ((r"\HasNoChildren",), "/", "INBOX"),
        ((r"\Sent",), "/", "Gesendet"),
        ((r"\Trash",), "/", "Corbeille"),
        ((r"\Junk",), "/", "Pourriel"),
        ((r"\Drafts",), "/", "Concepts"),
        ((r"\Archive",), "/", "Old"),
        ((), "/", "Jobs/Acme"),
        ((r"\Noselect",), "/", "[Gmail]"),
        ((r"\Important",), "/", "[Gmail]/Important"),
    ]
    chosen = {f.name: f.role for f in choose_folders(listed)}
    assert chosen == {"INBOX": "inbox", "Gesendet": "sent", "Old": "archive", "Jobs/Acme": "other"}


def test_names_are_the_fallback_without_special_use():
    assert folder_role("[Gmail]/Sent Mail", (), "/") == "sent"
    assert folder_role("INBOX.Sent Items", (), ".") == "sent"
    assert folder_role("Verzonden items", (), "/") == "sent"
    assert folder_role("Deleted Items", (), "/") == "trash"
    assert folder_role("Junk E-mail", (), "/") == "junk"
    names = [
        f.name
        for f in choose_folders(
            [
                ((), "/", "Deleted Items"),
                ((), "/", "Spam"),
                ((), "/", "Sent Items"),
                ((), "/", "Inbox"),
            ]
        )
    ]
    assert names == ["Inbox", "Sent Items"]


def test_include_and_exclude_patterns():
    listed = [
        ((), "/", "INBOX"),
        ((r"\Sent",), "/", "Sent"),
        ((), "/", "News/Daily"),
        ((), "/", "Jobs"),
    ]
    assert [f.name for f in choose_folders(listed, exclude=["News/*"])] == ["INBOX", "Sent", "Jobs"]
    assert [f.name for f in choose_folders(listed, include=["INBOX", "Jobs"])] == ["INBOX", "Jobs"]


GMAIL = [
    ((r"\HasNoChildren",), "/", "INBOX"),
    ((r"\HasChildren", r"\Noselect"), "/", "[Gmail]"),
    ((r"\All", r"\HasNoChildren"), "/", "[Gmail]/Todos"),  # Spanish Gmail
    ((r"\Sent",), "/", "[Gmail]/Enviados"),
    ((r"\Drafts",), "/", "[Gmail]/Borradores"),
    ((r"\Important",), "/", "[Gmail]/Importantes"),
    ((), "/", "Trabajo"),
]


def test_gmail_all_mail_is_watched_alone():
    assert [f.name for f in choose_folders(GMAIL)] == ["[Gmail]/Todos"]
    # Without flags, by Gmail's name for it.
    plain = [
        ((), "/", "INBOX"),
        ((), "/", "[Google Mail]/All Mail"),
        ((), "/", "[Google Mail]/Sent Mail"),
    ]
    assert [f.name for f in choose_folders(plain)] == ["[Google Mail]/All Mail"]


def test_a_folder_merely_named_like_all_mail_is_not_the_whole_mailbox():
    listed = [((), "/", "INBOX"), ((), "/", "Todos"), ((r"\Sent",), "/", "Sent")]
    assert [f.name for f in choose_folders(listed)] == ["INBOX", "Sent", "Todos"]


def test_include_or_exclude_overrides_all_mail():
    assert [f.name for f in choose_folders(GMAIL, include=["INBOX", "Trabajo"])] == [
        "INBOX",
        "Trabajo",
    ]
    assert [f.name for f in choose_folders(GMAIL, exclude=["[Gmail]/Todos"])] == [
        "INBOX",
        "[Gmail]/Enviados",
        "Trabajo",
    ]


def test_exchange_calendar_and_contacts_are_not_mail_folders():
    listed = [
        ((r"\HasNoChildren",), "/", "INBOX"),
        ((r"\HasChildren",), "/", "Calendar"),
        ((r"\HasNoChildren",), "/", "Calendar/Birthdays"),
        ((), "/", "Contacts"),
        ((), "/", "Conversation History"),
        ((), "/", "Deleted Items"),
        ((), "/", "Journal"),
        ((), "/", "Junk Email"),
        ((), "/", "Notes"),
        ((), "/", "Outbox"),
        ((), "/", "Sent Items"),
        ((), "/", "Sync Issues/Conflicts"),
        ((), "/", "Tasks"),
        ((), "/", "Archive"),
        ((), "/", "Jobs/Notes"),  # a mail folder of the user's
    ]
    assert [f.name for f in choose_folders(listed)] == [
        "INBOX",
        "Sent Items",
        "Archive",
        "Jobs/Notes",
    ]
    assert folder_role("Posta eliminata", (), "/") == "trash"
    # Elsewhere a folder called Notes is the user's mail.
    other = [((), "/", "INBOX"), ((r"\Sent",), "/", "Sent"), ((), "/", "Notes")]
    assert [f.name for f in choose_folders(other)] == ["INBOX", "Sent", "Notes"]
    assert [f.name for f in choose_folders(listed, include=["Notes"])] == ["Notes"]
