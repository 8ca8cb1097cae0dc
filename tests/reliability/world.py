"""The prepared world every reliability case starts from, and how a case looks at it.

One world is built per session through the real CLI (so it depends only on the
command line, not on library internals) and copied for each case:

- ``store.duckdb``: a small sampled store holding three whole months (M1..M3,
  the last three complete months, as ``demo`` picks them) and ``events/`` with
  the event files it was made from;
- ``ds/``: a plain dataset (no git) with all three months made by ``update``;
- ``pub/``: a dataset repo made by ``init`` with a local bare remote
  ``remote.git`` (its URL is relative, ``../remote.git``, so copies stay
  self-contained) and one published month, M2, tagged ``TAG2``. Its
  ``toppypi.toml`` names the template's store by its absolute path: every copy
  publishes from the same (read-only) store, so releases made in two copies have
  the same bytes even where a file records the store's path (``provenance.json``).

A case hashes the whole copied tree before and after it runs: every byte,
``.git`` included, except ``.git/index``, whose bytes carry stat caches that a
read-only ``git status`` may refresh; it is compared by what it stages.
"""

from __future__ import annotations

import calendar
import datetime as dt
import fnmatch
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import run_cli

LIMIT = "50"
EVENTS = "6000"
PROJECTS = "400"


def _month(first: dt.date) -> str:
    return f"{first:%Y-%m}"


def _add_months(first: dt.date, n: int) -> dt.date:
    k = first.year * 12 + first.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


TODAY = dt.datetime.now(dt.UTC).date()
CURRENT = TODAY.replace(day=1)
FIRSTS = [_add_months(CURRENT, -3), _add_months(CURRENT, -2), _add_months(CURRENT, -1)]
M1, M2, M3 = (_month(d) for d in FIRSTS)
CUR = _month(CURRENT)
NEXT = _month(_add_months(CURRENT, 1))


def tag_for(month: str) -> str:
    """The release tag of a data month: the month after it (docs/publishing.md)."""
    y, m = (int(x) for x in month.split("-"))
    first = _add_months(dt.date(y, m, 1), 1)
    return f"{first:%Y.%m}"


TAG2, TAG3 = tag_for(M2), tag_for(M3)


def epoch_after(month: str) -> str:
    """SOURCE_DATE_EPOCH at 00:00 UTC on the first day after ``month``: a fixed clock."""
    y, m = (int(x) for x in month.split("-"))
    last = dt.date(y, m, calendar.monthrange(y, m)[1])
    first = last + dt.timedelta(days=1)
    return str(calendar.timegm(first.timetuple()))


# Every run, fixtures included, sees this clock: the publish of M3 dates itself 1st of M3+1.
EPOCH = epoch_after(M3)
PLACES = {"M1": M1, "M2": M2, "M3": M3, "CUR": CUR, "NEXT": NEXT, "TAG2": TAG2, "TAG3": TAG3}


def base_env(world: Path, **extra: str) -> dict[str, str]:
    """No user git config, a fixed clock, and every default path inside the world."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOPPYPI_", "GIT_", "GOOGLE_")) and k != "SOURCE_DATE_EPOCH"
    }
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        SOURCE_DATE_EPOCH=EPOCH,
        TOPPYPI_DB=str(world / "store.duckdb"),
        TOPPYPI_BIGQUERY_LEDGER=str(world / "ledger.json"),
        XDG_DATA_HOME=str(world / "xdg"),
        HOME=str(world / "home"),
        COLUMNS="200",
    )
    env.update(extra)
    return env


def toppypi(
    world: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess, run from the world's root, in the world's env."""
    return run_cli(*args, cwd=world, env=env or base_env(world))


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def _ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, f"{proc.args}\n{proc.stdout}\n{proc.stderr}"


