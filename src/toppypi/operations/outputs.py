"""Where a command may write: never over its own input, a store, or a dataset's own files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from toppypi.errors import UsageError


def is_duckdb_file(path: Path) -> bool:
    """DuckDB's magic: ``DUCK`` at byte 8."""
    try:
        with path.open("rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def check_output(output: Path, *, inputs: Iterable[Path] = (), stores: Iterable[Path] = ()) -> None:
    """Refuse, before anything runs, an output that would destroy what the command reads."""
    target = output.resolve()
    for p in inputs:
        if p.exists() and p.resolve() == target:
            raise UsageError(f"-o {output} is the input itself; write somewhere else")
    for p in stores:
        events = p.with_name(p.name + ".events")
        if p.resolve() == target or events.resolve() in target.parents:
            raise UsageError(f"-o {output} is the local store; write somewhere else")
    if output.is_dir():
        raise UsageError(f"-o {output} is a folder; give a file name")
    if is_duckdb_file(output):
        raise UsageError(f"-o {output} is a DuckDB store; write somewhere else")
    name = output.name
    if name.endswith((".duckdb", ".duckdb.wal")):
        raise UsageError(f"-o {output} looks like a DuckDB store; write somewhere else")
