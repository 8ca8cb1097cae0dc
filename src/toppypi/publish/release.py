"""``update --publish``: the monthly job, then one commit, one tag, one push.

Every step either finds its work already done or does it whole, so a run
killed anywhere and run again ends where an uninterrupted run ends: the same
files, one commit, one tag. What makes that work:

- the dumps and archive are written atomically and left alone when the rows
  are the same (``toppypi.update``), so the month's ``last_update`` survives
  a rerun, and every later file and both git dates derive from it;
- notes, citation files and sums are pure functions of the archive;
- the commit message names the tag; a HEAD carrying it and a clean tree mean
  "committed, not tagged yet";
- the tag's existence means "published"; a push only adds what the remote
  lacks and never forces.

Kill points (``TOPPYPI_KILL_AT=<step>`` sends SIGKILL to the process right
after the step) are named in :data:`STEPS`.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from toppypi.atomic import atomic_write
from toppypi.dataset import ARCHIVE, CHECKS_FILE, Dataset
from toppypi.engines.interface import Engine
from toppypi.errors import ToppypiError, UsageError
from toppypi.model.period import Period, add_months, parse_month
from toppypi.publish.citation import Release, render_cff, render_zenodo
from toppypi.publish.config import Config
from toppypi.publish.git import Identity, PushFailed, PushRejected, Repo
from toppypi.publish.notes import (
    CHANGELOG_FILE,
    RELEASE_FILE,
    NotesInput,
    changelog_entry,
    month_name,
    render_release_notes,
    summary_line,
    update_changelog,
)
from toppypi.publish.reproducible import clock, reproducible
from toppypi.publish.sums import SUMS_FILE, render_sums
from toppypi.update import UpdateResult

KILL_ENV = "TOPPYPI_KILL_AT"
STEPS = (
    "lock",  # the lock is held, nothing else done
    "update",  # query, gates, dumps and archive written
    "site",  # the site built
    "release-notes",  # archive/YYYY-MM/RELEASE.md written
    "changelog",  # CHANGELOG.md written
    "citation",  # CITATION.cff and .zenodo.json written
    "sums",  # SHA256SUMS written
    "commit",  # the release commit made
    "tag",  # the annotated tag made
    "push",  # pushed
)
TRAILER = "Toppypi-Release"
STATE_DIR = ".toppypi"
LOCK_NAME = "publish.lock"

Say = Callable[[str], None]


class PublishBusy(ToppypiError):
    """Another publish holds the dataset's lock."""

    exit_code = 7


class Status(StrEnum):
    PUBLISHED = "published"
    ALREADY = "already-published"


@dataclass
class PublishResult:
    month: str
    tag: str
    status: Status
    commit: str
    remote: str | None  # None: no remote configured, the release stays local
    pushed: list[str] = field(default_factory=list)  # refs this run put on the remote
    update: UpdateResult | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "month": self.month,
            "tag": self.tag,
            "status": str(self.status),
            "commit": self.commit,
            "remote": self.remote,
            "pushed": self.pushed,
        }


