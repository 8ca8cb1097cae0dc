"""What a killed run left behind, cleared by the next run (which holds the lock).

- temporary files of atomic writes (``.NAME.XXXX.tmp``);
- a month folder half swapped: ``archive/.M.old`` is put back when ``archive/M``
  is missing (killed between the two renames), else removed;
- staging folders (``archive/.M.staging``, ``archive/.import-*``);
- git's own lock files in the dataset repo that no live git owns.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from toppypi.dataset.layout import ARCHIVE, IMPORT_PREFIX, OLD_SUFFIX, STAGING_SUFFIX, month_of
from toppypi.publish.git import Repo

Say = Callable[[str], None]


def _temporaries(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        if ".git" in dirnames:
            dirnames.remove(".git")
        out.extend(Path(dirpath) / f for f in filenames if f.startswith(".") and f.endswith(".tmp"))
    return out


def sweep(root: Path, say: Say = lambda _: None) -> list[str]:
    """Clear leftovers; returns (and says) what matters to the user."""
    told: list[str] = []
    for p in _temporaries(root):
        p.unlink(missing_ok=True)
    archive = root / ARCHIVE
    if archive.is_dir():
        for d in sorted(archive.iterdir()):
            if not d.is_dir() or not d.name.startswith("."):
                continue
            if d.name.endswith(OLD_SUFFIX):
                month = month_of(d.name[1 : -len(OLD_SUFFIX)])
                target = archive / month if month else None
                if target is not None and not target.exists():
                    os.replace(d, target)
                    told.append(
                        f"restored {ARCHIVE}/{month}/, which a killed run left half swapped"
                    )
                    continue
                shutil.rmtree(d, ignore_errors=True)
            elif d.name.endswith(STAGING_SUFFIX) or d.name.startswith(IMPORT_PREFIX):
                shutil.rmtree(d, ignore_errors=True)
    repo = Repo(root)
    if repo.git_dir.is_dir():
        for lock in repo.clear_stale_locks():
            told.append(
                f"removed {lock.relative_to(root).as_posix()}, left by a git that was killed"
            )
    for line in told:
        say(line)
    return told
