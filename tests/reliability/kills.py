"""``kill -9`` of ``update --publish``, and the plain reruns that must finish its work.

A run is started in its own session and killed with SIGKILL, together with every
process it started (git, and the ``receive-pack`` of the local bare remote, even in
sessions of their own), by one of four triggers:

- ``step``: the program's own kill point after a step (``TOPPYPI_KILL_AT``);
- ``delay``: a seeded random delay from the start, anywhere in a whole run;
- ``git``: the moment a git child running a given subcommand appears;
- ``lock``: the moment git holds a lock file (``.git/index.lock`` of the dataset, or
  one in the bare remote), which is where a kill leaves a stale lock behind.

Then up to ``RERUNS`` plain reruns, nothing done by hand in between. A kill *landed*
when the process really died of it mid-run; it *converged* when a rerun ends with
the uninterrupted run's commit id, tag id, remote refs and work-tree bytes.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from tests.reliability.world import M3, REPO, TAG3, base_env, copy_world, git

RERUNS = 2
SEED = 20261
PUBLISH = ("update", "--dataset", "pub", "--month", M3, "--publish")


@dataclass(frozen=True)
class Kill:
    id: str
    trigger: str  # step, delay, git, lock
    arg: str  # the step, the delay in seconds, the git subcommand, or the lock's place
    extra: float = 0.0  # a further delay after a git/lock trigger, in seconds


@dataclass
class State:
    """What an uninterrupted publish leaves, compared after the reruns."""

    refs: str  # the remote's refs and ids (branch, annotated tag)
    local: str  # the dataset repo's HEAD, branch and tag ids
    tree: dict[str, bytes]  # the work tree, but .git and .toppypi
    clean: bool


@dataclass
class KillResult:
    kill: Kill
    landed: bool
    killed_code: int | None
    reruns: list[int] = field(default_factory=list)
    converged: bool = False
    last_words: str = ""  # the last stderr line of the last rerun
    leftovers: list[str] = field(default_factory=list)  # lock files after the kill
    # Not converged, the error named a lock file to remove: done by hand, then one rerun.
    hand_step: str | None = None
    converged_by_hand: bool = False
    attempts: int = 1  # a lock kill that left no lock, or a delay past the run, is tried again

    def record(self) -> dict[str, object]:
        return {
            "id": self.kill.id,
            "trigger": self.kill.trigger,
            "landed": self.landed,
            "converged": self.converged,
            "reruns": self.reruns,
            "leftovers": self.leftovers,
            "said": self.last_words,
            "hand_step": self.hand_step,
            "converged_by_hand": self.converged_by_hand,
            "attempts": self.attempts,
        }


def kill_steps() -> tuple[str, ...]:
    """The program's kill points (docs/publishing.md), wherever the publish module lives."""
    import importlib

    for name in ("toppypi.operations.publish", "toppypi.publish.release"):
        try:
            steps: tuple[str, ...] = importlib.import_module(name).STEPS
        except (ImportError, AttributeError):
            continue
        return steps
    raise AssertionError("no STEPS in toppypi.operations.publish or toppypi.publish.release")


def schedule(total: float) -> list[Kill]:
    """The kills, reproducible from SEED; ``total`` is an uninterrupted run's duration."""
    rng = random.Random(SEED)
    kills = [Kill(f"step-{s}", "step", s) for s in kill_steps()]
    for i in range(34):
        d = rng.uniform(0.01, 0.95)
        kills.append(Kill(f"delay-{i:02d}-at-{d:.0%}", "delay", f"{d * total:.4f}"))
    for sub in ("add", "commit", "tag", "push", "receive-pack", "pack-objects", "add", "commit"):
        extra = rng.uniform(0, 0.004)
        kills.append(Kill(f"git-{sub}-{len(kills)}", "git", sub, extra))
    for place in ("index", "index", "index", "remote", "remote", "remote"):
        kills.append(Kill(f"lock-{place}-{len(kills)}", "lock", place))
    return kills


# -- processes -------------------------------------------------------------------------


