"""``init`` and ``update --publish`` against real git and a local bare remote.

Each run is the real CLI in a subprocess, so a kill point really kills the
process (SIGKILL) and the rerun starts from whatever it left on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from filelock import FileLock

from tests.conftest import run_cli
from toppypi.dataset.lock import lock_path
from toppypi.operations.publish import STEPS

MONTH = "2026-03"
TAG = "2026.04"
LIMIT = "300"
# 2026-04-01 00:00:00 UTC. SOURCE_DATE_EPOCH fixes last_update and zeroes the measured
# query time, so two runs on the same data write the same bytes and the same commit ids.
EPOCH = "1775001600"


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.pop("TOPPYPI_KILL_AT", None)
    e.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", SOURCE_DATE_EPOCH=EPOCH)
    e.update(extra)
    return e


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env(), capture_output=True, text=True, check=True
    ).stdout.strip()


def publish(ds: Path, store: Path, *extra: str, **envs: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "update", "--dataset", str(ds), "--db", str(store), "--month", MONTH, "--publish",
        *extra, env=env(**envs),
    )  # fmt: skip


def files(root: Path) -> dict[str, bytes]:
    """The work tree as a user sees it: everything but git's and the lock's folders."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and rel.parts[0] not in (".git", ".toppypi"):
            out[rel.as_posix()] = p.read_bytes()
    return out


