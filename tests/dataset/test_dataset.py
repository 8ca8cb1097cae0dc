"""The dataset package: the only owner of the folder, its lock, and what killed runs leave."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from pathlib import Path

import pytest

from tests.support.datasets import write_month
from toppypi.dataset import Dataset, DatasetBusy, MonthReleased
from toppypi.dataset.files import month_files
from toppypi.dataset.layout import month_of
from toppypi.model.ranking import Methodology, Ranking


def ranking(*pairs: tuple[int, str]) -> Ranking:
    return Ranking.of(
        list(pairs), dt.datetime(2026, 4, 1, 6), methodology=Methodology("ClickHouse")
    )


def test_folder_names_are_parsed_in_one_place() -> None:
    assert month_of("2026-03") == "2026-03"
    for bad in ("2026-99", "2026-00", "0000-01", "notes", "2026-3", "2026-03-01", ".2026-03"):
        assert month_of(bad) is None, bad


def test_stray_folders_are_passed_over(tmp_path: Path) -> None:
    ds = Dataset(tmp_path)
    write_month(ds, "2026-03", ranking((5, "a"), (3, "b")))
    for stray in ("2026-99", "notes", "0000-01", "snapshots/xd/2020-01-01", "snapshots/30d/x"):
        d = tmp_path / "archive" / stray
        d.mkdir(parents=True)
        (d / "top-pypi-packages.json").write_text("{}")
        (d / "top-pypi-packages.csv").write_text("x")
    assert [e.label for e in ds.catalog()] == ["2026-03"]
    assert ds.months() == ["2026-03"]


def test_a_half_swapped_month_is_put_back_and_leftovers_go(tmp_path: Path) -> None:
    ds = Dataset(tmp_path)
    write_month(ds, "2026-03", ranking((5, "a")))
    arch = tmp_path / "archive"
    (arch / "2026-03").rename(arch / ".2026-03.old")  # killed between the two renames
    (arch / ".2026-02.staging").mkdir()
    (arch / ".import-x").mkdir()
    (tmp_path / ".top-pypi-packages.json.abc.tmp").write_text("partial")
    told: list[str] = []
    with ds.writing(say=told.append):
        pass
    assert (arch / "2026-03" / "top-pypi-packages.json").is_file()
    assert sorted(p.name for p in arch.iterdir()) == ["2026-03"]
    assert not (tmp_path / ".top-pypi-packages.json.abc.tmp").exists()
    assert told == ["restored archive/2026-03/, which a killed run left half swapped"]


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    ds = Dataset(tmp_path)
    inside = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with ds.writing():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    inside.wait(10)
    try:
        with pytest.raises(DatasetBusy, match="--wait SECONDS") as exc, ds.writing(wait=0.2):
            pass
        assert exc.value.exit_code == 7
    finally:
        release.set()
        t.join()
    with ds.writing(wait=0.2):
        pass


def test_a_released_month_is_never_written_again(tmp_path: Path) -> None:
    ds = Dataset(tmp_path)
    write_month(ds, "2026-03", ranking((5, "a")))
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    git("-c", "user.name=t", "-c", "user.email=t@t", "tag", "-a", "2026.04", "-m", "r")
    assert ds.released() == {"2026-03": ["2026.04"]}
    before = (tmp_path / "archive/2026-03/top-pypi-packages.json").read_bytes()
    with ds.writing() as w, pytest.raises(MonthReleased, match=r"released as 2026\.04"):
        w.write_month("2026-03", month_files(ranking((9, "b"))))
    assert (tmp_path / "archive/2026-03/top-pypi-packages.json").read_bytes() == before
    with ds.writing() as w:  # a correction (--republish) may
        w.write_month("2026-03", month_files(ranking((9, "b"))), correction=True)


def test_an_import_over_a_released_month_is_refused_naming_its_tag(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    ds = Dataset(tmp_path)
    write_month(ds, "2026-03", ranking((5, "a")))
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "tag", "-a", "2026.04", "-m", "r"],
    ):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)
    archived = tmp_path / "archive/2026-03/top-pypi-packages.json"
    before = archived.read_bytes()
    other = tmp_path.parent / f"{tmp_path.name}-other.json"
    other.write_bytes(before.replace(b'"download_count": 5', b'"download_count": 9'))
    proc = run_cli("history", "import", str(other), "--dataset", str(tmp_path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "2026-03 is released as 2026.04" in proc.stderr
    assert "remove that folder" not in proc.stderr  # never the advice for a released month
    assert f"toppypi update --dataset {tmp_path} --month 2026-03 --republish" in proc.stderr
    assert archived.read_bytes() == before