def kill_point(step: str) -> None:
    """Die here, as a crash or ``kill -9`` would, when the tests ask for it."""
    if os.environ.get(KILL_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def tag_for(month: str) -> str:
    """``2026.04`` for March 2026: named after the month a release is due, like the anchor's.

    The anchor publishes on the 1st and tags the current month, so its tag names
    the month after the data. Deriving it from the data month, not the clock, keeps
    it the same when a run is late, retried or backfills an older month.
    """
    first = add_months(parse_month(month).start, 1)
    return f"{first.year:04d}.{first.month:02d}"


def _family(repo: Repo, base: str) -> list[tuple[int, str]]:
    """The month's releases: ``(0, YYYY.MM)`` and ``(N, YYYY.MM.N)``, oldest first."""
    out = [(0, base)] if repo.tag_commit(base) else []
    for t in repo.tags(f"{base}.*"):
        n = t[len(base) + 1 :]
        if n.isdigit():
            out.append((int(n), t))
    return sorted(out)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def commit_message(tag: str, month: str, reason: str | None) -> str:
    """Independent of the data, so a rerun can tell its own commit before querying."""
    lines = [f"Publish {tag}: top PyPI packages, {month_name(month)}", ""]
    if reason is not None:
        lines += [f"Reason: {reason}", ""]
    lines.append(f"{TRAILER}: {tag}")
    return "\n".join(lines) + "\n"


def tag_message(n: NotesInput) -> str:
    lines = [f"{n.tag}: top PyPI packages, {month_name(n.month)}", "", summary_line(n)]
    if n.reason is not None:
        lines += ["", f"Corrects {n.replaces}.", f"Reason: {n.reason}"]
    return "\n".join(lines) + "\n"


def notes_input(
    ds: Dataset, month: str, tag: str, reason: str | None, replaces: str | None
) -> NotesInput:
    """Everything the notes say, read back from the archive (never from the clock)."""
    snap = ds.load(month)
    prev_month = ds.previous(month)
    checks_path = ds.month_dir(month) / CHECKS_FILE
    checks = json.loads(checks_path.read_text()) if checks_path.is_file() else None
    return NotesInput(
        tag=tag,
        month=month,
        snapshot=snap,
        previous=ds.load(prev_month) if prev_month else None,
        previous_month=prev_month,
        checks=checks,
        reason=reason,
        replaces=replaces,
    )


def sweep_temporaries(root: Path) -> None:
    """What a killed writer left behind (temp files, staged or old month folders)."""
    import shutil

    for p in root.rglob(".*.tmp"):
        if ".git" not in p.relative_to(root).parts and p.is_file():
            p.unlink()
    archive = root / ARCHIVE
    if archive.is_dir():
        for d in archive.iterdir():
            if d.is_dir() and d.name.startswith(".") and d.name.endswith((".staging", ".old")):
                shutil.rmtree(d)


@dataclass
class _Plan:
    tag: str
    replaces: str | None
    done: bool = False  # the month's release exists already


def _plan(repo: Repo, month: str, reason: str | None) -> _Plan:
    base = tag_for(month)
    if reason is None:
        return _Plan(base, None, done=repo.tag_commit(base) is not None)
    family = _family(repo, base)
    if not family:
        raise UsageError(
            f"{month} has no release {base} here to correct; publish it without --republish"
        )
    head = repo.head() or ""
    for n, t in family:
        if n and repo.tag_commit(t) == head and f"Reason: {reason}" in repo.tag_message(t):
            return _Plan(t, None, done=True)
    return _Plan(f"{base}.{family[-1][0] + 1}", family[-1][1])


class _Publisher:
    def __init__(self, root: Path, cfg: Config, say: Say) -> None:
        self.root = root
        self.cfg = cfg
        self.say = say
        self.repo = Repo(root)
        self.ds = Dataset(root)

    def check_repo(self) -> None:
        if not self.repo.is_repo() or self.repo.head() is None:
            raise UsageError(
                f"{self.root} is not a dataset repo with a commit; create one with "
                f"`toppypi init {self.root}`"
            )
        branch = self.repo.branch()
        if branch != self.cfg.branch:
            raise UsageError(
                f"{self.root} is on {branch or 'a detached HEAD'}, releases go on "
                f"{self.cfg.branch!r} (toppypi.toml [publish] branch); switch to it first"
            )

    def write(self, rel: str, text: str) -> None:
        atomic_write(self.root / rel, text.encode())

    def write_release_files(self, n: NotesInput) -> None:
        self.write(f"archive/{n.month}/{RELEASE_FILE}", render_release_notes(n))
        kill_point("release-notes")
        path = self.root / CHANGELOG_FILE
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        self.write(CHANGELOG_FILE, update_changelog(old, n.tag, changelog_entry(n)))
        kill_point("changelog")
        rel = Release(n.tag, n.snapshot.last_update.date(), n.month)
        self.write("CITATION.cff", render_cff(self.cfg, rel))
        self.write(".zenodo.json", render_zenodo(self.cfg, rel))
        kill_point("citation")
        self.write(SUMS_FILE, render_sums(self.root))
        kill_point("sums")

    def identity(self, n: NotesInput) -> Identity:
        return Identity(self.cfg.author_name, self.cfg.author_email, n.snapshot.last_update)

    def push(self, res: PublishResult) -> PublishResult:
        if not self.cfg.remote:
            return res
        try:
            outcome = self.repo.push(self.cfg.remote, self.cfg.branch, [res.tag])
        except PushRejected as exc:
            raise PushRejected(
                f"{res.tag} is committed and tagged in {self.root} but {self.cfg.remote} "
                f"refused it ({exc}): the remote has commits this repo lacks and nothing is "
                f"ever forced; merge them (git -C {self.root} pull --no-rebase "
                f"{self.cfg.remote} {self.cfg.branch}) and run again"
            ) from None
        except PushFailed as exc:
            raise PushFailed(
                f"{res.tag} is committed and tagged in {self.root} but the push to "
                f"{self.cfg.remote} failed ({exc}); nothing is lost: the next "
                "`toppypi update --publish` pushes what the remote lacks"
            ) from None
        res.pushed = outcome.updated
        kill_point("push")
        return res


def publish(
    root: Path,
    period: Period,
    open_engine: Callable[[], Engine],
    cfg: Config,
    *,
    force: bool = False,
    reason: str | None = None,
    wait: float = 0.0,
    say: Say = lambda _: None,
) -> PublishResult:
    """Publish ``period``'s month from ``root``: idempotent, resumable, never force-pushed."""
    from filelock import FileLock, Timeout

    month = period.month
    if month is None:
        raise UsageError(f"releases are calendar months; {period} is not one (use --month)")
    if reason is not None:
        reason = _one_line(reason)
        if not reason:
            raise UsageError("--republish needs a --reason that says what was corrected")
    state = root / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    atomic_write(state / ".gitignore", b"*\n")  # never committed, whatever .gitignore says
    lock = FileLock(str(state / LOCK_NAME), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise PublishBusy(
            f"another `toppypi update --publish` is running in {root} (it holds "
            f"{state / LOCK_NAME}); wait for it, or pass --wait SECONDS"
        ) from None
    try:
        kill_point("lock")
        return _publish(_Publisher(root, cfg, say), month, period, open_engine, force, reason)
    finally:
        lock.release()


def _publish(
    p: _Publisher,
    month: str,
    period: Period,
    open_engine: Callable[[], Engine],
    force: bool,
    reason: str | None,
) -> PublishResult:
    from toppypi.model.query import InstallerFilter
    from toppypi.site import build_site
    from toppypi.update import update

    p.check_repo()
    plan = _plan(p.repo, month, reason)
    if not plan.done and p.cfg.remote and p.repo.remote_has_tag(p.cfg.remote, plan.tag):
        raise UsageError(
            f"{plan.tag} exists on {p.cfg.remote} but not here: fetch it "
            f"(git -C {p.root} pull --tags {p.cfg.remote} {p.cfg.branch}) before publishing"
        )
    if plan.done:
        commit = p.repo.tag_commit(plan.tag) or ""
        p.say(f"{month} is already published as {plan.tag} ({commit[:12]})")
        return p.push(PublishResult(month, plan.tag, Status.ALREADY, commit, p.cfg.remote or None))

    message = commit_message(plan.tag, month, reason)
    committed = p.repo.commit_message() == message.rstrip("\n") and not p.repo.dirty()
    result = None
    if committed:
        p.say(f"{plan.tag} is committed but not tagged yet: tagging it")
    else:
        sweep_temporaries(p.root)
        engine = reproducible(open_engine())
        try:
            result = update(
                p.root,
                engine,
                period,
                limit=p.cfg.limit,
                installers=InstallerFilter.parse(p.cfg.installers),
                force=force,
                now=clock(),
            )
        finally:
            engine.close()
        kill_point("update")
        build_site(p.root)
        kill_point("site")
    n = notes_input(p.ds, month, plan.tag, reason, plan.replaces)
    ident = p.identity(n)
    if not committed:
        p.write_release_files(n)
        if p.repo.dirty():
            p.repo.commit_all(message, ident)
        kill_point("commit")
    p.repo.tag(plan.tag, tag_message(n), ident)
    kill_point("tag")
    commit = p.repo.head() or ""
    p.say(f"{month} published as {plan.tag} ({commit[:12]})")
    res = PublishResult(month, plan.tag, Status.PUBLISHED, commit, p.cfg.remote or None)
    res.update = result
    return p.push(res)
