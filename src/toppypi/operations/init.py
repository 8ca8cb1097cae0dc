"""``toppypi init DIR``: a new dataset repo, ready for ``update --publish``.

All checks come before the first write, so a refused ``init`` leaves the
folder as it was; a killed one is finished by running it again. Only the files
it writes are committed: anything else staged in an existing repo stays staged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from toppypi import __version__
from toppypi.atomic import atomic_write
from toppypi.errors import UsageError
from toppypi.model.redact import redact
from toppypi.operations.reproducible import clock
from toppypi.publish.citation import Release, render_cff, render_zenodo
from toppypi.publish.config import CONFIG_FILE, Config, render_config
from toppypi.publish.git import Identity, Repo
from toppypi.publish.notes import CHANGELOG_FILE, CHANGELOG_HEADER

INITIAL_MESSAGE = "Start the dataset (toppypi init)"
WORKFLOWS = ".github/workflows"
REMOTE_NAME = "origin"


@dataclass(frozen=True)
class InitOptions:
    config: Config
    remote_url: str | None = None  # added as the git remote ``origin``
    requirement: str | None = None  # what the dataset's pyproject installs
    branch: str | None = None  # default: an existing repo's current branch, else main


@dataclass
class InitResult:
    root: Path
    files: list[Path] = field(default_factory=list)
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)


def template(name: str) -> str:
    return resources.files("toppypi.publish").joinpath("templates", name).read_text("utf-8")


def default_requirement(cfg: Config) -> str:
    from toppypi.engines.registry import describe

    extra = describe(cfg.source).extra
    return f"toppypi{f'[{extra}]' if extra else ''}=={__version__}"


def check_requirement(text: str) -> str:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        why = str(exc).splitlines()[0]  # packaging adds the text and a caret on more lines
        raise UsageError(f"--requirement {text!r} is not a PEP 508 requirement ({why})") from None
    if req.name.lower() != "toppypi":
        raise UsageError(f"--requirement {text!r} must install toppypi")
    return text


def initial_files(cfg: Config, requirement: str) -> dict[str, str]:
    """Every file ``init`` writes, by path relative to the dataset root."""
    return {
        CONFIG_FILE: render_config(cfg),
        ".gitignore": template("gitignore"),
        "pyproject.toml": template("pyproject.toml.in").replace("__REQUIREMENT__", requirement),
        "CITATION.cff": render_cff(cfg, Release()),
        ".zenodo.json": render_zenodo(cfg, Release()),
        CHANGELOG_FILE: CHANGELOG_HEADER,
        f"{WORKFLOWS}/update.yml": template("update.yml"),
        f"{WORKFLOWS}/release.yml": template("release.yml"),
    }


def warnings_for(cfg: Config) -> list[str]:
    from toppypi.engines.registry import engine_name

    if engine_name(cfg.source) != "duckdb":
        return []
    return [
        "warning: the source is the local DuckDB store, which a GitHub runner does not have, "
        f"so {WORKFLOWS}/update.yml will fail there; publish from cron on the machine that "
        "holds the store instead (`toppypi update --dataset DIR --publish`, see "
        "toppypi's docs/publishing.md), or choose --source clickhouse"
    ]


def _check_branch(name: str) -> None:
    """A branch name git accepts, checked before anything is created."""
    import subprocess

    proc = subprocess.run(
        ["git", "check-ref-format", "--branch", name], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise UsageError(f"--branch {name!r} is not a valid git branch name")


def _refuse_a_dataset(root: Path, repo: Repo) -> None:
    """A committed toppypi.toml is a dataset; an uncommitted one is an init to finish."""
    if not (root / CONFIG_FILE).exists():
        return
    tracked = (
        repo.is_repo()
        and repo.head() is not None
        and bool(repo.git("ls-files", "--", CONFIG_FILE, check=False).stdout.strip())
    )
    if tracked:
        raise UsageError(f"{root} is a dataset already ({CONFIG_FILE} exists); edit it instead")


def _plan(root: Path, files: dict[str, str]) -> dict[str, str]:
    """The files to write; refuses, before any write, what ``init`` must not overwrite."""
    out = {}
    for rel, text in files.items():
        path = root / rel
        if rel == ".gitignore" and path.is_file():
            old = path.read_text(encoding="utf-8")
            text = old if text in old else old.rstrip("\n") + "\n\n" + text
        elif path.is_dir():
            raise UsageError(f"{path} is a folder; init writes a file there, so move it away first")
        elif path.exists() and path.read_bytes() != text.encode():
            # A file an unfinished init wrote is the same bytes again; anything else is the user's.
            raise UsageError(f"{path} exists; init writes it, so move it away first")
        out[rel] = text
    return out


def init_dataset(root: Path, options: InitOptions) -> InitResult:
    """Write the settings, citation files and workflows, and commit just those."""
    from dataclasses import replace

    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file; init makes a dataset folder")
    repo = Repo(root)
    _refuse_a_dataset(root, repo)
    current = repo.branch() if root.is_dir() and repo.is_repo() else None
    branch = options.branch or current or "main"
    if current and branch != current:
        raise UsageError(
            f"{root} is a git repo on branch {current!r}; pass --branch {current} "
            f"(releases go on the branch toppypi.toml names) or switch to {branch!r} first"
        )
    _check_branch(branch)
    cfg = replace(options.config, branch=branch)
    requirement = check_requirement(options.requirement or default_requirement(cfg))
    files = (
        _plan(root, initial_files(cfg, requirement))
        if root.is_dir()
        else initial_files(cfg, requirement)
    )
    existing_remote = root.is_dir() and options.remote_url and repo.is_repo()
    if existing_remote and REMOTE_NAME in repo.out("remote").split():
        raise UsageError(f"{root} already has a git remote {REMOTE_NAME!r}; drop --remote")
    root.mkdir(parents=True, exist_ok=True)
    out = InitResult(root, warnings=warnings_for(cfg))
    if not repo.is_repo():
        repo.init(cfg.branch)
    if options.remote_url and REMOTE_NAME not in repo.out("remote").split():
        repo.git("remote", "add", REMOTE_NAME, options.remote_url)
    for rel, text in files.items():
        atomic_write(root / rel, text.encode())
        out.files.append(root / rel)
    ident = Identity(cfg.author_name, cfg.author_email, clock())
    rels = [str(p.relative_to(root)) for p in out.files]
    repo.git("add", "--", *rels)
    # Paths given: only these are committed; whatever else the user staged stays staged.
    repo.git("commit", "--quiet", "--no-verify", "-m", INITIAL_MESSAGE, "--", *rels, identity=ident)
    out.commit = repo.head()
    return out


def describe_remote(url: str | None) -> str:
    return redact(url) if url else "none (releases stay in this repo)"
