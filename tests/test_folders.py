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
