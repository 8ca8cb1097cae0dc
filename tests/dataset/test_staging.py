"""Derived files (the site) written with plain os calls: whole, or a one-line error."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from toppypi.dataset.staging import write_unsynced
from toppypi.dataset.sweep import sweep
from toppypi.errors import InputError


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*.tmp"))


def test_files_are_written_with_the_modes_the_umask_gives(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        written = write_unsynced(tmp_path, {"badges/a.svg": b"<svg/>", "index.html": b"x"})
    finally:
        os.umask(old)
    assert written == [tmp_path / "badges/a.svg", tmp_path / "index.html"]
    assert stat.S_IMODE((tmp_path / "index.html").stat().st_mode) == 0o640
    assert write_unsynced(tmp_path, {"index.html": b"x"}) == []  # same bytes: left alone
    assert _leftovers(tmp_path) == []


def test_a_file_where_a_folder_should_be_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "badges").write_text("a file")
    with pytest.raises(InputError, match=r"cannot write .*badges/a.svg") as exc:
        write_unsynced(tmp_path, {"badges/a.svg": b"<svg/>"})
    assert "\n" not in str(exc.value)
    (tmp_path / "index.html").mkdir()
    with pytest.raises(InputError, match=r"cannot write .*index.html"):
        write_unsynced(tmp_path, {"index.html": b"x"})
    assert _leftovers(tmp_path) == []


def test_a_read_only_file_is_never_replaced(tmp_path: Path) -> None:
    """As every other file toppypi writes (atomic.py): a read-only file is the user's to keep."""
    kept = tmp_path / "index.html"
    kept.write_bytes(b"mine")
    kept.chmod(0o444)
    with pytest.raises(InputError, match="read-only") as exc:
        write_unsynced(tmp_path, {"index.html": b"theirs"})
    assert "\n" not in str(exc.value)
    assert kept.read_bytes() == b"mine" and _leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "badges").mkdir()
    (tmp_path / "badges").chmod(0o555)
    try:
        with pytest.raises(InputError, match="cannot write"):
            write_unsynced(tmp_path, {"badges/a.svg": b"<svg/>"})
    finally:
        (tmp_path / "badges").chmod(0o755)
    assert _leftovers(tmp_path) == []


def test_the_temporary_a_killed_writer_left_is_swept(tmp_path: Path) -> None:
    (tmp_path / "badges").mkdir()
    left = tmp_path / "badges" / f".a.svg.{os.getpid() + 1}.tmp"
    left.write_bytes(b"<sv")
    sweep(tmp_path)
    assert not left.exists()
