"""One bad-input case: its declaration, how it runs, and what was observed.

A case is the real CLI in a subprocess on a private copy of the world. It is
judged on five counts, each recorded for the figures before anything is
asserted: the exit code, the one ``toppypi: error:`` line, no traceback, no
secret printed, and no byte changed in the tree outside what the case allows.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.world import (
    PLACES,
    REPO,
    STORE,
    base_env,
    compare,
    copy_world,
    toppypi,
    tree_digest,
)

# Derived, git-ignored state a refused command may create (the lock, the history index).
DERIVED = ("*/.toppypi/*", "*/.toppypi/")
ERROR_PREFIX = "toppypi: error:"
# Set to run every case without its expected-failure marker (to see what fails today).
CALIBRATE_ENV = "TOPPYPI_RELIABILITY_CALIBRATE"

Prepare = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """``args`` and ``says`` may hold ``{M1}``, ``{M2}``, ``{M3}``, ``{CUR}``, ``{TAG2}``..."""

    id: str
    args: tuple[str, ...]
    codes: tuple[int, ...] = (2,)
    prepare: Prepare | None = None
    says: str | None = None  # a regex the error line must match (case-insensitive)
    may_change: tuple[str, ...] = ()  # fnmatch patterns of files the case may change
    secrets: tuple[str, ...] = ()  # must appear nowhere in stdout or stderr
    env: tuple[tuple[str, str], ...] = ()
    needs: tuple[str, ...] | None = None  # the world's entries to copy (default: all)
    xfail: str | None = None  # what goes wrong today (strict: a fix must remove it)

    def param(self) -> Any:
        marks = []
        if self.xfail and not os.environ.get(CALIBRATE_ENV):
            marks = [pytest.mark.xfail(strict=True, reason=fill(self.xfail))]
        return pytest.param(self, id=self.id, marks=marks)


def case(id: str, *args: str, codes: tuple[int, ...] | int = 2, **kw: Any) -> Case:
    return Case(id, tuple(args), (codes,) if isinstance(codes, int) else codes, **kw)


@dataclass
class Observed:
    id: str
    command: str
    code: int
    stdout: str
    stderr: str
    traceback: bool
    accepted: bool  # exit 0 where a refusal was expected
    wrong_code: bool  # a refusal, but not with an expected code
    bad_message: bool  # not exactly one final `toppypi: error:` line
    message_mismatch: bool  # the error line does not say what the case expects
    leaked: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (
            self.traceback
            or self.accepted
            or self.wrong_code
            or self.bad_message
            or self.message_mismatch
            or self.leaked
            or self.damaged
        )

    def problems(self) -> str:
        out = []
        if self.traceback:
            last = [ln for ln in self.stderr.strip().splitlines() if ln.strip()]
            out.append(f"traceback: {last[-1] if last else '?'}")
        if self.accepted:
            out.append("exit 0: accepted")
        if self.wrong_code:
            out.append(f"exit {self.code}")
        if self.bad_message and not self.traceback:
            out.append(f"stderr not one error line: {self.stderr.strip()[-300:]!r}")
        if self.message_mismatch:
            out.append(f"message: {error_line(self.stderr)!r}")
        if self.leaked:
            out.append(f"printed the secret {self.leaked}")
        if self.damaged:
            out.append("changed " + "; ".join(self.damaged))
        return " | ".join(out) or "ok"

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "command": self.command,
            "code": self.code,
            "passed": self.passed,
            "traceback": self.traceback,
            "accepted": self.accepted,
            "wrong_code": self.wrong_code,
            "bad_message": self.bad_message,
            "message_mismatch": self.message_mismatch,
            "leaked": bool(self.leaked),
            "damaged": bool(self.damaged),
            "problems": self.problems(),
            "said": (self.stderr.strip().splitlines() or [""])[-1][:400],
        }


def error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith(ERROR_PREFIX)]
    return lines[-1] if lines else ""


def fill(text: str) -> str:
    return text.format(**PLACES)


def run_case(c: Case, template: Path, where: Path) -> Observed:
    world = copy_world(template, where, c.needs or _needs(c, template))
    if c.prepare is not None:
        c.prepare(world)
    before = tree_digest(world)
    args = [fill(a) for a in c.args]
    proc = toppypi(world, *args, env=base_env(world, **dict(c.env)))
    change = compare(before, tree_digest(world)).outside((*DERIVED, *c.may_change))
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(ERROR_PREFIX)]
    tb = "Traceback" in proc.stderr or proc.returncode == 1
    refused = proc.returncode != 0
    expects_refusal = 0 not in c.codes
    bad_message = refused and (len(errors) != 1 or lines[-1] != errors[0])
    says = fill(c.says) if c.says else None
    mismatch = bool(refused and says and errors and not re.search(says, errors[0], re.IGNORECASE))
    seen = Observed(
        id=c.id,
        command="toppypi " + " ".join(_quote(a) for a in args),
        code=proc.returncode,
        stdout=proc.stdout,
        stderr=proc.stderr,
        traceback=tb,
        accepted=proc.returncode == 0 and expects_refusal,
        wrong_code=refused and not tb and proc.returncode not in c.codes,
        bad_message=bad_message,
        message_mismatch=mismatch,
        leaked=[s for s in c.secrets if s in proc.stdout or s in proc.stderr],
        damaged=[change.describe()] if change else [],
    )
    if seen.passed:  # keep only the worlds worth a look
        shutil.rmtree(world, ignore_errors=True)
    return seen


def _needs(c: Case, template: Path) -> tuple[str, ...]:
    """The parts of the world a case can touch: the store and the event files always
    (the default --db is the world's store), the plain dataset when the case names it or
    prepares something (most preparations start from its files), the published repo and
    its remote when the case names them. A command that wrote into a part left out
    would show as added files."""
    names = {*STORE, "events", "extra"}
    uses = {a.split("/", 1)[0] for a in c.args}
    if "ds" in uses or c.prepare is not None:
        names.add("ds")
    if "pub" in uses or c.id.startswith("publish"):
        names.update(REPO)
    return tuple(sorted(n for n in names if (template / n).exists()))


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg) if len(arg) < 80 else shlex.quote(arg[:60] + "...")