def build_world(root: Path) -> Path:
    """Store, events, a plain dataset and a published dataset repo with its bare remote."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "events").mkdir()
    for i, month in enumerate((M1, M2, M3)):
        _ok(
            toppypi(
                root,
                "sample",
                "--month",
                month,
                "--events",
                EVENTS,
                "--projects",
                PROJECTS,
                "--seed",
                str(i),
                "-o",
                f"events/{month}.parquet",
            )
        )
    _ok(toppypi(root, "ingest", *(f"events/{m}.parquet" for m in (M1, M2, M3))))
    for fmt in ("parquet", "jsonl"):  # good event files not ingested yet
        _ok(
            toppypi(
                root,
                "sample",
                "--month",
                M1,
                "--events",
                "2000",
                "--projects",
                PROJECTS,
                "--seed",
                "7",
                "-o",
                f"extra/new.{fmt}",
            )
        )
    for month in (M1, M2, M3):
        _ok(toppypi(root, "update", "--dataset", "ds", "--month", month, "--limit", LIMIT))
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", "remote.git")
    _ok(
        toppypi(
            root,
            "init",
            "pub",
            "--source",
            "duckdb",
            "--remote",
            str(root / "remote.git"),
            "--limit",
            LIMIT,
            "--db",
            str(root / "store.duckdb"),
        )
    )
    git(root / "pub", "remote", "set-url", "origin", "../remote.git")
    git(root / "pub", "push", "--quiet", "origin", "main")
    released = base_env(root, SOURCE_DATE_EPOCH=epoch_after(M2))  # published on time
    _ok(toppypi(root, "update", "--dataset", "pub", "--month", M2, "--publish", env=released))
    assert git(root / "remote.git", "tag", "--list") == TAG2
    return root


STORE = ("store.duckdb", "store.duckdb.events")  # the store and its kept raw events
REPO = ("pub", "remote.git", *STORE)  # what a publish reads and writes


def copy_world(template: Path, where: Path, only: tuple[str, ...] | None = None) -> Path:
    """A private copy of the world, or of the top-level entries ``only`` names."""
    if only is None:
        shutil.copytree(template, where, symlinks=True)
        return where
    where.mkdir(parents=True)
    for name in only:
        src = template / name
        if src.is_dir():
            shutil.copytree(src, where / name, symlinks=True)
        else:
            shutil.copy2(src, where / name)
    return where


# -- looking at a tree -------------------------------------------------------------


def _index_digest(index: Path) -> str:
    """What a git index stages, not its stat cache."""
    repo = index.parent.parent
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(
        ["git", "ls-files", "--stage"], cwd=repo, env=env, capture_output=True, check=False
    )
    return "index:" + hashlib.sha256(proc.stdout).hexdigest()


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (symlinks by target), keyed by relative path."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(dirpath)
        rel_dir = base.relative_to(root)
        out[rel_dir.as_posix() + "/"] = "dir"
        for name in sorted(filenames):
            p = base / name
            rel = (rel_dir / name).as_posix()
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif name == "index" and base.name == ".git":
                out[rel] = _index_digest(p)
            else:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@dataclass(frozen=True)
class TreeChange:
    added: list[str]
    removed: list[str]
    changed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def outside(self, allowed: tuple[str, ...]) -> TreeChange:
        """The changes no pattern in ``allowed`` (fnmatch on the relative path) permits."""

        def keep(paths: list[str]) -> list[str]:
            return [p for p in paths if not any(fnmatch.fnmatch(p, a) for a in allowed)]

        return TreeChange(keep(self.added), keep(self.removed), keep(self.changed))

    def describe(self) -> str:
        parts = []
        for label, paths in (("added", self.added), ("removed", self.removed)):
            if paths:
                parts.append(f"{label} {len(paths)}: {', '.join(paths[:5])}")
        if self.changed:
            parts.append(f"changed {len(self.changed)}: {', '.join(self.changed[:5])}")
        return "; ".join(parts) or "no change"


def compare(before: dict[str, str], after: dict[str, str]) -> TreeChange:
    return TreeChange(
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        changed=sorted(k for k in before.keys() & after.keys() if before[k] != after[k]),
    )
