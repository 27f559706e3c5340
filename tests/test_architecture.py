"""Structure that guards itself: the core never imports adapters; every command is documented."""

from __future__ import annotations

import ast
from pathlib import Path

from watcher.cli import COMMANDS, build_parser

PACKAGE = Path(__file__).resolve().parent.parent / "watcher"
CORE = {"messages", "headers", "mimeparts", "autosignals", "returndate", "charsets",
        "htmltext", "replies", "replybody", "replymarkers", "signatures", "features",
        "conversations", "followups", "digest", "drafts", "folders", "domains", "mailsource"}
FORBIDDEN_IN_CORE = {"imapclient", "sqlite3", "joblib", "schedule", "keyring", "subprocess",
                     "socket", "watcher.storage", "watcher.imap", "watcher.cli",
                     "watcher.service", "watcher.scheduler", "watcher.localmail",
                     "watcher.classifier", "watcher.modelfile", "watcher.credentials"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_import_no_adapter():
    for name in sorted(CORE):
        path = PACKAGE / f"{name}.py"
        if not path.exists():
            continue
        bad = {i for i in _imports(path) if any(i == f or i.startswith(f + ".")
                                                  for f in FORBIDDEN_IN_CORE)}
        assert not bad, f"core module {name} imports {bad}"


def test_no_module_shadows_the_standard_library():
    import sys

    for path in PACKAGE.glob("*.py"):
        assert path.stem not in sys.stdlib_module_names or path.stem == "__main__", path.name


def test_every_command_has_help_and_is_in_the_readme():
    readme = (PACKAGE.parent / "README.md").read_text()
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, (_, help_text) in COMMANDS.items():
        assert help_text and name in sub.choices
        assert f"feedback-watcher {name}" in readme, f"README does not mention {name}"
