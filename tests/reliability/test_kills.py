"""At least 50 ``kill -9``s of ``update --publish``; plain reruns must finish each one.

See kills.py for the triggers. Each kill is its own test: the step kills are
deterministic; a delay or git-child kill lands wherever the run happens to be;
a lock kill always leaves the lock, which the next run must clear.
The last test holds the figures to the promise: every landed kill converged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.reliability.kills import Kill, KillResult, State, kill_steps, run_kill, schedule
from tests.reliability.pool import result, run_all, selected

# The delays are fractions of an uninterrupted run, measured before the kills start.
KILLS = schedule(total=1.0)

FIGURES = {
    "test_at_least_50_kills_land",
    "test_every_landed_kill_converges_without_a_step_by_hand",
}


@pytest.fixture(scope="session")
def kill_results(
    request: pytest.FixtureRequest,
    world_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    published_m3: tuple[State, float],
) -> dict[str, KillResult | Exception]:
    root = tmp_path_factory.mktemp("kills")
    expected, took = published_m3
    scale = took
    chosen: list[Kill] = selected(request, "test_kill_then_rerun", "k")
    if any(getattr(i, "originalname", "") in FIGURES for i in request.session.items):
        chosen = KILLS  # the figures need every kill
    todo = [_scaled(k, scale) for k in chosen]
    results = run_all(
        lambda k: run_kill(k, world_template, root / k.id, expected), todo, lambda k: k.id
    )
    return results


def _scaled(k: Kill, scale: float) -> Kill:
    if k.trigger != "delay":
        return k
    return Kill(k.id, k.trigger, f"{float(k.arg) * scale:.4f}", k.extra)


def test_the_schedule_has_50_kills_at_every_step() -> None:
    assert len(KILLS) >= 50 and len({k.id for k in KILLS}) == len(KILLS)
    assert {k.arg for k in KILLS if k.trigger == "step"} == set(kill_steps())


@pytest.mark.parametrize("k", KILLS, ids=[k.id for k in KILLS])
def test_kill_then_rerun(
    k: Kill, kill_results: dict[str, KillResult | Exception], record: Any
) -> None:
    res = result(kill_results, k.id)
    record("kill", **res.record())
    assert res.landed, f"the kill did not land (exit {res.killed_code})"
    assert res.converged, f"reruns {res.reruns}, locks left {res.leftovers}: {res.last_words}"


def _all(results: dict[str, KillResult | Exception]) -> list[KillResult]:
    return [result(results, k) for k in results]


def test_at_least_50_kills_land(kill_results: dict[str, KillResult | Exception]) -> None:
    landed = [r for r in _all(kill_results) if r.landed]
    assert len(landed) >= 50, f"only {len(landed)} of {len(kill_results)} kills landed"


def test_every_landed_kill_converges_without_a_step_by_hand(
    kill_results: dict[str, KillResult | Exception],
) -> None:
    stuck = [
        f"{r.kill.id}: reruns {r.reruns}, locks {r.leftovers}: {r.last_words}"
        for r in _all(kill_results)
        if r.landed and not r.converged
    ]
    assert not stuck, "\n".join(stuck)
