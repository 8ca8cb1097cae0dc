"""``update --publish``: the monthly job, then one commit, one tag, one push.

Every step either finds its work already done or does it whole, so a run
killed anywhere and run again ends where an uninterrupted run ends: the same
files, one commit, one tag. What makes that work:

- the dataset's lock is held throughout, and what a killed run left (temporary
  files, a half-swapped month, git's stale lock files) is cleared first;
- the dumps and archive are written atomically and left alone when the rows
  are the same, so the month's ``last_update`` survives a rerun, and every later
  file and both git dates derive from it;
- notes, citation files and sums are pure functions of the archive;
- the commit message names the tag; a HEAD carrying it and a clean tree mean
  "committed, not tagged yet";
- the tag's existence means "published"; a push only adds what the remote
  lacks and never forces; git runs in its own session, so killing toppypi
  never cuts a commit or a push in half.

Kill points (``TOPPYPI_KILL_AT=<step>`` sends SIGKILL to the process right
after the step) are named in :data:`STEPS`.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from toppypi.dataset import Dataset, Writer
from toppypi.dataset.layout import RELEASE_FILE, written_by_toppypi
from toppypi.dataset.releases import tag_for
from toppypi.engines.interface import Engine
from toppypi.errors import UsageError
from toppypi.model.redact import redact
from toppypi.operations.update import Plan, UpdateOptions, UpdateResult, plan, update_locked
from toppypi.publish.citation import (
    CFF_FILE,
    ZENODO_FILE,
    Release,
    render_cff,
    render_zenodo,
)
from toppypi.publish.config import CONFIG_FILE, Config
from toppypi.publish.git import (
    Identity,
    PushFailed,
    PushOutcome,
    PushRejected,
    RemoteLocked,
    Repo,
)
from toppypi.publish.notes import (
    CHANGELOG_FILE,
    NotesInput,
    changelog_entry,
    month_name,
    render_release_notes,
    summary_line,
    update_changelog,
)
from toppypi.publish.sums import SUMS_FILE, render_sums

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

Say = Callable[[str], None]


class Status(StrEnum):
    PUBLISHED = "published"
    ALREADY = "already-published"
    PLANNED = "planned"  # --dry-run: nothing was done


@dataclass(frozen=True)
class PublishOptions:
    update: UpdateOptions
    reason: str | None = None  # a --republish: what it corrects
    dry_run: bool = False


@dataclass
class PublishResult:
    month: str
    tag: str
    status: Status
    commit: str
    remote: str | None  # None: no remote configured, the release stays local
    pushed: list[str] = field(default_factory=list)  # refs this run put on the remote
    update: UpdateResult | None = None
    plan: Plan | None = None  # --dry-run: what a run would do

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "month": self.month,
            "tag": self.tag,
            "status": str(self.status),
            "commit": self.commit,
            "remote": redact(self.remote) if self.remote else None,
            "pushed": self.pushed,
        }
        if self.plan is not None:
            out["plan"] = self.plan.lines
        return out


def kill_point(step: str) -> None:
    """Die here, as a crash or ``kill -9`` would, when the tests ask for it."""
    if os.environ.get(KILL_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def _family(repo: Repo, base: str) -> list[tuple[int, str]]:
    """The month's releases: ``(0, YYYY.MM)`` and ``(N, YYYY.MM.N)``, oldest first."""
    out = [(0, base)] if repo.tag_commit(base) else []
    for t in repo.tags(f"{base}.*"):
        n = t[len(base) + 1 :]
        if n.isdigit():
            out.append((int(n), t))
    return sorted(out)


def one_line(text: str) -> str:
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
    prev_month = ds.previous(month)
    year = ds.entry(month, 365)
    return NotesInput(
        tag=tag,
        month=month,
        snapshot=ds.load(month),
        previous=ds.load(prev_month) if prev_month else None,
        previous_month=prev_month,
        checks=ds.checks(month),
        reason=reason,
        replaces=replaces,
        year=ds.load_entry(year) if year is not None else None,
    )


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


def check_repo(root: Path, repo: Repo, cfg: Config) -> None:
    if not repo.is_repo() or repo.head() is None:
        raise UsageError(
            f"{root} is not a dataset repo with a commit; create one with `toppypi init {root}`"
        )
    branch = repo.branch()
    if branch != cfg.branch:
        raise UsageError(
            f"{root} is on {branch or 'a detached HEAD'}, releases go on "
            f"{cfg.branch!r} (toppypi.toml [publish] branch); switch to it first"
        )


