"""What a case sets up in its copy of the world before the tree is hashed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.reliability.world import M2, M3, git, tag_for

NEXT_TO_M2 = tag_for(M2).replace(".", "-") + "-01"

Prepare = Callable[[Path], None]

PW = "s3cretPW42"
TOKEN = "ghp_reliabilityT0KEN0123456789abcdef"
HTTP_PW = f"clickhouse+http://u:{PW}@127.0.0.1:1/"
HTTP_PW_PARAM = f"clickhouse+http://127.0.0.1:1/?user=u&password={PW}"
USERINFO_PW = f"clickhouse://u:{PW}@host"
TOKEN_URL = f"https://x-access-token:{TOKEN}@127.0.0.1:1/top-pypi.git"
# --source values, with the exit codes they may get and the secrets they must not print.
SOURCES: list[tuple[str, str, int | tuple[int, ...], tuple[str, ...]]] = [
    ("source-unknown", "nope", 2, ()),
    ("source-userinfo-password", USERINFO_PW, (2, 3), (PW,)),
    ("source-http-userinfo-password", HTTP_PW, (2, 3), (PW,)),
    ("source-http-password-parameter", HTTP_PW_PARAM, (2, 3), (PW,)),
]


def all_of(*steps: Prepare) -> Prepare:
    def run(world: Path) -> None:
        for step in steps:
            step(world)

    return run


def write(rel: str, data: str | bytes) -> Prepare:
    def run(world: Path) -> None:
        path = world / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    return run


def mkdir(rel: str) -> Prepare:
    return lambda world: (world / rel).mkdir(parents=True, exist_ok=True)


def copy(src: str, dst: str) -> Prepare:
    def run(world: Path) -> None:
        s, d = world / src, world / dst
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir():
            shutil.copytree(s, d)
        else:
            shutil.copy2(s, d)

    return run


def remove(rel: str) -> Prepare:
    def run(world: Path) -> None:
        p = world / rel
        shutil.rmtree(p) if p.is_dir() else p.unlink()

    return run


def truncate(rel: str) -> Prepare:
    def run(world: Path) -> None:
        p = world / rel
        data = p.read_bytes()
        p.write_bytes(data[: len(data) // 2])

    return run


def in_repo(*args: str, repo: str = "pub") -> Prepare:
    def run(world: Path) -> None:
        git(world / repo, *args)

    return run


def edit_toml(old: str, new: str) -> Prepare:
    def run(world: Path) -> None:
        p = world / "pub" / "toppypi.toml"
        text = p.read_text()
        assert old in text, (old, text)
        p.write_text(text.replace(old, new, 1))

    return run


# -- the common ones -------------------------------------------------------------------

KEEP = copy("ds/top-pypi-packages.json", "keep.json")  # a good dump the user keeps
STRAY_MONTH = copy(f"ds/archive/{M3}", "ds/archive/2026-99")
STRAY_EMPTY = mkdir("ds/archive/2026-99")
# Every text dump of the archived M2 cut in half (the Parquet is left whole).
CORRUPT_M2 = all_of(
    *(truncate(f"ds/archive/{M2}/top-pypi-packages.{ext}") for ext in ("json", "min.json", "csv"))
)
EMPTY_DIR = mkdir("empty")


def remote_with_extra_commit(world: Path) -> None:
    """Someone else pushed to the remote: this repo's next push is rejected."""
    clone = world / "other-clone"
    git(world, "clone", "--quiet", "remote.git", str(clone))
    (clone / "NOTE.md").write_text("a commit this repo lacks\n")
    git(clone, "add", "NOTE.md")
    git(clone, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit", "-qm", "note")
    git(clone, "push", "--quiet", "origin", "main")
    shutil.rmtree(clone)


def modified_release(world: Path) -> None:
    """M2's released dump with one count changed: still a valid dump, different data."""
    import json

    src = world / "pub" / "archive" / M2 / "top-pypi-packages.json"
    obj = json.loads(src.read_text())
    obj["rows"] = obj["rows"][:-1]  # one row fewer: a different ranking of the same month
    obj["last_update"] = f"{NEXT_TO_M2} 00:00:00"  # a later run for the same month
    obj["source"] = "ClickHouse"  # the era whose 30-day snapshots are filed as months
    out = world / "changed" / "top-pypi-packages.json"
    out.parent.mkdir()
    out.write_text(json.dumps(obj, indent=0))


def scaled(dataset: str, month: str, factor: int = 1000) -> Prepare:
    """An archived month with every count times ``factor``: large enough for every drift
    measure (50 projects of 1,000+ downloads), as a real month is."""

    def run(world: Path) -> None:
        import json

        folder = world / dataset / "archive" / month
        csv = folder / "top-pypi-packages.csv"
        lines = csv.read_text().splitlines()
        rows = [ln.split(",", 1) for ln in lines[1:]]
        csv.write_text("\n".join([lines[0], *(f"{int(c) * factor},{p}" for c, p in rows)]) + "\n")
        for name, indent in (("top-pypi-packages.json", 0), ("top-pypi-packages.min.json", None)):
            obj = json.loads((folder / name).read_text())
            for r in obj["rows"]:
                r["download_count"] *= factor
            sep = (",", ":") if indent is None else None
            (folder / name).write_text(json.dumps(obj, indent=indent, separators=sep))

    return run