def remote_commits(remote: Path) -> list[str]:
    return git(remote, "rev-list", "--all").split()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset made by ``init`` whose first commit is on a bare remote."""
    base = tmp_path_factory.mktemp("template")
    git(base, "init", "--quiet", "--bare", "remote.git")
    proc = run_cli(
        "init", str(base / "ds"), "--remote", str(base / "remote.git"), "--limit", LIMIT,
        "--source", "duckdb", env=env(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    git(base / "ds", "push", "--quiet", "origin", "main")
    return base


def fresh(template: Path, where: Path) -> tuple[Path, Path]:
    """A copy of the template with its own remote: same commits, same ids."""
    shutil.copytree(template, where, symlinks=True)
    ds, remote = where / "ds", where / "remote.git"
    git(ds, "remote", "set-url", "origin", str(remote))
    return ds, remote


@pytest.fixture(scope="module")
def baseline(
    template: Path, store: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """An uninterrupted publish: what every interrupted one must end as."""
    ds, remote = fresh(template, tmp_path_factory.mktemp("baseline") / "b")
    before = remote_commits(remote)
    proc = publish(ds, store)
    assert proc.returncode == 0, proc.stderr
    assert f"{MONTH} published as {TAG}" in proc.stderr
    return {
        "before": before,
        "files": files(ds),
        "tag_object": git(remote, "rev-parse", f"refs/tags/{TAG}"),
        "commit": git(remote, "rev-parse", f"{TAG}^{{commit}}"),
        "tree": git(remote, "ls-tree", "-r", TAG),
        "message": git(remote, "for-each-ref", "--format=%(contents)", f"refs/tags/{TAG}"),
        "ds": ds,
        "remote": remote,
    }


def test_publish_twice_makes_one_commit_and_one_tag(
    baseline: dict[str, object], store: Path
) -> None:
    ds, remote = Path(str(baseline["ds"])), Path(str(baseline["remote"]))
    before = baseline["before"]
    assert isinstance(before, list) and len(before) == 1
    after = remote_commits(remote)
    assert len(after) == 2 and before[0] in after
    assert git(remote, "tag", "--list") == TAG
    assert git(remote, "cat-file", "-t", TAG) == "tag"  # annotated
    assert git(remote, "rev-parse", "refs/heads/main") == baseline["commit"]
    head_msg = git(ds, "log", "-1", "--format=%B")
    assert head_msg.endswith(f"Toppypi-Release: {TAG}")
    # The second run: exit 0, says so, and neither the remote nor the work tree moves.
    proc = publish(ds, store)
    assert proc.returncode == 0, proc.stderr
    assert f"{MONTH} is already published as {TAG}" in proc.stderr
    assert f"{TAG}: already published; pushed to origin: nothing new" in proc.stderr
    assert remote_commits(remote) == after
    assert git(remote, "tag", "--list") == TAG
    assert files(ds) == baseline["files"]
    assert git(ds, "status", "--porcelain") == ""
    # What the release holds.
    tree = str(baseline["tree"])
    for name in (
        f"archive/{MONTH}/RELEASE.md",
        f"archive/{MONTH}/top-pypi-packages.json",
        "SHA256SUMS",
        "CITATION.cff",
        ".zenodo.json",
        "CHANGELOG.md",
        "top-pypi-packages.min.json",
        "index.html",
        ".github/workflows/update.yml",
    ):
        assert f"\t{name}\n" in tree + "\n", name
    assert "toppypi.toml" in tree and ".toppypi" not in tree
    sums = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=ds, capture_output=True, text=True
    )
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert f"archive/{MONTH}/top-pypi-packages.csv: OK" in sums.stdout
    assert str(baseline["message"]).startswith(f"{TAG}: top PyPI packages, March 2026\n")


@pytest.mark.parametrize("step", STEPS)
def test_kill_at_every_step_then_rerun_matches_uninterrupted(
    step: str, template: Path, store: Path, tmp_path: Path, baseline: dict[str, object]
) -> None:
    ds, remote = fresh(template, tmp_path / "k")
    killed = publish(ds, store, TOPPYPI_KILL_AT=step)
    assert killed.returncode == -9, (step, killed.returncode, killed.stderr)
    rerun = publish(ds, store)
    assert rerun.returncode == 0, rerun.stderr
    assert git(ds, "status", "--porcelain") == ""
    assert git(remote, "tag", "--list") == TAG
    assert (
        git(remote, "for-each-ref", "--format=%(contents)", f"refs/tags/{TAG}")
        == (baseline["message"])
    )
    assert len(remote_commits(remote)) == 2
    expected = baseline["files"]
    assert isinstance(expected, dict)
    assert files(ds) == expected
    assert git(remote, "ls-tree", "-r", TAG) == baseline["tree"]
    # Dates come from the snapshot, so even the ids repeat: one commit, one tag.
    assert git(remote, "rev-parse", f"refs/tags/{TAG}") == baseline["tag_object"]
    assert git(remote, "rev-parse", "refs/heads/main") == baseline["commit"]
    assert git(ds, "rev-list", "--count", "HEAD") == "2"


def test_unreachable_remote_keeps_the_release_and_the_next_run_pushes(
    template: Path, store: Path, tmp_path: Path, baseline: dict[str, object]
) -> None:
    ds, remote = fresh(template, tmp_path / "u")
    git(ds, "remote", "set-url", "origin", str(tmp_path / "nowhere" / "remote.git"))
    proc = publish(ds, store)
    assert proc.returncode == 5
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"toppypi: error: {TAG} is committed and tagged in")
    assert "but the push to origin failed (fatal: " in last
    assert last.endswith("the next `toppypi update --publish` pushes what the remote lacks")
    assert "Traceback" not in proc.stderr
    assert git(ds, "rev-parse", f"{TAG}^{{commit}}") == baseline["commit"]
    assert git(remote, "tag", "--list") == ""
    git(ds, "remote", "set-url", "origin", str(remote))
    again = publish(ds, store)
    assert again.returncode == 0, again.stderr
    assert "already published" in again.stderr
    assert f"refs/tags/{TAG}" in again.stderr and "refs/heads/main" in again.stderr
    assert git(remote, "rev-parse", f"refs/tags/{TAG}") == baseline["tag_object"]
    assert len(remote_commits(remote)) == 2


def test_a_rejected_push_is_never_forced(template: Path, store: Path, tmp_path: Path) -> None:
    ds, remote = fresh(template, tmp_path / "r")
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", "--branch", "main", str(remote), str(other))
    (other / "NOTE").write_text("someone else's commit\n")
    git(other, "add", "NOTE")
    git(other, "-c", "user.name=x", "-c", "user.email=x@y", "commit", "--quiet", "-m", "other")
    git(other, "push", "--quiet", "origin", "main")
    theirs = git(remote, "rev-parse", "refs/heads/main")
    proc = publish(ds, store)
    assert proc.returncode == 5
    assert "the remote has commits this repo lacks and nothing is ever forced" in proc.stderr
    assert "pull --no-rebase origin main" in proc.stderr
    assert git(remote, "rev-parse", "refs/heads/main") == theirs  # not overwritten
    assert git(remote, "tag", "--list") == ""


def test_a_second_run_waits_or_exits_while_the_lock_is_held(
    template: Path, store: Path, tmp_path: Path
) -> None:
    ds, _ = fresh(template, tmp_path / "l")
    lock = FileLock(str(lock_path(ds)))
    with lock:
        proc = publish(ds, store, "--wait", "0.5")
    assert proc.returncode == 7
    assert "another toppypi run is writing" in proc.stderr
    assert "--wait SECONDS" in proc.stderr
    assert git(ds, "rev-list", "--count", "HEAD") == "1"
    assert git(ds, "status", "--porcelain") == ""  # nothing written while refused
    assert publish(ds, store).returncode == 0


def test_republish_makes_a_numbered_release_once(
    template: Path, store: Path, tmp_path: Path
) -> None:
    ds, remote = fresh(template, tmp_path / "p")
    refused = run_cli(
        "update", "--dataset", str(ds), "--db", str(store), "--month", MONTH,
        "--republish", "--reason", "fix", env=env(),
    )  # fmt: skip
    assert refused.returncode == 2
    assert f"{MONTH} has no release {TAG} here to correct" in refused.stderr
    assert publish(ds, store).returncode == 0
    args = ("--republish", "--reason", "bot   spike\nremoved")
    first = publish(ds, store, *args)
    assert first.returncode == 0, first.stderr
    assert git(remote, "tag", "--list").split() == [TAG, f"{TAG}.1"]
    notes = (ds / f"archive/{MONTH}/RELEASE.md").read_text()
    assert notes.startswith(f"# {TAG}.1: top PyPI packages, March 2026\n")
    assert f"Corrected release of {TAG}: bot spike removed\n" in notes
    changelog = (ds / "CHANGELOG.md").read_text()
    assert changelog.index(f"## [{TAG}.1]") < changelog.index(f"## [{TAG}]")
    assert 'version: "2026.04.1"' in (ds / "CITATION.cff").read_text()
    msg = git(remote, "for-each-ref", "--format=%(contents)", f"refs/tags/{TAG}.1")
    assert "Corrects 2026.04.\nReason: bot spike removed" in msg
    # The same correction again is a no-op; a new reason is the next number.
    again = publish(ds, store, *args)
    assert again.returncode == 0 and "already published as 2026.04.1" in again.stderr
    assert len(remote_commits(remote)) == 3
    second = publish(ds, store, "--republish", "--reason", "another fix")
    assert second.returncode == 0, second.stderr
    assert git(remote, "tag", "--list").split() == [TAG, f"{TAG}.1", f"{TAG}.2"]


def test_a_failing_gate_commits_and_tags_nothing(
    template: Path, store: Path, tmp_path: Path
) -> None:
    import datetime as dt

    from toppypi.engines.duckdb.store import ingest
    from toppypi.model.period import Period
    from toppypi.sample import SampleSpec, write_sample

    ds, _ = fresh(template, tmp_path / "g")
    part = Period(dt.date(2026, 5, 1), dt.date(2026, 5, 20))  # the month is not over yet
    write_sample(SampleSpec(part, events=20_000, projects=400, seed=5), tmp_path / "may.parquet")
    ingest(tmp_path / "may.duckdb", [tmp_path / "may.parquet"])
    proc = run_cli(
        "update", "--dataset", str(ds), "--db", str(tmp_path / "may.duckdb"), "--month",
        "2026-05", "--publish", env=env(),
    )  # fmt: skip
    assert proc.returncode == 4, proc.stderr
    # the whole gate report, as plain `update` prints it, then the one-line error
    assert "  FAIL  completeness: " in proc.stderr
    assert "  structure: " in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("toppypi: error: 2026-05 refused")
    assert git(ds, "tag", "--list") == ""
    assert git(ds, "rev-list", "--count", "HEAD") == "1"
    assert git(ds, "status", "--porcelain") == ""


def test_update_takes_its_defaults_from_toppypi_toml(
    template: Path, store: Path, tmp_path: Path
) -> None:
    ds, _ = fresh(template, tmp_path / "c")
    proc = run_cli(
        "update", "--dataset", str(ds), "--db", str(store), "--month", MONTH, "--json", env=env()
    )
    assert proc.returncode == 0, proc.stderr
    csv = (ds / f"archive/{MONTH}/top-pypi-packages.csv").read_text().splitlines()
    assert len(csv) == int(LIMIT) + 1  # limit = 300 from toppypi.toml, not the 15,000 default
    text = (ds / "toppypi.toml").read_text().replace("limit = 300", "limit = 0")
    (ds / "toppypi.toml").write_text(text)
    bad = run_cli("update", "--dataset", str(ds), "--db", str(store), env=env())
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "toppypi: error: toppypi.toml: limit must be a positive integer, not 0"
    )


def test_temp_files_a_killed_writer_left_are_not_published(
    template: Path, store: Path, tmp_path: Path, baseline: dict[str, object]
) -> None:
    ds, remote = fresh(template, tmp_path / "t")
    (ds / "archive" / MONTH).mkdir(parents=True)
    for stale in (".top-pypi-packages.json.x1y2.tmp", f"archive/{MONTH}/.RELEASE.md.a.tmp"):
        (ds / stale).write_bytes(b"half a file")
    (ds / f"archive/.{MONTH}.old").mkdir()
    (ds / f"archive/.{MONTH}.old/top-pypi-packages.csv").write_bytes(b"old")
    proc = publish(ds, store)
    assert proc.returncode == 0, proc.stderr
    assert files(ds) == baseline["files"]
    assert git(remote, "rev-parse", f"refs/tags/{TAG}") == baseline["tag_object"]


def test_a_tag_only_the_remote_has_is_not_made_again(
    template: Path, store: Path, tmp_path: Path
) -> None:
    ds, _ = fresh(template, tmp_path / "f")
    assert publish(ds, store).returncode == 0
    git(ds, "tag", "-d", TAG)
    proc = publish(ds, store)
    assert proc.returncode == 2
    assert f"{TAG} exists on origin but not here: fetch it" in proc.stderr
    assert git(ds, "tag", "--list") == ""
    git(ds, "fetch", "--quiet", "--tags", "origin")
    again = publish(ds, store)
    assert again.returncode == 0 and "already published" in again.stderr


def test_init_refuses_bad_settings_before_writing(tmp_path: Path) -> None:
    for args, message in (
        (("--source", "oracle"), "unknown source 'oracle'"),
        (("--author", "nobody"), "author 'nobody' is not 'Name <email>'"),
        (("--installers", "pip,,"), ""),
    ):
        proc = run_cli("init", str(tmp_path / "ds"), *args, env=env())
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert not (tmp_path / "ds").exists()


@pytest.mark.parametrize("step", ["release-notes", "commit", "tag"])
def test_a_killed_republish_resumes_as_the_same_numbered_release(
    step: str, template: Path, store: Path, tmp_path: Path
) -> None:
    ds, remote = fresh(template, tmp_path / "rk")
    assert publish(ds, store).returncode == 0
    args = ("--republish", "--reason", "late data")
    assert publish(ds, store, *args, TOPPYPI_KILL_AT=step).returncode == -9
    rerun = publish(ds, store, *args)
    assert rerun.returncode == 0, rerun.stderr
    assert git(remote, "tag", "--list").split() == [TAG, f"{TAG}.1"]
    assert len(remote_commits(remote)) == 3
    assert git(ds, "status", "--porcelain") == ""


# --- the trust core: released months, stale locks, flags that take effect --------------


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file's sha256, .git included: what 'nothing changed' means."""
    import hashlib

    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_plain_update_of_a_released_month_is_refused(
    template: Path, store: Path, tmp_path: Path
) -> None:
    ds, _ = fresh(template, tmp_path / "r")
    assert publish(ds, store).returncode == 0
    before = tree_hashes(ds)
    for extra in ((), ("--force",), ("--limit", "100")):
        proc = run_cli(
            "update", "--dataset", str(ds), "--db", str(store), "--month", MONTH, *extra,
            env=env(),
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
        assert f"{MONTH} is released as {TAG}" in proc.stderr and "--republish" in proc.stderr
        assert tree_hashes(ds) == before
    assert (ds / f"archive/{MONTH}/RELEASE.md").is_file()


def test_a_stale_index_lock_does_not_stop_the_next_publish(
    baseline: dict[str, object], template: Path, store: Path, tmp_path: Path
) -> None:
    ds, remote = fresh(template, tmp_path / "k")
    (ds / ".git" / "index.lock").write_text("left by a killed git\n")
    (ds / ".git" / "refs" / "heads" / "main.lock").write_text("killed too\n")
    proc = publish(ds, store)
    assert proc.returncode == 0, proc.stderr
    assert "removed .git/index.lock, left by a git that was killed" in proc.stderr
    assert "removed .git/refs/heads/main.lock" in proc.stderr
    assert git(remote, "rev-parse", f"refs/tags/{TAG}") == baseline["tag_object"]
    assert files(ds) == baseline["files"]


def test_a_lock_left_in_a_remote_on_this_machine_is_cleared(
    baseline: dict[str, object], template: Path, store: Path, tmp_path: Path
) -> None:
    """A killed push leaves a lock per ref it was updating: each one is cleared."""
    ds, remote = fresh(template, tmp_path / "rc")
    locks = [
        remote / "HEAD.lock",
        remote / "refs/heads/main.lock",
        remote / f"refs/tags/{TAG}.lock",
    ]
    for lock in locks:
        lock.write_text("left by a killed push\n")
    proc = publish(ds, store)
    assert proc.returncode == 0, proc.stderr
    for lock in locks:
        assert not lock.exists()
    assert proc.stderr.count("left in the remote by a push that was killed") >= 2
    assert git(remote, "rev-parse", f"refs/tags/{TAG}") == baseline["tag_object"]


def test_a_lock_held_in_the_remote_is_named_with_its_fix(
    template: Path, store: Path, tmp_path: Path
) -> None:
    """While a git works in the remote (another push), its lock is left alone and named."""
    ds, remote = fresh(template, tmp_path / "rl")
    lock = remote / "refs" / "heads" / "main.lock"
    lock.write_text("held by a push in progress\n")
    busy = subprocess.Popen(
        ["git", "cat-file", "--batch"], cwd=remote, stdin=subprocess.PIPE, env=env()
    )
    try:
        proc = publish(ds, store)
    finally:
        busy.kill()
        busy.wait()
    assert proc.returncode == 5, proc.stderr
    err = proc.stderr.strip().splitlines()[-1]
    assert str(lock) in err and f"rm '{lock}'" in err and "git pull" not in err
    assert git(ds, "tag", "--list") == TAG  # released here; only the push waits
    again = publish(ds, store)  # nothing works there now: cleared, and pushed
    assert again.returncode == 0, again.stderr
    assert git(remote, "tag", "--list") == TAG


def test_init_without_a_remote_publishes_locally(store: Path, tmp_path: Path) -> None:
    ds = tmp_path / "local"
    proc = run_cli("init", str(ds), "--source", "duckdb", "--limit", LIMIT, env=env())
    assert proc.returncode == 0, proc.stderr
    assert "no --remote: releases stay in this repo" in proc.stderr
    assert 'remote = ""' in (ds / "toppypi.toml").read_text()
    res = publish(ds, store)
    assert res.returncode == 0, res.stderr
    assert f"{TAG}: published; nothing was pushed (no remote configured" in res.stderr
    assert git(ds, "tag", "--list") == TAG and git(ds, "status", "--porcelain") == ""


def test_publish_dry_run_prints_the_plan_and_writes_nothing(
    template: Path, store: Path, tmp_path: Path
) -> None:
    ds, remote = fresh(template, tmp_path / "d")
    before, remote_before = tree_hashes(ds), tree_hashes(remote)
    proc = publish(ds, store, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Estimated cost: $0.00" in out or "$0.00" in out
    assert f"would publish {MONTH} as {TAG}" in out and "sql: SELECT" in out
    assert "one commit, tag 2026.04, push to origin" in out
    assert tree_hashes(ds) == before and tree_hashes(remote) == remote_before
    js = publish(ds, store, "--dry-run", "--json")
    assert js.returncode == 0 and json.loads(js.stdout)["plan"][0].startswith("would publish")
    assert tree_hashes(ds) == before


def test_publish_takes_no_full_list_and_layout(template: Path, store: Path, tmp_path: Path) -> None:
    ds, _ = fresh(template, tmp_path / "o")
    proc = publish(ds, store, "--no-full-list", "--layout", "pypinfo", "--no-year-list")
    assert proc.returncode == 0, proc.stderr
    month = ds / "archive" / MONTH
    assert not (month / "top-pypi-packages-all.csv.gz").exists()
    assert not (month / "top-pypi-packages-365-days.json").exists()
    assert list(json.loads((month / "top-pypi-packages.json").read_text())) == [
        "last_update",
        "query",
        "rows",
    ]
    tracked = git(ds, "ls-files", f"archive/{MONTH}").split()
    assert f"archive/{MONTH}/top-pypi-packages-all.parquet" not in tracked


def test_a_token_in_the_remote_url_is_never_printed(
    template: Path, store: Path, tmp_path: Path
) -> None:
    ds, _ = fresh(template, tmp_path / "t")
    secret = "ghp_" + "s3cr3t" * 6
    git(ds, "remote", "set-url", "origin", f"http://x-access-token:{secret}@127.0.0.1:9/r.git")
    proc = publish(ds, store)
    assert proc.returncode == 5, proc.stderr
    assert secret not in proc.stderr + proc.stdout and "s3cr3t" not in proc.stderr
    js = publish(ds, store, "--json")
    assert secret not in js.stdout + js.stderr


@pytest.mark.parametrize("kill_at", [None, "sums", "commit"])
def test_a_release_commits_only_what_toppypi_writes(
    baseline: dict[str, object], template: Path, store: Path, tmp_path: Path, kill_at: str | None
) -> None:
    """A staged .env, an untracked note or a hand edit stay the user's: never pushed."""
    ds, remote = fresh(template, tmp_path / "u")
    (ds / ".env").write_text("TOKEN=secret\n")
    git(ds, "add", ".env")
    (ds / "notes.txt").write_text("mine\n")
    with (ds / "toppypi.toml").open("a") as f:
        f.write("# a hand edit\n")
    if kill_at is not None:  # killed after the step: the rerun finishes the same release
        assert publish(ds, store, TOPPYPI_KILL_AT=kill_at).returncode == -9
    proc = publish(ds, store)
    assert proc.returncode == 0, proc.stderr
    assert git(remote, "rev-parse", f"refs/tags/{TAG}") == baseline["tag_object"]
    assert git(remote, "ls-tree", "-r", TAG) == baseline["tree"]
    assert ".env" not in git(remote, "ls-tree", "-r", "--name-only", TAG).split()
    assert sorted(git(ds, "status", "--porcelain").splitlines()) == [
        " M toppypi.toml",
        "?? notes.txt",
        "A  .env",
    ]
    again = publish(ds, store)
    assert again.returncode == 0 and "already published" in again.stderr
