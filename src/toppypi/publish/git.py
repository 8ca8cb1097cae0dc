"""The few git operations a release needs, through the ``git`` command.

Every write is one that git itself makes atomic (a commit, a tag, a push), and
nothing here ever force-pushes or rewrites history: a rejected push is
reported, never overridden.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from toppypi.errors import ToppypiError
from toppypi.model.redact import redact


class GitError(ToppypiError):
    """git refused or is missing; the message carries git's own words."""

    exit_code = 6


class PushFailed(ToppypiError):
    """The release is committed and tagged locally but is not on the remote yet."""

    exit_code = 5


class PushRejected(PushFailed):
    """The remote has commits this repo lacks; a force-push would lose them."""


class RemoteLocked(PushFailed):
    """The remote holds a lock file, left by a push that was killed there."""

    def __init__(self, lock: str) -> None:
        super().__init__(lock)
        self.lock = lock


@dataclass(frozen=True)
class Identity:
    """Who made a commit or tag, and when: fixed so that a rerun makes the same ids."""

    name: str
    email: str
    when: dt.datetime  # naive UTC

    def env(self) -> dict[str, str]:
        stamp = f"{int(self.when.replace(tzinfo=dt.UTC).timestamp())} +0000"
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
            "GIT_COMMITTER_DATE": stamp,
        }


@dataclass(frozen=True)
class PushOutcome:
    remote: str
    updated: list[str]  # refs the push created or moved; empty: everything was there


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:", "!"))]
    return redact((fatal or lines or ["no message"])[0])


_LOCK_FILE = re.compile(r"Unable to create '([^']+\.lock)': File exists")
# Lock files git leaves when it dies mid-write; a live git process holds them briefly.
GIT_LOCKS = (
    "index.lock",
    "HEAD.lock",
    "ORIG_HEAD.lock",
    "config.lock",
    "packed-refs.lock",
    "shallow.lock",
    "FETCH_HEAD.lock",
)


def locked_file(text: str) -> str | None:
    """The lock file git names when another git (or a killed one) holds it."""
    m = _LOCK_FILE.search(text)
    return os.path.normpath(m.group(1)) if m else None