def _tree(root: int) -> list[tuple[int, list[str]]]:
    """(pid, argv) of ``root`` and every process descending from it, in any session.

    Only pids from the root's on are read: they are handed out in increasing order,
    and reading all of /proc on every poll would steal a core from the run.
    """
    parent: dict[int, int] = {}
    argv: dict[int, list[str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) < root:
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            raw = Path(entry.path, "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        pid = int(entry.name)
        parent[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        argv[pid] = [a.decode(errors="replace") for a in raw if a]
    out = {root} if root in parent else set()
    grew = True
    while grew:
        more = {p for p, pp in parent.items() if pp in out and p not in out}
        out |= more
        grew = bool(more)
    return [(p, argv[p]) for p in sorted(out)]


def _git_running(root: int, sub: str) -> bool:
    """A git under ``root`` (or the remote's git-receive-pack) is running ``sub``."""
    for _, args in _tree(root):
        if args and Path(args[0]).name == "git":
            words = [a for a in args[1:] if not a.startswith("-")]
            if words[:1] == [sub]:
                return True
        if any(f"git-{sub}" in a for a in args):
            return True
    return False


def kill_tree(root: int) -> list[int]:
    """SIGKILL ``root`` and all it started, whatever their session, as systemd stopping a
    unit (its whole cgroup), an OOM kill of a container or a power cut would: freeze the
    tree first (SIGSTOP) so that nothing spawns meanwhile, then kill every process."""
    seen: set[int] = set()
    while True:
        new = [p for p, _ in _tree(root) if p not in seen] + [
            c for p in list(seen) for c, _ in _tree(p) if c not in seen
        ]
        if not new:
            break
        for pid in new:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        seen.update(new)
    for pid in sorted(seen, reverse=True):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return sorted(seen)


def _reap(pids: list[int], root: int) -> None:
    """Wait until the killed processes are gone (git children die a moment later)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [p for p in pids if p != root and Path(f"/proc/{p}").exists()]
        if not alive or all(_zombie(p) for p in alive):
            return
        time.sleep(0.01)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _lock_held(world: Path, place: str) -> bool:
    if place == "index":
        return (world / "pub" / ".git" / "index.lock").exists()
    remote = world / "remote.git"
    return any(
        (remote / rel).exists()
        for rel in ("refs/heads/main.lock", f"refs/tags/{TAG3}.lock", "packed-refs.lock")
    )


# A bare remote that holds its ref locks for a moment, as a slow disk or a busy server
# does: git runs this hook with "prepared" while the push's ref locks are taken.
SLOW_REMOTE_HOOK = """#!/bin/sh
[ "$1" = prepared ] && sleep 1
exit 0
"""


def slow_remote(world: Path) -> None:
    hook = world / "remote.git" / "hooks" / "reference-transaction"
    hook.write_text(SLOW_REMOTE_HOOK)
    hook.chmod(0o755)


def locks(world: Path) -> list[str]:
    found = []
    for root in (world / "pub" / ".git", world / "remote.git"):
        found += [str(p.relative_to(world)) for p in root.rglob("*.lock")]
    return sorted(found)


def publish_env(world: Path, **extra: str) -> dict[str, str]:
    """The world's env, but the store comes from the dataset's toppypi.toml (the same
    file in every copy), so releases made in two copies have the same bytes."""
    env = base_env(world, **extra)
    env.pop("TOPPYPI_DB", None)
    return env


def publish(world: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toppypi", *PUBLISH],
        cwd=world,
        env=publish_env(world),
        capture_output=True,
        text=True,
        timeout=300,
    )


def killed_run(world: Path, kill: Kill) -> tuple[bool, int | None]:
    """Start a publish and kill it with everything it started; (landed, exit code)."""
    extra = {"TOPPYPI_KILL_AT": kill.arg} if kill.trigger == "step" else {}
    proc = subprocess.Popen(
        [sys.executable, "-m", "toppypi", *PUBLISH],
        cwd=world,
        env=publish_env(world, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    if kill.trigger == "step":
        code = proc.wait(timeout=300)
        return code == -signal.SIGKILL, code
    t0 = time.monotonic()
    fired = False
    killed: list[int] = []
    while proc.poll() is None and time.monotonic() - t0 < 120:
        if kill.trigger == "delay":
            fired = time.monotonic() - t0 >= float(kill.arg)
        elif kill.trigger == "git":
            fired = _git_running(proc.pid, kill.arg)
        else:
            fired = _lock_held(world, kill.arg)
        if fired:
            if kill.extra:
                time.sleep(kill.extra)
            killed = kill_tree(proc.pid)
            break
        time.sleep(0.0005 if kill.trigger != "delay" else 0.002)
    code = proc.wait(timeout=300)
    _reap(killed, proc.pid)
    return fired and code == -signal.SIGKILL, code


# -- state -----------------------------------------------------------------------------


def state(world: Path) -> State:
    pub, remote = world / "pub", world / "remote.git"
    tree = {}
    for p in sorted(pub.rglob("*")):
        rel = p.relative_to(pub)
        if p.is_file() and rel.parts[0] not in (".git", ".toppypi"):
            tree[rel.as_posix()] = p.read_bytes()
    fmt = "--format=%(refname) %(objectname) %(*objectname)"
    return State(
        refs=git(remote, "for-each-ref", fmt),
        local=git(pub, "for-each-ref", fmt, "refs/heads", "refs/tags")
        + "\n"
        + git(pub, "rev-parse", "HEAD"),
        tree=tree,
        clean=git(pub, "status", "--porcelain") == "",
    )


def baseline(template: Path, where: Path) -> tuple[State, float]:
    """An uninterrupted publish of M3 from the template: its state and how long it took."""
    world = copy_world(template, where, REPO)
    t0 = time.monotonic()
    proc = publish(world)
    took = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    assert git(world / "remote.git", "tag", "--list", TAG3) == TAG3
    return state(world), took


LOCK_ATTEMPTS = 4
LOCK_PLACES = {"index": "pub/.git/index.lock", "remote": "remote.git/"}


def run_kill(kill: Kill, template: Path, where: Path, expected: State) -> KillResult:
    attempts = 0
    while True:
        attempts += 1
        if where.exists():
            shutil.rmtree(where)
        world = copy_world(template, where, REPO)
        if kill.trigger == "lock" and kill.arg == "remote":
            slow_remote(world)
        landed, code = killed_run(world, kill)
        left = locks(world)
        if attempts == LOCK_ATTEMPTS:
            break
        # A delay past the end of a run that went faster than the measured one: the
        # same kill a little earlier, on a fresh copy.
        if kill.trigger == "delay" and not landed:
            kill = replace(kill, arg=f"{float(kill.arg) * 0.85:.4f}")
            continue
        # A lock kill is meant to leave its lock, but git may let go of it between the
        # moment it is seen and the kill: such a kill is tried again on a fresh copy.
        if kill.trigger != "lock" or any(name.startswith(LOCK_PLACES[kill.arg]) for name in left):
            break
    res = KillResult(kill, landed, code, leftovers=left, attempts=attempts)
    for _ in range(RERUNS):
        proc = publish(world)
        res.reruns.append(proc.returncode)
        lines = proc.stderr.strip().splitlines()
        res.last_words = lines[-1][:400] if lines else ""
        if proc.returncode == 0:
            break
    res.converged = res.reruns[-1] == 0 and state(world) == expected
    named = _named_lock(res.last_words, world)
    if not res.converged and named is not None:
        named.unlink()  # the step by hand the message names; counted, never as converged
        res.hand_step = f"rm {named.relative_to(world)}"
        res.converged_by_hand = publish(world).returncode == 0 and state(world) == expected
    if res.converged and res.landed:
        shutil.rmtree(world, ignore_errors=True)
    return res


def _named_lock(message: str, world: Path) -> Path | None:
    """A lock file inside the world that an error message names, if it still exists."""
    for m in re.finditer(r"(/[^\s'\"]+\.lock)\b", message):
        p = Path(m.group(1))
        if p.is_file() and world in p.parents:
            return p
    return None
