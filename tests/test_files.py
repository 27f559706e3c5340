"""Files written whole: the old content or the new, private unless asked, no leftovers."""

from __future__ import annotations

import stat

import pytest

from watcher import files


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_text_replaces_the_file_privately(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("old")
    path.chmod(0o644)
    files.write_text(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert _mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_public_mode_is_set_only_when_asked(tmp_path):
    path = tmp_path / "feedback-watcher.service"
    files.write_text(path, "[Unit]\n", mode=0o644)
    assert _mode(path) == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "model.joblib"
    path.write_text("old")
    with pytest.raises(RuntimeError), files.replacing(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.joblib"]
