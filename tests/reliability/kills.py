"""``kill -9`` of ``update --publish``, and the plain reruns that must finish its work.

A run is started in its own process group (so git and the ``receive-pack`` of the
local bare remote are in it too) and killed with SIGKILL by one of four triggers:

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
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability.world import M3, TAG3, base_env, copy_world, git

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

    def record(self) -> dict[str, object]:
        return {
            "id": self.kill.id,
            "trigger": self.kill.trigger,
            "landed": self.landed,
            "converged": self.converged,
            "reruns": self.reruns,
            "leftovers": self.leftovers,
            "said": self.last_words,
        }


def schedule(total: float) -> list[Kill]:
    """The kills, reproducible from SEED; ``total`` is an uninterrupted run's duration."""
    from toppypi.publish.release import STEPS

    rng = random.Random(SEED)
    kills = [Kill(f"step-{s}", "step", s) for s in STEPS]
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


def _group(pgid: int) -> list[tuple[int, list[str]]]:
    """(pid, argv) of every process in the group (its leader's pid is ``pgid``).

    Only pids from the leader's on are read: they are handed out in increasing
    order, and reading all of /proc on every poll would steal a core from the run.
    """
    out = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) < pgid:
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            argv = Path(entry.path, "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        out.append((int(entry.name), [a.decode(errors="replace") for a in argv if a]))
    return out


def _git_running(pgid: int, sub: str) -> bool:
    """A git (or the remote's git-receive-pack) of the group is running ``sub``."""
    for _, argv in _group(pgid):
        if len(argv) > 1 and Path(argv[0]).name == "git" and argv[1] == sub:
            return True
        if any(f"git-{sub}" in a or a == sub for a in argv):
            return True
    return False


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


def publish(world: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toppypi", *PUBLISH],
        cwd=world,
        env=base_env(world, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def killed_run(world: Path, kill: Kill) -> tuple[bool, int | None]:
    """Start a publish and kill its whole process group; (landed, exit code)."""
    env = base_env(world, TOPPYPI_KILL_AT=kill.arg) if kill.trigger == "step" else base_env(world)
    proc = subprocess.Popen(
        [sys.executable, "-m", "toppypi", *PUBLISH],
        cwd=world,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    if kill.trigger == "step":
        code = proc.wait(timeout=300)
        return code == -signal.SIGKILL, code
    t0 = time.monotonic()
    fired = False
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
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.0005 if kill.trigger != "delay" else 0.002)
    code = proc.wait(timeout=300)
    _reap_group(proc.pid)
    return fired and code == -signal.SIGKILL, code


def _reap_group(pgid: int) -> None:
    """Wait until no process of the killed group is left (git children die a moment later)."""
    deadline = time.monotonic() + 10
    while _group(pgid) and time.monotonic() < deadline:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.01)


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
    world = copy_world(template, where)
    t0 = time.monotonic()
    proc = publish(world)
    took = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    assert git(world / "remote.git", "tag", "--list", TAG3) == TAG3
    return state(world), took


def run_kill(kill: Kill, template: Path, where: Path, expected: State) -> KillResult:
    world = copy_world(template, where)
    if kill.trigger == "lock" and kill.arg == "remote":
        slow_remote(world)
    landed, code = killed_run(world, kill)
    res = KillResult(kill, landed, code, leftovers=locks(world))
    for _ in range(RERUNS):
        proc = publish(world)
        res.reruns.append(proc.returncode)
        lines = proc.stderr.strip().splitlines()
        res.last_words = lines[-1][:400] if lines else ""
        if proc.returncode == 0:
            break
    got = state(world)
    res.converged = res.reruns[-1] == 0 and got == expected
    if res.converged and res.landed:
        import shutil

        shutil.rmtree(world, ignore_errors=True)
    return res
