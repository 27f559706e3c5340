"""Which server folders to watch, and what each one is (pure).

RFC 6154 SPECIAL-USE flags decide first; servers without them get the usual localized names.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SKIPPED_ROLES = frozenset({"trash", "junk", "drafts"})

_FLAG_ROLES = {
    "\\sent": "sent",
    "\\drafts": "drafts",
    "\\trash": "trash",
    "\\junk": "junk",
    "\\archive": "archive",
    "\\all": "all",
    "\\flagged": "flagged",
    "\\important": "flagged",  # Gmail's [Gmail]/Important: a view of mail All Mail holds
}

# Lower-cased last path segments, as providers and localized clients name them.
_NAME_ROLES = {
    "sent": (
        "sent",
        "sent items",
        "sent messages",
        "sent mail",
        "gesendet",
        "gesendete elemente",
        "gesendete objekte",
        "envoyés",
        "éléments envoyés",
        "messages envoyés",
        "enviados",
        "elementos enviados",
        "itens enviados",
        "verzonden",
        "verzonden items",
        "inviata",
        "posta inviata",
        "skickat",
        "skickade objekt",
        "wysłane",
        "sendt",
        "sendt post",
        "sendte elementer",
        "elementy wysłane",
    ),
    "drafts": (
        "drafts",
        "draft",
        "entwürfe",
        "brouillons",
        "borradores",
        "rascunhos",
        "concepten",
        "bozze",
        "utkast",
        "kopie robocze",
        "kladder",
    ),
    "trash": (
        "trash",
        "deleted items",
        "deleted messages",
        "bin",
        "papierkorb",
        "gelöschte elemente",
        "corbeille",
        "éléments supprimés",
        "papelera",
        "elementos eliminados",
        "lixeira",
        "lixo",
        "itens excluídos",
        "prullenbak",
        "verwijderde items",
        "cestino",
        "posta eliminata",
        "papperskorg",
        "borttagna objekt",
        "kosz",
        "elementy usunięte",
        "itens eliminados",
        "slettet post",
        "slettede elementer",
    ),
    "junk": (
        "junk",
        "spam",
        "junk e-mail",
        "junk email",
        "bulk mail",
        "junk-e-mail",
        "courrier indésirable",
        "correo no deseado",
        "lixo eletrônico",
        "ongewenste e-mail",
        "posta indesiderata",
        "skräppost",
        "wiadomości-śmieci",
        "uønsket mail",
        "søppelpost",
    ),
    "archive": ("archive", "archives", "archiv", "archief", "archivo", "arquivo", "archivio"),
    "all": ("all mail", "alle nachrichten", "tous les messages", "todos"),
}


# Exchange / Microsoft 365 list their calendar, contacts and the like among the mail folders,
# without flags; reading them gives "Retrieval using the IMAP4 protocol failed" stand-ins,
# or a refusal that would make every sync partial (libremail #105). First path segments, in
# the languages Outlook names them; skipped only where the listing is Exchange's.
_EXCHANGE_NOT_MAIL = frozenset(
    {
        "calendar",
        "contacts",
        "tasks",
        "notes",
        "journal",
        "outbox",
        "conversation history",
        "rss feeds",
        "rss subscriptions",
        "sync issues",
        "kalender",
        "kontakte",
        "aufgaben",
        "notizen",
        "postausgang",
        "aufgezeichnete unterhaltungen",
        "synchronisierungsprobleme",
        "calendrier",
        "tâches",
        "boîte d'envoi",
        "problèmes de synchronisation",
        "calendario",
        "contactos",
        "tareas",
        "notas",
        "bandeja de salida",
        "agenda",
        "contactpersonen",
        "taken",
        "postvak uit",
    }
)
# Names only Exchange gives its own folders: a listing with one of them is Exchange's.
_EXCHANGE_MARKERS = frozenset(
    {
        "sent items",
        "deleted items",
        "junk email",
        "junk e-mail",
        "gesendete elemente",
        "gelöschte elemente",
        "éléments envoyés",
        "éléments supprimés",
        "elementos enviados",
        "elementos eliminados",
        "verzonden items",
        "verwijderde items",
        "itens enviados",
        "itens excluídos",
    }
)


@dataclass(frozen=True)
class Folder:
    """A server folder we may watch."""

    name: str
    role: str  # inbox, sent, archive, all, other (or a skipped role)


def folder_role(name: str, flags: Iterable[str], delimiter: str | None = "/") -> str:
    """The folder's role from its SPECIAL-USE flags, else from its name."""
    lowered = {f.lower() for f in flags}
    for flag, role in _FLAG_ROLES.items():
        if flag in lowered:
            return role
    if name.upper() == "INBOX":
        return "inbox"
    last = name.rsplit(delimiter, 1)[-1] if delimiter else name
    last = last.strip().lower()
    for role, names in _NAME_ROLES.items():
        if last in names:
            return role
    return "other"


