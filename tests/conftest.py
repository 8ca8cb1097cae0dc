"""Shared fixtures: real sample events in a real DuckDB store, and the shared history."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from toppypi.engines.duckdb.store import ingest
from toppypi.model.period import Period
from toppypi.sample import SampleSpec, write_sample

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "top-pypi-history"
SAMPLES = SHARED / "samples"

# Two whole months and the start of a third, so that month and day plans both run.
MONTHS = (Period.for_month(2026, 2), Period.for_month(2026, 3))


@pytest.fixture(scope="session")
def shared_history() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data/top-pypi-history is not present")
    return SHARED


@pytest.fixture(scope="session")
def events_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample events: 120k a month over 3,000 projects, fixed seeds."""
    d = tmp_path_factory.mktemp("events")
    for i, period in enumerate(MONTHS):
        write_sample(
            SampleSpec(period, events=120_000, projects=3_000, seed=i),
            d / f"{period.month}.parquet",
        )
    return d


@pytest.fixture(scope="session")
def store(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("store") / "store.duckdb"
    ingest(db, sorted(events_dir.glob("*.parquet")))
    return db


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess: exit codes and stderr as a user sees them."""
    return subprocess.run(
        [sys.executable, "-m", "toppypi", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


# A real ClickHouse server for the ``clickhouse`` tests (skipped locally without the binary).
from tests.support.clickhouse_server import clickhouse_server, clickhouse_source  # noqa: E402, F401
