"""``sample -o FILE``: the file's name says its format, whatever its case."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def test_an_upper_case_suffix_names_the_format_too(tmp_path: Path) -> None:
    out = tmp_path / "events.JSONL"
    proc = run_cli("sample", "--month", "2026-03", "--events", "5", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"{")  # JSON lines, not Parquet
    refused = run_cli(
        "sample", "--month", "2026-03", "--events", "5", "-o", str(tmp_path / "e.LOG"),
        "--format", "parquet",
    )  # fmt: skip
    assert refused.returncode == 2 and "the name says log" in refused.stderr
    assert not (tmp_path / "e.LOG").exists()
