"""Clearing the locks a killed push left in a remote on this machine: only git's own files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from toppypi.publish.git import Repo


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def dataset(tmp_path: Path, remote: str) -> Repo:
    ds = tmp_path / "ds"
    ds.mkdir()
    git(ds, "init", "--quiet")
    git(ds, "remote", "add", "origin", remote)
    return Repo(ds)


def test_a_bare_remote_loses_its_stale_locks(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    locks = [remote / "HEAD.lock", remote / "refs" / "heads" / "main.lock"]
    for lock in locks:
        lock.write_text("left by a killed push\n")
    assert sorted(dataset(tmp_path, str(remote)).clear_remote_locks("origin")) == sorted(locks)
    assert not any(lock.exists() for lock in locks)


def test_a_remote_that_is_a_work_tree_loses_the_locks_in_its_git_folder(tmp_path: Path) -> None:
    """Its locks are in .git; files of the same names in its work tree are its owner's."""
    remote = tmp_path / "mirror"
    git(tmp_path, "init", "--quiet", str(remote))
    stale = remote / ".git" / "refs" / "heads" / "main.lock"
    stale.write_text("left by a killed push\n")
    (remote / "refs").mkdir()
    theirs = [remote / "config.lock", remote / "refs" / "Cargo.lock"]
    for f in theirs:
        f.write_text("the owner's file\n")
    assert dataset(tmp_path, str(remote)).clear_remote_locks("origin") == [stale]
    assert not stale.exists() and all(f.exists() for f in theirs)


def test_a_remote_folder_that_is_no_git_repository_is_left_alone(tmp_path: Path) -> None:
    """A remote set to a wrong folder: the push fails, and nothing in it is removed first."""
    folder = tmp_path / "project"
    (folder / "refs").mkdir(parents=True)
    theirs = [folder / "HEAD.lock", folder / "refs" / "poetry.lock"]
    for f in theirs:
        f.write_text("the owner's file\n")
    assert dataset(tmp_path, str(folder)).clear_remote_locks("origin") == []
    assert all(f.exists() for f in theirs)


def test_a_remote_elsewhere_is_not_touched(tmp_path: Path) -> None:
    repo = dataset(tmp_path, "git@example.invalid:org/data.git")
    assert repo.clear_remote_locks("origin") == []
