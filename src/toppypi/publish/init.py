"""``toppypi init DIR``: a new dataset repo, ready for ``update --publish``."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from toppypi import __version__
from toppypi.atomic import atomic_write
from toppypi.engines.registry import describe
from toppypi.errors import UsageError
from toppypi.publish.citation import Release, render_cff, render_zenodo
from toppypi.publish.config import CONFIG_FILE, Config, render_config
from toppypi.publish.git import Identity, Repo
from toppypi.publish.notes import CHANGELOG_FILE, CHANGELOG_HEADER
from toppypi.publish.reproducible import clock

INITIAL_MESSAGE = "Start the dataset (toppypi init)"
WORKFLOWS = ".github/workflows"


@dataclass
class InitResult:
    root: Path
    files: list[Path] = field(default_factory=list)
    commit: str | None = None


def template(name: str) -> str:
    return resources.files("toppypi.publish").joinpath("templates", name).read_text("utf-8")


def requirement(cfg: Config) -> str:
    driver = describe(cfg.source).extra
    extra = f"[{driver}]" if driver else ""
    return f"toppypi{extra}=={__version__}"


def initial_files(cfg: Config) -> dict[str, str]:
    """Every file ``init`` writes, by path relative to the dataset root."""
    return {
        CONFIG_FILE: render_config(cfg),
        ".gitignore": template("gitignore"),
        "pyproject.toml": template("pyproject.toml.in").replace(
            "__REQUIREMENT__", requirement(cfg)
        ),
        "CITATION.cff": render_cff(cfg, Release()),
        ".zenodo.json": render_zenodo(cfg, Release()),
        CHANGELOG_FILE: CHANGELOG_HEADER,
        f"{WORKFLOWS}/update.yml": template("update.yml"),
        f"{WORKFLOWS}/release.yml": template("release.yml"),
    }


def init_dataset(root: Path, cfg: Config, *, remote_url: str | None = None) -> InitResult:
    """Write the settings, citation files and workflows, and commit them in a new repo.

    An existing toppypi.toml is never overwritten: ``init`` on a dataset is refused.
    """
    if (root / CONFIG_FILE).exists():
        raise UsageError(f"{root} is a dataset already ({CONFIG_FILE} exists); edit it instead")
    root.mkdir(parents=True, exist_ok=True)
    out = InitResult(root)
    repo = Repo(root)
    fresh = not repo.is_repo()
    if fresh:
        repo.init(cfg.branch)
    if remote_url:
        if cfg.remote in repo.out("remote").split():
            raise UsageError(f"{root} already has a git remote {cfg.remote!r}; drop --remote")
        repo.git("remote", "add", cfg.remote, remote_url)
    for rel, text in initial_files(cfg).items():
        path = root / rel
        if path.exists() and rel != ".gitignore":
            raise UsageError(f"{path} exists; init writes it, so move it away first")
        if rel == ".gitignore" and path.exists():
            old = path.read_text(encoding="utf-8")
            text = old if text in old else old.rstrip("\n") + "\n\n" + text
        atomic_write(path, text.encode())
        out.files.append(path)
    ident = Identity(cfg.author_name, cfg.author_email, clock())
    repo.git("add", "--", *(str(p.relative_to(root)) for p in out.files))
    repo.git("commit", "--quiet", "--no-verify", "-m", INITIAL_MESSAGE, identity=ident)
    out.commit = repo.head()
    return out
