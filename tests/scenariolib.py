"""The scenario mailboxes under tests/scenarios/: read, loaded into a Dovecot user, synced.

Shared by test_scenarios (each mailbox as it is, checked against its expected.json) and
test_servers (the same mailboxes through the quirk proxy, in other servers' folder layouts,
checked against the plain-Dovecot result). Sync and digest run through ``watcher.cli.main``.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from conftest import Mailbox
from dovecot import DovecotServer

from watcher.cli import main

ROOT = Path(__file__).parent / "scenarios"
NAMES = sorted(p.parent.name for p in ROOT.glob("*/expected.json"))

# (scenario folder, file name) -> [(server folder, flags)]: where a layout puts each message.
Layout = Callable[[str, str], Sequence[tuple[str, Sequence[bytes]]]]


def expected(name: str) -> dict:
    return json.loads((ROOT / name / "expected.json").read_text(encoding="utf-8"))


def files(name: str) -> dict[str, str]:
    """Message-ID to the file's name without date and extension ("request-nordwerk")."""
    out = {}
    for path in sorted((ROOT / name).rglob("*.eml")):
        mid = message_id(path.read_bytes())
        if mid:
            out.setdefault(mid, path.stem.split("-", 2)[2])
    return out


def message_id(raw: bytes) -> str | None:
    lines = raw.split(b"\r\n")
    for i, line in enumerate(lines):
        if line.lower().startswith(b"message-id:"):
            value = line[11:]
            for more in lines[i + 1 :]:  # a folded header goes on in lines that start with space
                if not more[:1].isspace():
                    break
                value += more
            return value.strip().decode()
        if not line:
            return None
    return None


def folders(name: str) -> dict[str, list[Path]]:
    """IMAP folder name (the path below the scenario, "/"-separated) to its .eml files."""
    out: dict[str, list[Path]] = {}
    for path in sorted((ROOT / name).rglob("*.eml")):
        folder = path.parent.relative_to(ROOT / name).as_posix()
        out.setdefault(folder, []).append(path)
    return out


def as_is(folder: str, name: str) -> list[tuple[str, Sequence[bytes]]]:
    return [(folder, ())]


def load(
    server: DovecotServer,
    name: str,
    user: str,
    tmp: Path,
    layout: Layout = as_is,
    extra: Mapping[str, Sequence[bytes]] | None = None,
) -> Mailbox:
    """A new Dovecot user holding scenario ``name`` (placed by ``layout``), with a config.

    Messages go in by arrival order (the file names start with the date), so that a folder
    gathering several scenario folders (Gmail's All Mail) numbers them as a server would.
    ``extra`` adds messages (scenario folder -> raw messages), placed by ``layout`` too,
    after the scenario's own.
    """
    want = expected(name)
    mb = Mailbox(server, user, tmp)
    mb.address = want["addresses"][0]
    mb.addresses = list(want["addresses"])
    mb.write_config()
    items = [(p.name, folder, p.read_bytes()) for folder, ps in folders(name).items() for p in ps]
    for folder, raws in (extra or {}).items():
        items += [(f"9999-{i:04d}-extra.eml", folder, raw) for i, raw in enumerate(raws)]
    placed: dict[tuple[str, tuple[bytes, ...]], list[bytes]] = {}
    for file_name, folder, raw in sorted(items, key=lambda item: item[:2]):
        for where, flags in layout(folder, file_name):
            placed.setdefault((where, tuple(flags)), []).append(raw)
    # Created in a stable order, so UIDs do not depend on dict order.
    for (where, flags), raws in sorted(placed.items(), key=lambda kv: kv[0]):
        mb.append(where, *raws, flags=flags)
    return mb


def server_folders(mb: Mailbox) -> list[str]:
    """Every selectable folder the user has on the server (asked of Dovecot directly)."""
    c = mb.server.client(mb.user)
    try:
        return [n for fl, _, n in c.list_folders() if b"\\noselect" not in {f.lower() for f in fl}]
    finally:
        c.logout()


def all_flags(mb: Mailbox) -> dict[str, dict]:
    """FLAGS of every message in every folder, as Dovecot itself answers."""
    return {f: mb.flags(f) for f in server_folders(mb)}


def run(mb: Mailbox, *argv: str) -> tuple[int, str]:
    """``feedback-watcher <argv>`` through main(): exit code and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(mb.cli(*argv), mb.environ)
    return code, out.getvalue()


def digest(mb: Mailbox, now: str) -> dict:
    code, text = run(mb, "digest", "--json", "--now", now)
    assert code == 0, text
    return json.loads(text)