@dataclass(frozen=True)
class FolderChoice:
    """The folders to watch, and the configured patterns that matched no folder at all."""

    folders: list[Folder]
    unmatched_include: tuple[str, ...] = ()
    unmatched_exclude: tuple[str, ...] = ()

    def warnings(self, account: str, listed_names: Sequence[str] = ()) -> list[str]:
        """One line per pattern that matches no folder, naming the folders there are."""
        there = ", ".join(listed_names[:12]) + (", ..." if len(listed_names) > 12 else "")
        hint = f" (the server has: {there})" if there else ""
        return [
            f"account {account}: {key} pattern {pattern!r} matches no folder{hint}"
            for key, patterns in (
                ("include_folders", self.unmatched_include),
                ("exclude_folders", self.unmatched_exclude),
            )
            for pattern in patterns
        ]


def _matches(name: str, pattern: str) -> bool:
    # INBOX is case-insensitive in IMAP (RFC 3501 5.1): "inbox" names it too. A name written
    # out matches itself, though "[Gmail]/Sent Mail" is a character class to fnmatch.
    if name.upper() == "INBOX" and pattern.upper() == "INBOX":
        return True
    return name == pattern or fnmatch.fnmatchcase(name, pattern)


# Always watched unless a pattern excludes them: requests are in Sent, replies in INBOX.
ALWAYS = frozenset({"inbox", "sent"})


def folder_choice(
    listed: Sequence[tuple[Sequence[str], str | None, str]],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> FolderChoice:
    """The folders to watch, from LIST output of (flags, delimiter, name).

    ``include`` and ``exclude`` are shell-style patterns on folder names. An include list
    replaces the default choice of other folders, but INBOX and the sent folder are always
    watched unless an exclude pattern names them (``include_folders = ["Archive"]`` adds
    Archive to them). A folder must exist and be selectable. Without an include list, a folder
    holding every other (Gmail's All Mail) is watched alone.
    """
    chosen = []
    chosen_flags: list[Sequence[str]] = []
    exchange = _is_exchange(listed)
    for flags, delimiter, name in listed:
        lowered = {f.lower() for f in flags}
        if "\\noselect" in lowered or "\\nonexistent" in lowered:
            continue
        role = folder_role(name, flags, delimiter)
        if any(_matches(name, p) for p in exclude):
            continue
        if include:
            if role not in ALWAYS and not any(_matches(name, p) for p in include):
                continue
        elif role in SKIPPED_ROLES or role == "flagged":
            continue
        elif exchange and _top(name, delimiter) in _EXCHANGE_NOT_MAIL:
            continue
        chosen.append(Folder(name, role))
        chosen_flags.append(flags)
    names = [name for _, _, name in listed]

    def unmatched(patterns: Sequence[str]) -> tuple[str, ...]:
        return tuple(p for p in patterns if not any(_matches(n, p) for n in names))

    if not include:
        every = [f for f, flags in zip(chosen, chosen_flags) if _holds_every_folder(f, flags)]
        if every:
            # Gmail: All Mail holds every message of INBOX, Sent and each label (not Spam or
            # Trash). Watching the others too would fetch each message once per label.
            return FolderChoice(every[:1], (), unmatched(exclude))
    order = {"inbox": 0, "sent": 1}
    return FolderChoice(
        sorted(chosen, key=lambda f: (order.get(f.role, 2), f.name)),
        unmatched(include),
        unmatched(exclude),
    )


def choose_folders(
    listed: Sequence[tuple[Sequence[str], str | None, str]],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[Folder]:
    """The folders to watch (``folder_choice`` without the warnings)."""
    return folder_choice(listed, include, exclude).folders


def _top(name: str, delimiter: str | None) -> str:
    return (name.split(delimiter, 1)[0] if delimiter else name).strip().lower()


def _is_exchange(listed: Sequence[tuple[Sequence[str], str | None, str]]) -> bool:
    """No SPECIAL-USE flag anywhere, and a folder named as only Exchange names its own."""
    flags = {f.lower() for fl, _, _ in listed for f in fl}
    if flags & set(_FLAG_ROLES):
        return False
    return any(_top(name, d) in _EXCHANGE_MARKERS for _, d, name in listed)


_GMAIL_ROOTS = ("[gmail]/", "[google mail]/")


def _holds_every_folder(folder: Folder, flags: Iterable[str]) -> bool:
    """\\All, or (a server that sends no flags) Gmail's All Mail by name. Only there: a user's
    own folder called "Todos" is not a copy of the whole mailbox."""
    if folder.role != "all":
        return False
    if "\\all" in {f.lower() for f in flags}:
        return True
    name = folder.name.lower()
    return name.endswith("all mail") or name.startswith(_GMAIL_ROOTS)
