"""Run the selected cases of a test two at a time, once, before their tests look them up.

Each case is a handful of subprocesses that wait on each other, so two at a time
nearly halve the wall time on a 2-core machine. The tests stay one per case (with
their own expected-failure markers): a session fixture runs every selected case
of a test function and each test asserts on its own result.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
R = TypeVar("R")
JOBS_ENV = "TOPPYPI_RELIABILITY_JOBS"


def jobs() -> int:
    return max(1, int(os.environ.get(JOBS_ENV) or min(2, os.cpu_count() or 1)))


def selected(request: pytest.FixtureRequest, test: str, param: str) -> list[Any]:
    """The ``param`` values of the items of ``test`` that this session will run."""
    out = []
    for item in request.session.items:
        if getattr(item, "originalname", None) == test:
            out.append(item.callspec.params[param])  # type: ignore[attr-defined]
    return out


def run_all(
    fn: Callable[[T], R], items: list[T], key: Callable[[T], str]
) -> dict[str, R | Exception]:
    """``fn`` of every item; an item whose run raised maps to its exception (its test
    re-raises it with :func:`result`), so one broken case does not take the others down."""

    def safe(item: T) -> R | Exception:
        try:
            return fn(item)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=jobs()) as ex:
        results = list(ex.map(safe, items))
    return {key(i): r for i, r in zip(items, results, strict=True)}


def result(results: dict[str, R | Exception], key: str) -> R:
    got = results[key]
    if isinstance(got, Exception):
        raise got
    return got