def _config(ds: Dataset) -> Config:
    cfg = ds.config()
    if cfg is None:
        raise UsageError(
            f"{ds.root} has no {CONFIG_FILE}: --publish releases a dataset repo made by "
            f"`toppypi init {ds.root}`"
        )
    return cfg


def _reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    text = one_line(reason)
    if not text:
        raise UsageError("--republish needs a --reason that says what was corrected")
    return text


def publish(
    ds: Dataset,
    open_engine: Callable[[], Engine],
    options: PublishOptions,
    *,
    say: Say = lambda _: None,
) -> PublishResult:
    """Publish a month from the dataset repo: idempotent, resumable, never force-pushed."""
    cfg = _config(ds)
    reason = _reason(options.reason)
    up = options.update
    if reason is not None and not up.correction:
        from dataclasses import replace

        up = replace(up, correction=True)
    if options.dry_run:
        return _dry_run(ds, cfg, up, reason, open_engine)
    with ds.writing(wait=up.wait, say=say) as w:
        kill_point("lock")
        return _Publisher(w, cfg, say).run(up, reason, open_engine)


def _remote_label(cfg: Config) -> str:
    return redact(cfg.remote) if cfg.remote else "nowhere (no remote configured)"


def _dry_run(
    ds: Dataset,
    cfg: Config,
    up: UpdateOptions,
    reason: str | None,
    open_engine: Callable[[], Engine],
) -> PublishResult:
    """What a run would do; nothing is written, queried or pushed."""
    repo = Repo(ds.root)
    check_repo(ds.root, repo, cfg)
    found = _plan(repo, up.month, reason)
    month = up.month
    if found.done:
        commit = repo.tag_commit(found.tag) or ""
        said = f"{month} is already published as {found.tag} ({commit[:12]}); nothing to do"
        return PublishResult(
            month, found.tag, Status.ALREADY, commit, cfg.remote or None, plan=Plan([said], None)
        )
    engine = open_engine()
    try:
        would = plan(engine, up)
    finally:
        engine.close()
    head = f"would publish {month} as {found.tag}"
    if found.replaces:
        head += f", correcting {found.replaces}: {reason}"
    lines = [
        head,
        *would.lines,
        f"then: the site, {RELEASE_FILE}, {CHANGELOG_FILE}, {CFF_FILE}, {ZENODO_FILE}, "
        f"{SUMS_FILE}; one commit, tag {found.tag}, push to {_remote_label(cfg)}",
    ]
    return PublishResult(
        month, found.tag, Status.PLANNED, "", cfg.remote or None, plan=Plan(lines, would.estimate)
    )


