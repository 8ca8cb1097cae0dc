"""Regression tests for the defects of issue 11 that are not a plain refusal.

The refusals (a released month rewritten, secrets printed, broken dumps, stray
folders, outputs over inputs, ...) are cases of test_bad_inputs.py. Here are the
ones whose right outcome is a success, or one of two outcomes (a flag takes effect
or is a usage error). Each runs the real CLI on a copy of the prepared world.
"""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.reliability.harness import DERIVED, ERROR_PREFIX
from tests.reliability.world import (
    M1,
    M3,
    TAG3,
    compare,
    copy_world,
    git,
    toppypi,
    tree_digest,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "toppypi"


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Path:
    return copy_world(world_template, tmp_path / "w")


def one_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines and lines[-1].startswith(ERROR_PREFIX), proc.stderr
    assert sum(ln.startswith(ERROR_PREFIX) for ln in lines) == 1, proc.stderr
    return lines[-1]


def unchanged(before: dict[str, str], world: Path) -> None:
    change = compare(before, tree_digest(world)).outside(DERIVED)
    assert not change, change.describe()


# -- init ------------------------------------------------------------------------------


def test_init_without_remote_then_publish_commits_tags_and_says_nothing_was_pushed(
    world: Path,
) -> None:
    made = toppypi(
        world, "init", "solo", "--limit", "50", "--source", "duckdb", "--db", "../store.duckdb"
    )
    assert made.returncode == 0, made.stderr
    proc = toppypi(world, "update", "--dataset", "solo", "--month", M3, "--publish")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert git(world / "solo", "tag", "--list") == TAG3
    assert git(world / "solo", "log", "-1", "--format=%B").endswith(f"Toppypi-Release: {TAG3}")
    assert git(world / "solo", "status", "--porcelain") == ""
    said = (proc.stdout + proc.stderr).lower()
    assert re.search(r"nothing (was )?pushed|no remote|not pushed|stays? local", said), said


def test_init_in_a_repo_does_not_commit_staged_files(world: Path) -> None:
    outer = world / "outer"
    outer.mkdir()
    git(outer, "init", "--quiet", "--initial-branch=main")
    (outer / ".env").write_text("API_TOKEN=do-not-commit\n")
    git(outer, "add", ".env")
    proc = toppypi(world, "init", "outer", "--limit", "50")
    if proc.returncode != 0:  # refusing an existing repo is fine, if it says so and keeps it
        one_error(proc)
        assert git(outer, "diff", "--cached", "--name-only") == ".env"
        return
    committed = git(outer, "log", "--all", "--name-only", "--format=")
    assert ".env" not in committed.split(), committed
    assert git(outer, "diff", "--cached", "--name-only") == ".env"  # still staged, as it was


def test_init_in_a_non_empty_folder_and_its_retry(world: Path) -> None:
    folder = world / "mine"
    folder.mkdir()
    (folder / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    (folder / "notes.txt").write_text("keep me\n")
    before = tree_digest(world)
    first = toppypi(world, "init", "mine", "--limit", "50")
    if first.returncode == 0:  # took the folder: the user's files are kept as they were
        assert (folder / "pyproject.toml").read_text() == "[project]\nname = 'mine'\n"
        assert (folder / "notes.txt").read_text() == "keep me\n"
        assert (folder / "toppypi.toml").is_file() and git(folder, "rev-parse", "HEAD")
        return
    said = one_error(first)
    unchanged(before, world)  # nothing written halfway
    again = toppypi(world, "init", "mine", "--limit", "50")
    assert one_error(again) == said  # the retry meets the same, true, reason
    unchanged(before, world)


def test_init_defaults_to_the_public_clickhouse(world: Path) -> None:
    proc = toppypi(world, "init", "fresh")
    assert proc.returncode == 0, proc.stderr
    toml = (world / "fresh" / "toppypi.toml").read_text()
    assert re.search(r'^source = "clickhouse"', toml, re.MULTILINE), toml


def test_init_duckdb_without_a_store_warns_and_names_the_fix(world: Path) -> None:
    proc = toppypi(world, "init", "local", "--source", "duckdb")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"warning.*(cron|machine|--db)", proc.stderr, re.IGNORECASE), proc.stderr


# -- update --publish flags ------------------------------------------------------------


def test_publish_dry_run_prints_the_plan_and_writes_nothing(world: Path) -> None:
    before = tree_digest(world)
    proc = toppypi(world, "update", "--dataset", "pub", "--month", M3, "--publish", "--dry-run")
    unchanged(before, world)
    assert proc.returncode == 0, proc.stderr
    assert TAG3 in proc.stdout + proc.stderr  # the plan names the release it would make


def _flag_takes_effect_or_is_refused(world: Path, flag: list[str]) -> Path | None:
    """None when the flag is refused in one line with nothing changed, else the month."""
    before = tree_digest(world)
    proc = toppypi(world, "update", "--dataset", "pub", "--month", M3, "--publish", *flag)
    if proc.returncode == 2:
        one_error(proc)
        unchanged(before, world)
        return None
    assert proc.returncode == 0, proc.stderr
    assert git(world / "remote.git", "tag", "--list", TAG3) == TAG3
    return world / "pub" / "archive" / M3


def test_publish_no_full_list_takes_effect_or_is_a_usage_error(world: Path) -> None:
    month = _flag_takes_effect_or_is_refused(world, ["--no-full-list"])
    if month is not None:
        assert not list(month.glob("top-pypi-packages-all.*"))


def test_publish_layout_takes_effect_or_is_a_usage_error(world: Path) -> None:
    month = _flag_takes_effect_or_is_refused(world, ["--layout", "pypinfo"])
    if month is not None:
        obj = json.loads((month / "top-pypi-packages.json").read_text())
        assert list(obj) == ["last_update", "query", "rows"]


def test_a_stale_index_lock_does_not_stop_the_next_publish(world: Path) -> None:
    (world / "pub" / ".git" / "index.lock").write_bytes(b"")
    proc = toppypi(world, "update", "--dataset", "pub", "--month", M3, "--publish")
    assert proc.returncode == 0, proc.stderr
    assert "index.lock" in proc.stderr  # it says what it cleared
    assert git(world / "remote.git", "tag", "--list", TAG3) == TAG3
    assert not (world / "pub" / ".git" / "index.lock").exists()


def test_a_stale_lock_in_a_local_remote_is_cleared_or_named(world: Path) -> None:
    """Cleared (no live process holds it) and the release pushed, or named with the fix."""
    lock = world / "remote.git" / "refs" / "heads" / "main.lock"
    lock.write_bytes(b"")
    proc = toppypi(world, "update", "--dataset", "pub", "--month", M3, "--publish")
    assert "Traceback" not in proc.stderr
    assert "main.lock" in proc.stderr, proc.stderr
    if proc.returncode == 0:
        assert not lock.exists()
        assert git(world / "remote.git", "tag", "--list", TAG3) == TAG3
    else:
        line = one_error(proc, 5)
        assert re.search(r"\brm\b|remove|delete", line), line


# -- ingest ----------------------------------------------------------------------------


def _month_total(world: Path, db: str, month: str) -> int:
    proc = toppypi(world, "top", "--db", db, "--month", month, "--limit", "0", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    return sum(int(line.split(",", 1)[0]) for line in proc.stdout.splitlines()[1:])


def test_ingest_a_bracketed_name_reads_that_file_not_a_glob(world: Path) -> None:
    made = toppypi(
        world,
        "sample",
        "--month",
        M1,
        "--events",
        "500",
        "--projects",
        "50",
        "--seed",
        "8",
        "-o",
        "a[1].jsonl",
    )
    assert made.returncode == 0, made.stderr
    (world / "a1.jsonl").write_bytes((world / "extra" / "new.jsonl").read_bytes())
    base = _month_total(world, "store.duckdb", M1)
    assert toppypi(world, "ingest", "a1.jsonl").returncode == 0
    proc = toppypi(world, "ingest", "a[1].jsonl", "--json")
    assert proc.returncode == 0, proc.stderr
    [done] = json.loads(proc.stdout)
    assert done["file"] == "a[1].jsonl" and done["events"] == 500, done
    assert _month_total(world, "store.duckdb", M1) == base + 2000 + 500


# -- the engine interface --------------------------------------------------------------


def test_nothing_outside_engines_probes_an_engine() -> None:
    probe = re.compile(
        r"\b(getattr|hasattr)\(\s*(self\.)?(engine|inner|eng)\b"
        r"|\bisinstance\(\s*(self\.)?(engine|inner|eng)\s*,\s*\w*Engine\b"
    )
    found = [
        f"{p.relative_to(SRC)}:{n}"
        for p in sorted(SRC.rglob("*.py"))
        if "engines" not in p.relative_to(SRC).parts
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if probe.search(line)
    ]
    assert found == []


# -- the site: bidirectional names -----------------------------------------------------

RLO = "\u202e"
EVIL = f"evil{RLO}gnp.exe"
EVIL_SHOWN = "evil[U+202E]gnp.exe"  # the site may also make the override visible


class _Isolation(HTMLParser):
    """For each text node showing ``EVIL``: is it inside an element that isolates it?"""

    def __init__(self, isolating_classes: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.classes = isolating_classes
        self.stack: list[bool] = []
        self.found: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        style = (a.get("style") or "").replace(" ", "")
        iso = (
            tag == "bdi"
            or "dir" in a
            or "unicode-bidi:isolate" in style
            or "unicode-bidi:plaintext" in style
            or bool(set((a.get("class") or "").split()) & self.classes)
        )
        if tag not in ("br", "img", "input", "meta", "link", "wbr", "hr", "source"):
            self.stack.append(iso)

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if EVIL in data or EVIL_SHOWN in data:
            self.found.append(any(self.stack))


def _isolating_classes(site: Path) -> set[str]:
    out: set[str] = set()
    for css in site.rglob("*.css"):
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css.read_text()):
            if re.search(r"unicode-bidi\s*:\s*(isolate|plaintext)", body):
                out.update(re.findall(r"\.([A-Za-z0-9_-]+)", selectors))
    return out


def test_site_isolates_bidirectional_project_names(world: Path) -> None:
    lines = (world / "extra" / "new.jsonl").read_text().splitlines()
    events = []
    for line in lines[:1500]:  # the month's top project by far
        e = json.loads(line)
        e["project"] = e["file"]["project"] = EVIL
        events.append(json.dumps(e))
    (world / "evil.jsonl").write_text("\n".join(events) + "\n")
    assert toppypi(world, "ingest", "evil.jsonl").returncode == 0
    update = ("update", "--dataset", "site", "--month", M1, "--limit", "50")
    refused = toppypi(world, *update)  # no PEP 508 name: the structure gate stops it
    assert refused.returncode == 4 and "not a project name" in refused.stderr, refused.stderr
    proc = toppypi(world, *update, "--force")  # and if it is forced through, the site isolates it
    assert proc.returncode == 0, proc.stderr
    site = world / "site"
    classes = _isolating_classes(site)
    pages = [site / "index.html", site / "month" / M1 / "index.html"]
    seen = []
    for page in pages:
        parser = _Isolation(classes)
        parser.feed(page.read_text())
        assert parser.found, f"{page.name} does not show {EVIL!r}"
        seen += parser.found
    assert all(seen), f"{seen.count(False)} of {len(seen)} occurrences are not isolated"
