"""Two writers at once: publishes, plain updates, ingests, and a site build during an update.

Each case starts real commands together (``Popen``) on one copy of the world and
judges the end: every run either finished or was refused in one line (a busy lock
is exit 7), no traceback, no temp file left, and the end state is what one run
alone leaves. Races do not always happen, so besides a plain start together,
a case stops the first run (SIGSTOP) the moment it is writing a month and runs
the second one then: the unlucky interleaving, every time.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.reliability.harness import ERROR_PREFIX
from tests.reliability.kills import PUBLISH, State, publish_env, state
from tests.reliability.world import M1, M2, M3, REPO, STORE, base_env, copy_world, toppypi


def start(world: Path, *args: str) -> subprocess.Popen[str]:
    # A publish takes its store from toppypi.toml, as kills.publish does.
    env = publish_env(world) if "--publish" in args else base_env(world)
    return subprocess.Popen(
        [sys.executable, "-m", "toppypi", *args],
        cwd=world,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def together(world: Path, a: tuple[str, ...], b: tuple[str, ...], offset: float) -> list[Any]:
    first = start(world, *a)
    time.sleep(offset)
    second = start(world, *b)
    out = []
    for p in (first, second):
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def problems(procs: list[Any], allowed: tuple[int, ...] = (0, 7)) -> list[str]:
    """What is wrong with how the runs ended: a crash, a bad code, a garbled refusal."""
    out = []
    for p in procs:
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        if "Traceback" in p.stderr or p.returncode not in allowed:
            out.append(f"exit {p.returncode}: {lines[-1] if lines else ''}")
        elif p.returncode and not (lines and lines[-1].startswith(ERROR_PREFIX)):
            out.append(f"exit {p.returncode} without one error line: {p.stderr[-300:]}")
        if "No such file or directory" in p.stderr:
            out.append(f"a writer lost its files: {lines[-1] if lines else ''}")
    if all(p.returncode for p in procs):
        out.append("neither run finished")
    return out


def leftovers(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if ".git" not in p.relative_to(root).parts
        and (p.name.endswith(".tmp") or p.name.endswith((".staging", ".old")))
    )


def _record(record: Any, id: str, found: list[str]) -> None:
    record("concurrency", id=id, passed=not found, problems=" | ".join(found)[:600])


def paused_in_write(world: Path, a: tuple[str, ...], b: tuple[str, ...], watch: Path) -> list[Any]:
    """Run ``a``; the moment it has a new file in a folder under ``watch`` (a month it is
    writing), stop it (SIGSTOP), as a scheduler might, and run ``b`` to its end (or 20 s
    if it waits for ``a``); then let ``a`` go on. The unlucky interleaving, every time."""
    before = set(watch.glob("*/*"))
    first = start(world, *a)
    deadline = time.monotonic() + 120
    while first.poll() is None and time.monotonic() < deadline:
        if any(p.is_file() for p in set(watch.glob("*/*")) - before):
            os.kill(first.pid, signal.SIGSTOP)
            break
        time.sleep(0.0005)
    second = start(world, *b)
    with contextlib.suppress(subprocess.TimeoutExpired):
        second.wait(timeout=20)  # else it waits for the first one's lock: let that one go on
    if first.poll() is None:
        os.kill(first.pid, signal.SIGCONT)
    out = []
    for p in (first, second):
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def test_two_plain_updates_at_once(world_template: Path, tmp_path: Path, record: Any) -> None:
    update = ("update", "--dataset", "fresh", "--month", M3, "--limit", "50")
    alone = copy_world(world_template, tmp_path / "alone", STORE)
    assert toppypi(alone, *update).returncode == 0
    found: list[str] = []
    world = copy_world(world_template, tmp_path / "together", STORE)
    procs = together(world, update, update, 0.0)
    found += [f"together: {p}" for p in problems(procs)]
    found += [f"together: left {f}" for f in leftovers(world / "fresh")]
    found += [f"together: {d}" for d in _differences(alone / "fresh", world / "fresh")]
    world = copy_world(world_template, tmp_path / "paused", STORE)
    procs = paused_in_write(world, update, update, world / "fresh" / "archive")
    found += [f"paused: {p}" for p in problems(procs)]
    found += [f"paused: left {f}" for f in leftovers(world / "fresh")]
    found += [f"paused: {d}" for d in _differences(alone / "fresh", world / "fresh")]
    _record(record, "two-plain-updates", found)
    assert not found, "\n".join(found)


def test_two_publishes_at_once_make_one_release(
    world_template: Path, tmp_path: Path, published_m3: tuple[State, float], record: Any
) -> None:
    expected, _ = published_m3
    found: list[str] = []
    world = copy_world(world_template, tmp_path / "together", REPO)
    found += [f"together: {p}" for p in problems(together(world, PUBLISH, PUBLISH, 0.0))]
    if state(world) != expected:
        found.append("together: the end state differs from one publish's")
    world = copy_world(world_template, tmp_path / "paused", REPO)
    procs = paused_in_write(world, PUBLISH, PUBLISH, world / "pub" / "archive")
    found += [f"paused: {p}" for p in problems(procs)]
    if procs[1].returncode not in (0, 7):
        found.append(f"paused: the second publish exited {procs[1].returncode}")
    if state(world) != expected:
        found.append("paused: the end state differs from one publish's")
    _record(record, "two-publishes", found)
    assert not found, "\n".join(found)


def _differences(a: Path, b: Path) -> list[str]:
    """Same files, same CSV bytes, same rows (timestamps differ between runs)."""
    names_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    names_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    out = []
    if names_a - names_b:
        out.append(f"files only after one run: {sorted(names_a - names_b)[:5]}")
    if names_b - names_a:
        out.append(f"files only after two runs: {sorted(names_b - names_a)[:5]}")
    month = f"archive/{M3}/top-pypi-packages"
    for rel in (f"{month}.csv", "top-pypi-packages.csv"):
        if (
            (a / rel).is_file()
            and (b / rel).is_file()
            and (a / rel).read_bytes() != (b / rel).read_bytes()
        ):
            out.append(f"{rel} differs")
    for rel in (f"{month}.json", "top-pypi-packages.json"):
        if (b / rel).is_file():
            try:
                rows = json.loads((b / rel).read_text())["rows"]
            except (ValueError, KeyError):
                out.append(f"{rel} is not a whole dump")
                continue
            if rows != json.loads((a / rel).read_text())["rows"]:
                out.append(f"{rel} rows differ")
    return out


def _month_total(world: Path, month: str) -> int:
    proc = toppypi(world, "top", "--month", month, "--limit", "0", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    return sum(int(line.split(",", 1)[0]) for line in proc.stdout.splitlines()[1:])


def test_two_ingests_at_once_count_each_file_once_or_refuse_one(
    world_template: Path, tmp_path: Path, record: Any
) -> None:
    found: list[str] = []
    for i, offset in enumerate((0.0,)):
        world = copy_world(world_template, tmp_path / f"r{i}", (*STORE, "extra"))
        made = toppypi(
            world,
            "sample",
            "--month",
            M2,
            "--events",
            "3000",
            "--projects",
            "300",
            "--seed",
            "11",
            "-o",
            "extra/other.parquet",
        )
        assert made.returncode == 0, made.stderr
        base = {m: _month_total(world, m) for m in (M1, M2)}
        procs = together(
            world, ("ingest", "extra/new.parquet"), ("ingest", "extra/other.parquet"), offset
        )
        found += [f"round {i}: {p}" for p in problems(procs, allowed=(0, 2, 3, 7))]
        took = {f: p.returncode == 0 for f, p in zip(("new", "other"), procs, strict=True)}
        want = {M1: base[M1] + 2000 * took["new"], M2: base[M2] + 3000 * took["other"]}
        got = {m: _month_total(world, m) for m in (M1, M2)}
        if got != want:
            found.append(f"round {i}: month totals {got}, expected {want} ({took})")
        for name, ok in took.items():  # a refused file ingests whole on the next try
            again = toppypi(world, "ingest", f"extra/{name}.parquet", "--json")
            if again.returncode != 0 or json.loads(again.stdout)[0]["skipped"] != ok:
                found.append(f"round {i}: re-ingesting {name}: {again.stdout or again.stderr}")
    _record(record, "two-ingests", found)
    assert not found, "\n".join(found)


def test_site_build_during_update(world_template: Path, tmp_path: Path, record: Any) -> None:
    """A build while an update is stopped half way through writing a month, then after."""
    world = copy_world(world_template, tmp_path / "w", STORE)
    first = toppypi(world, "update", "--dataset", "fresh", "--month", M1, "--limit", "50")
    assert first.returncode == 0, first.stderr
    update = ("update", "--dataset", "fresh", "--month", M2, "--limit", "50")
    build = ("site", "build", "--dataset", "fresh")
    procs = paused_in_write(world, update, build, world / "fresh" / "archive")
    found = problems(procs)
    found += [f"left {f}" for f in leftovers(world / "fresh")]
    final = toppypi(world, "site", "build", "--dataset", "fresh", "--json")
    if final.returncode != 0 or json.loads(final.stdout)["written"]:
        found.append(f"the site did not match the archive afterwards: {final.stdout[:300]}")
    _record(record, "site-build-during-update", found)
    assert not found, "\n".join(found)
