"""Server answers no real server should give: one line and a documented exit code each, never a
traceback (a folder name in broken modified UTF-7, STATUS without UIDVALIDITY, numbers past
64 bits)."""

from __future__ import annotations

import contextlib
import io

import pytest
from scriptedimap import ScriptedImap, canonical

from watcher.cli import main


def _sync(tmp_path, port: int) -> tuple[int, str]:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[accounts]]\nname = "odd"\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\n'
        'username = "sam"\npassword_env = "FW_PW"\naddresses = ["sam@jobs.example"]\n'
    )
    config.chmod(0o600)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(
            ["--config", str(config), "--data-dir", str(tmp_path / "data"), "sync"],
            {"FW_PW": "pw"},
        )
    return code, err.getvalue()


def _replacing(name: str, old: bytes, new: bytes):
    def answer(tag: bytes, command: str, line: bytes):
        out = canonical(tag, command, line)
        if command == name:
            out = [c.replace(old, new) if isinstance(c, bytes) else c for c in out]
        return out

    return answer


def test_a_folder_name_in_broken_modified_utf7_is_one_line_exit_4(tmp_path):
    with ScriptedImap(_replacing("LIST", b'"/" Sent', b'"/" &////-Sent')) as server:
        code, err = _sync(tmp_path, server.port)
    assert code == 4, err
    assert "Traceback" not in err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "LIST could not be read" in lines[0], err


@pytest.mark.parametrize(
    "old, new, says",
    [
        (b"UIDVALIDITY 7", b"", "without UIDVALIDITY"),
        (b"UIDVALIDITY 7", b"UIDVALIDITY 18446744073709551616", "UIDVALIDITY 18446744073709551616"),
        (b"UIDNEXT 2", b"UIDNEXT 99999999999999999999999", "UIDNEXT 99999999999999999999999"),
    ],
    ids=["no UIDVALIDITY", "UIDVALIDITY past 64 bits", "UIDNEXT past 64 bits"],
)
def test_a_status_no_server_can_mean_skips_the_folder_exit_7(tmp_path, caplog, old, new, says):
    with ScriptedImap(_replacing("STATUS", old, new)) as server:
        code, err = _sync(tmp_path, server.port)
    assert code == 7, err
    assert "Traceback" not in err
    # One line per skipped folder, and the summary.
    lines = [x for x in err.splitlines() if x.strip()]
    assert all("skipped" in x or "partial sync" in x for x in lines), err
    assert "partial sync" in err and says in caplog.text  # the log: stderr at the CLI