def live_git_in(root: Path) -> list[int]:
    """Pids of git processes working in ``root`` (Linux ``/proc``); [] where it cannot tell."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    target = root.resolve()
    out = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if not (entry / "comm").read_text().startswith("git"):
                continue
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        if cwd == target or target in cwd.parents:
            out.append(int(entry.name))
    return out


def git_locks(git_dir: Path) -> list[Path]:
    """Lock files in a git directory (a work tree's .git, or a bare repo)."""
    if not git_dir.is_dir():
        return []
    found = [git_dir / name for name in GIT_LOCKS if (git_dir / name).is_file()]
    refs = git_dir / "refs"
    if refs.is_dir():
        found += sorted(p for p in refs.rglob("*.lock") if p.is_file())
    return found


def clear_locks(git_dir: Path, work: Path, wait: float) -> list[Path]:
    """Remove ``git_dir``'s locks once no git works in ``work`` (given ``wait`` s to end)."""
    import time

    deadline = time.monotonic() + wait
    while git_locks(git_dir) and live_git_in(work):
        if time.monotonic() > deadline:
            return []  # a live git still works here: leave its locks alone
        time.sleep(0.1)
    cleared = []
    for lock in git_locks(git_dir):
        try:
            lock.unlink()
        except FileNotFoundError:
            continue
        cleared.append(lock)
    return cleared


def _git_dir_of(folder: Path) -> Path | None:
    """A repository's git folder: itself when bare, its .git when a work tree, else None.

    Lock-named files anywhere else (a remote set to a wrong folder, a work
    tree's own ``refs/`` folder) are their owner's, never git's.
    """
    for git_dir in (folder / ".git", folder):
        if (git_dir / "HEAD").is_file() and (git_dir / "objects").is_dir():
            return git_dir
    return None


class Repo:
    """A dataset directory that is a git work tree."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(
        self,
        *args: str,
        identity: Identity | None = None,
        check: bool = True,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env["GIT_TERMINAL_PROMPT"] = "0"  # a push must fail, not wait for a password
        if identity is not None:
            env.update(identity.env())
        try:
            # Its own session: a kill of toppypi's process group does not cut a
            # commit, tag or push in half; git finishes it or never starts it.
            proc = subprocess.run(
                ["git", *args],
                cwd=self.root,
                input=stdin,
                capture_output=True,
                text=True,
                env=env,
                check=False,
                start_new_session=True,
            )
        except FileNotFoundError:
            if not self.root.is_dir():
                raise GitError(f"{self.root} is not a folder") from None
            raise GitError("git is not installed; publishing needs it on PATH") from None
        if check and proc.returncode != 0:
            lock = locked_file(proc.stderr)
            if lock is not None:
                raise GitError(
                    f"git {args[0]} failed in {self.root}: {lock} exists; another git is "
                    "running there, or one was killed: when none runs, remove that file"
                )
            raise GitError(f"git {args[0]} failed in {self.root}: {_first_line(proc.stderr)}")
        return proc

    def out(self, *args: str) -> str:
        return self.git(*args).stdout.strip()

    # -- state -------------------------------------------------------------

    def is_repo(self) -> bool:
        if not self.root.is_dir():
            return False
        proc = self.git("rev-parse", "--show-toplevel", check=False)
        return proc.returncode == 0 and Path(proc.stdout.strip()).resolve() == self.root.resolve()

    def head(self) -> str | None:
        proc = self.git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return proc.stdout.strip() or None

    def branch(self) -> str | None:
        proc = self.git("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return proc.stdout.strip() or None

    def tag_commit(self, tag: str) -> str | None:
        proc = self.git(
            "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}", check=False
        )
        return proc.stdout.strip() or None

    def tags(self, pattern: str) -> list[str]:
        return self.out("tag", "--list", pattern).split()

    def tags_at(self, commit: str) -> list[str]:
        return self.out("tag", "--points-at", commit).split()

    def tag_message(self, tag: str) -> str:
        return self.out("for-each-ref", "--format=%(contents)", f"refs/tags/{tag}")

    def commit_message(self, rev: str = "HEAD") -> str:
        return self.out("log", "-1", "--format=%B", rev)

    @property
    def git_dir(self) -> Path:
        return self.root / ".git"

    def lock_files(self) -> list[Path]:
        """Lock files inside this repo's .git: git's own, or left by a killed git."""
        return git_locks(self.git_dir)

    def clear_stale_locks(self, wait: float = 10.0) -> list[Path]:
        """Remove the lock files no live git owns; a live git gets ``wait`` s to finish.

        Called only by a run that holds the dataset lock, so no other toppypi
        run can be mid-commit here; a git the user runs by hand shows in /proc.
        """
        return clear_locks(self.git_dir, self.root, wait)

    def changed_paths(self) -> list[str]:
        """Every path not committed as it is (new files git does not ignore included)."""
        fields = self.git("status", "--porcelain", "-z", "--untracked-files=all").stdout
        out = []
        entries = iter(fields.split("\0"))
        for entry in entries:
            if not entry:
                continue
            out.append(entry[3:])
            if entry[0] in "RC":
                next(entries, None)  # a staged rename or copy: its source path follows
        return out

    # -- writes ------------------------------------------------------------

    def init(self, branch: str) -> None:
        self.git("init", "--quiet", f"--initial-branch={branch}")

    def commit_paths(self, message: str, identity: Identity, paths: list[str]) -> str:
        """Commit exactly ``paths``: whatever else is staged or changed stays as it was."""
        spec = "\0".join(paths)
        from_stdin = ("--pathspec-from-file=-", "--pathspec-file-nul")
        self.git("add", "--all", *from_stdin, stdin=spec)
        self.git(
            "commit", "--quiet", "--no-verify", "-m", message, *from_stdin,
            identity=identity, stdin=spec,
        )  # fmt: skip
        head = self.head()
        assert head is not None
        return head

    def tag(self, name: str, message: str, identity: Identity) -> None:
        self.git("tag", "--annotate", name, "-m", message, "HEAD", identity=identity)

    def remote_has_tag(self, remote: str, tag: str) -> bool:
        """Whether ``remote`` has the tag; False when it cannot be reached (the push says so)."""
        proc = self.git("ls-remote", "--tags", remote, f"refs/tags/{tag}", check=False)
        return proc.returncode == 0 and bool(proc.stdout.strip())

    def local_remote(self, remote: str) -> Path | None:
        """The folder of a remote that lives on this machine (a path or a file:// URL)."""
        proc = self.git("remote", "get-url", remote, check=False)
        url = proc.stdout.strip() if proc.returncode == 0 else remote
        if url.startswith("file://"):
            url = url[len("file://") :]
        elif "://" in url or (":" in url.split("/", 1)[0] and not url.startswith("/")):
            return None  # ssh, https, user@host:path
        path = Path(url) if Path(url).is_absolute() else self.root / url
        return path.resolve() if path.is_dir() else None

    def clear_remote_locks(self, remote: str, wait: float = 2.0) -> list[Path]:
        """Remove the locks a killed push left in a remote on this machine.

        A push holds a lock per ref it updates (HEAD's too); a kill leaves them
        all. Only a remote that is a folder here, and only once no live git
        works in it: a remote elsewhere may have a push running.
        """
        folder = self.local_remote(remote)
        git_dir = None if folder is None else _git_dir_of(folder)
        return [] if folder is None or git_dir is None else clear_locks(git_dir, folder, wait)

    def push(self, remote: str, branch: str, tags: list[str]) -> PushOutcome:
        """Push HEAD to ``branch`` and the tags, all or none; never forced."""
        refs = [f"HEAD:refs/heads/{branch}"] + [f"refs/tags/{t}:refs/tags/{t}" for t in tags]
        proc = self.git("push", "--atomic", "--porcelain", remote, *refs, check=False)
        if proc.returncode != 0:
            lock = locked_file(proc.stderr + "\n" + proc.stdout)
            if lock is not None:
                raise RemoteLocked(lock)
            said = _first_line(proc.stderr + "\n" + proc.stdout)
            rejected = any(
                line.startswith("!") and "lock" not in line for line in proc.stdout.splitlines()
            )
            raise (PushRejected if rejected else PushFailed)(said)
        updated = []
        for line in proc.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0] in ("*", " ", "+"):
                updated.append(parts[1].split(":")[-1])
        return PushOutcome(remote, updated)