class _Publisher:
    def __init__(self, w: Writer, cfg: Config, say: Say) -> None:
        self.w = w
        self.ds = w.dataset
        self.root = w.root
        self.cfg = cfg
        self.say = say
        self.repo = Repo(self.root)

    def run(
        self, up: UpdateOptions, reason: str | None, open_engine: Callable[[], Engine]
    ) -> PublishResult:
        check_repo(self.root, self.repo, self.cfg)
        month = up.month
        plan = _plan(self.repo, month, reason)
        remote = self.cfg.remote
        if not plan.done and remote and self.repo.remote_has_tag(remote, plan.tag):
            raise UsageError(
                f"{plan.tag} exists on {redact(remote)} but not here: fetch it "
                f"(git -C {self.root} pull --tags {redact(remote)} {self.cfg.branch}) "
                "before publishing"
            )
        if plan.done:
            commit = self.repo.tag_commit(plan.tag) or ""
            self.say(f"{month} is already published as {plan.tag} ({commit[:12]})")
            return self.push(PublishResult(month, plan.tag, Status.ALREADY, commit, remote or None))

        message = commit_message(plan.tag, month, reason)
        committed = (
            self.repo.commit_message() == message.rstrip("\n") and not self.release_changes()
        )
        result = None
        if committed:
            self.say(f"{plan.tag} is committed but not tagged yet: tagging it")
        else:
            engine = open_engine()
            try:
                result = update_locked(self.w, engine, _no_site(up), say=self.say)
            finally:
                engine.close()
            kill_point("update")
            from toppypi.operations.site import build_locked

            build_locked(self.w)
            kill_point("site")
        n = notes_input(self.ds, month, plan.tag, reason, plan.replaces)
        ident = Identity(self.cfg.author_name, self.cfg.author_email, n.snapshot.last_update)
        if not committed:
            self.write_release_files(n)
            changed = self.release_changes()
            if changed:
                self.repo.commit_paths(message, ident, changed)
            kill_point("commit")
        self.repo.tag(plan.tag, tag_message(n), ident)
        kill_point("tag")
        commit = self.repo.head() or ""
        self.say(f"{month} published as {plan.tag} ({commit[:12]})")
        res = PublishResult(month, plan.tag, Status.PUBLISHED, commit, remote or None)
        res.update = result
        return self.push(res)

    def release_changes(self) -> list[str]:
        """What a release commits: toppypi's changed paths, never the user's other work.

        A folder toppypi owns whole (archive/, badges/, ...) is one pathspec: git
        matches every path against every pathspec, and 30,000 badge paths made
        ``git add`` and ``commit`` take half a minute.
        """
        out = set()
        for path in self.repo.changed_paths():
            if written_by_toppypi(path):
                top, _, rest = path.partition("/")
                out.add(top if rest else path)
        return sorted(out)

    def write_release_files(self, n: NotesInput) -> None:
        self.w.write_month_file(n.month, RELEASE_FILE, render_release_notes(n).encode())
        kill_point("release-notes")
        path = self.root / CHANGELOG_FILE
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        changelog = update_changelog(old, n.tag, changelog_entry(n))
        self.w.write_files({CHANGELOG_FILE: changelog.encode()})
        kill_point("changelog")
        rel = Release(n.tag, n.snapshot.last_update.date(), n.month)
        self.w.write_files(
            {
                CFF_FILE: render_cff(self.cfg, rel).encode(),
                ZENODO_FILE: render_zenodo(self.cfg, rel).encode(),
            }
        )
        kill_point("citation")
        self.w.write_datapackage()  # now with the release notes
        sums = render_sums(self.root, self.ds.published_files())
        self.w.write_files({SUMS_FILE: sums.encode()})
        kill_point("sums")

    def _push_clearing_locks(self, remote: str, tag: str) -> PushOutcome:
        """Push, first clearing the locks a killed push left in a remote on this machine."""
        self._clear_remote_locks(remote)
        try:
            return self.repo.push(remote, self.cfg.branch, [tag])
        except RemoteLocked:
            if not self._clear_remote_locks(remote):
                raise  # held by a live git there, or a remote elsewhere: named with its fix
        return self.repo.push(remote, self.cfg.branch, [tag])

    def _clear_remote_locks(self, remote: str) -> list[Path]:
        cleared = self.repo.clear_remote_locks(remote)
        for lock in cleared:
            self.say(f"removed {lock}, left in the remote by a push that was killed")
        return cleared

    def push(self, res: PublishResult) -> PublishResult:
        remote = self.cfg.remote
        if not remote:
            return res
        shown = redact(remote)
        try:
            outcome = self._push_clearing_locks(remote, res.tag)
        except RemoteLocked as exc:
            raise PushFailed(
                f"{res.tag} is committed and tagged in {self.root} but {shown} holds a lock "
                f"file, {exc.lock}, left by a push that was interrupted there; if no push to it "
                f"is running, remove that file (rm '{exc.lock}') and run again"
            ) from None
        except PushRejected as exc:
            raise PushRejected(
                f"{res.tag} is committed and tagged in {self.root} but {shown} "
                f"refused it ({exc}): the remote has commits this repo lacks and nothing is "
                f"ever forced; merge them (git -C {self.root} pull --no-rebase "
                f"{shown} {self.cfg.branch}) and run again"
            ) from None
        except PushFailed as exc:
            raise PushFailed(
                f"{res.tag} is committed and tagged in {self.root} but the push to "
                f"{shown} failed ({exc}); nothing is lost: the next "
                "`toppypi update --publish` pushes what the remote lacks"
            ) from None
        res.pushed = outcome.updated
        kill_point("push")
        return res


def _no_site(up: UpdateOptions) -> UpdateOptions:
    """Publishing builds the site as its own step (a kill point of its own)."""
    from dataclasses import replace

    return replace(up, build_site=False)
