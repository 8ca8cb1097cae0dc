"""The reliability suite's session: one prepared world, and the figures every test records.

Every test here carries the ``reliability`` marker (``uv run pytest -m reliability``
runs the suite alone). Each test records what it observed, before it asserts, so
the figures describe today's code whether a case passes or is an expected
failure; the terminal summary prints them, and ``$TOPPYPI_RELIABILITY_JSON``
(set by ``tests/reliability/report.py``) receives them as JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.figures import figures, render_table
from tests.reliability.kills import State, baseline
from tests.reliability.world import build_world

HERE = Path(__file__).resolve().parent
RECORDS: list[dict[str, Any]] = []
JSON_ENV = "TOPPYPI_RELIABILITY_JSON"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: store, events, ``ds/``, ``pub/`` with ``remote.git`` (see world.py)."""
    return build_world(tmp_path_factory.mktemp("reliability") / "world")


@pytest.fixture(scope="session")
def published_m3(
    world_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[State, float]:
    """An uninterrupted publish of M3: the state every other one must end in, and its time."""
    return baseline(world_template, tmp_path_factory.mktemp("published") / "w")


@pytest.fixture(scope="session")
def record() -> Iterator[Any]:
    def add(kind: str, **fields: Any) -> None:
        RECORDS.append({"kind": kind, **fields})

    yield add


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RECORDS:
        return
    figs = figures(RECORDS)
    terminalreporter.section("reliability figures")
    for line in render_table(figs).splitlines():
        terminalreporter.write_line(line)
    out = os.environ.get(JSON_ENV)
    if out:
        Path(out).write_text(json.dumps({"figures": figs, "records": RECORDS}, indent=1))
