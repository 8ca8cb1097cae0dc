"""At least 200 bad inputs across every command: each refused in one line, nothing changed.

Each case runs the real CLI in a subprocess on its own copy of the prepared world
(cases_commands.py, cases_dumps.py) and must: exit with its code (2 bad input,
3 engine, 4 gate or no data, 5 push, 6 git, 7 lock, 8 cost), print exactly one
``toppypi: error:`` line, last on stderr, print no traceback and no secret, and
leave every byte of the world (``.git`` and the store included) as it was,
except the files the case names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.reliability.cases_dumps import DUMP_CASES
from tests.reliability.harness import Case, Observed, run_case
from tests.reliability.pool import result, run_all, selected
from tests.reliability.today import COMMAND_CASES

CASES = [*COMMAND_CASES, *DUMP_CASES]


def test_the_table_is_large_and_distinct() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 200
    commands = {
        c.args[0] if c.args[0] not in ("history", "site", "bigquery") else " ".join(c.args[:2])
        for c in CASES
        if c.args
    }
    for needed in (
        "demo",
        "sample",
        "ingest",
        "top",
        "update",
        "init",
        "convert",
        "query",
        "bigquery usage",
        "history import",
        "history rebuild",
        "history show",
        "history export",
        "movers",
        "diff",
        "check",
        "site build",
        "site serve",
    ):
        assert needed in commands, needed
    assert any("--publish" in c.args for c in CASES)
    assert any("--republish" in c.args for c in CASES)


@pytest.fixture(scope="session")
def observed(
    request: pytest.FixtureRequest, world_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Observed | Exception]:
    """Every selected case, run two at a time, each on its own copy of the world."""
    root = tmp_path_factory.mktemp("bad-inputs")
    cases: list[Case] = selected(request, "test_bad_input", "c")
    return run_all(lambda c: run_case(c, world_template, root / c.id), cases, lambda c: c.id)


@pytest.mark.parametrize("c", [c.param() for c in CASES])
def test_bad_input(c: Case, observed: dict[str, Observed | Exception], record: Any) -> None:
    seen = result(observed, c.id)
    record("bad-input", **seen.record())
    assert seen.passed, f"{seen.command}\n{seen.problems()}\n--- stderr:\n{seen.stderr[-2000:]}"
