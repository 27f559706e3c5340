from watcher.folders import choose_folders, folder_choice, folder_role


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
    # INBOX and the sent folder stay watched whatever the include list says ...
    assert [f.name for f in choose_folders(listed, include=["Jobs"])] == ["INBOX", "Sent", "Jobs"]
    # ... unless an exclude pattern names them.
    chosen = choose_folders(listed, include=["Jobs"], exclude=["Sent"])
    assert [f.name for f in chosen] == ["INBOX", "Jobs"]


def test_patterns_that_match_no_folder_are_warned_about():
    listed = [
        ((), "/", "INBOX"),
        ((r"\Sent",), "/", "Sent"),
        ((), "/", "Archive"),
        ((r"\Noselect",), "/", "[Gmail]"),
    ]
    choice = folder_choice(listed, include=["Archiv", "inbox", "[Gmail]"], exclude=["News/*"])
    assert [f.name for f in choice.folders] == ["INBOX", "Sent"]
    assert choice.unmatched_include == ("Archiv",) and choice.unmatched_exclude == ("News/*",)
    warnings = choice.warnings("personal", ["INBOX", "Sent", "Archive"])
    assert warnings == [
        "account personal: include_folders pattern 'Archiv' matches no folder "
        "(the server has: INBOX, Sent, Archive)",
        "account personal: exclude_folders pattern 'News/*' matches no folder "
        "(the server has: INBOX, Sent, Archive)",
    ]
    assert folder_choice(listed, include=["Archive"]).warnings("personal") == []


def test_sync_and_status_warn_and_still_watch_inbox_and_sent(tmp_path, capsys, caplog):
    from importlib import resources

    from watcher.cli import main

    mailbox = resources.files("watcher") / "demo" / "mailbox"
    config = tmp_path / "config.toml"
    config.write_text(
        'lookback_days = 3650\n[[accounts]]\nname = "demo"\n'
        f'maildir = "{mailbox}"\naddresses = ["alex.morgan@mail.example"]\n'
        'include_folders = ["Archiv"]\n'
    )
    config.chmod(0o600)
    argv = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert main([*argv, "sync", "--now", "2025-04-14T08:00:00+01:00"], {}) == 0
    out = capsys.readouterr().out
    # A warning on stderr (here caught by pytest's log capture).
    assert "include_folders pattern 'Archiv' matches no folder" in caplog.text
    assert "demo: 2 folders," in out  # INBOX and Sent, not nothing
    assert main([*argv, "status"], {}) == 0
    out = capsys.readouterr().out
    assert "  warning: account demo: include_folders pattern 'Archiv' matches no folder" in out
    assert "INBOX" in out and "Sent" in out


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
        "[Gmail]/Enviados",  # the sent folder stays watched with an include list
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
    assert [f.name for f in choose_folders(listed, include=["Notes"])] == [
        "INBOX",
        "Sent Items",
        "Notes",
    ]
