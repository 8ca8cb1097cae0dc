"""Nothing is destroyed: an output never replaces its input, the store or a good dump."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tests.conftest import run_cli


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(proc: object, code: int) -> str:
    assert proc.returncode == code, proc.stderr  # type: ignore[attr-defined]
    err: str = proc.stderr  # type: ignore[attr-defined]
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_a_period_without_data_never_replaces_a_good_dump(store: Path, tmp_path: Path) -> None:
    keep = tmp_path / "keep.json"
    made = run_cli("top", "--db", str(store), "--month", "2026-03", "-o", str(keep))
    assert made.returncode == 0, made.stderr
    before = sha(keep)
    for args in (
        ("--month", "1969-12"),
        ("--month", "2030-01"),
        ("--month", "1969-12", "--limit", "0", "--format", "csv.gz"),
    ):
        out = keep if "csv.gz" not in args else tmp_path / "all.csv.gz"
        proc = run_cli("top", "--db", str(store), *args, "-o", str(out))
        err = _one_line(proc, 4)
        assert "no data for" in err and "nothing written" in err
    assert sha(keep) == before and not (tmp_path / "all.csv.gz").exists()


def test_convert_never_writes_over_its_input_or_a_store(store: Path, tmp_path: Path) -> None:
    dump = tmp_path / "top.csv"
    assert run_cli("top", "--db", str(store), "--month", "2026-03", "-o", str(dump)).returncode == 0
    db = tmp_path / "copy.duckdb"
    shutil.copy(store, db)
    hashes = {p: sha(p) for p in (dump, db)}
    for out, message in (
        (dump, "is the input itself"),
        (db, "DuckDB store"),
        (tmp_path / "new.duckdb", "looks like a DuckDB store"),
    ):
        err = _one_line(run_cli("convert", str(dump), "--format", "json", "-o", str(out)), 2)
        assert message in err
    assert {p: sha(p) for p in hashes} == hashes
    err = _one_line(
        run_cli("top", "--db", str(db), "--month", "2026-03", "--format", "csv", "-o", str(db)), 2
    )
    assert "is the local store" in err and sha(db) == hashes[db]


def test_demo_never_replaces_another_dataset(store: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    proc = run_cli("update", "--dataset", str(ds), "--db", str(store), "--month", "2026-03",
                   "--limit", "200", "--no-year-list")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    before = {p.relative_to(ds).as_posix(): sha(p) for p in ds.rglob("*") if p.is_file()}
    err = _one_line(run_cli("demo", "--dir", str(ds), "--events", "20000"), 2)
    assert "holds a dataset (archive/) that the demo did not make" in err
    after = {p.relative_to(ds).as_posix(): sha(p) for p in ds.rglob("*") if p.is_file()}
    assert after == before
