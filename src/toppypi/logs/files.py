"""Which requested paths are distribution files, and of which project and version.

A download is counted by the file it fetched. The file fields come from the
file name, as PyPI's own ``file.project`` / ``file.version`` / ``file.type``
would: sdists through ``packaging``'s ``parse_sdist_filename``, wheels by the
same rules as its ``parse_wheel_filename`` less the tag parsing (the most of
its cost, and nothing a count needs); the legacy binary formats
(egg, wininst ``.exe``, ``.msi``, ``.rpm``, ``.dmg``) by their naming rules.
The URL layout says whether a path is an index's file link at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from packaging.utils import (
    InvalidSdistFilename,
    canonicalize_name,
    parse_sdist_filename,
)
from packaging.version import InvalidVersion, Version

# The file links of the index servers people run (suffixes: any mount prefix works).
LAYOUTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # PyPI and its mirrors (bandersnatch, Artifactory/Nexus remotes): /packages/xx/yy/<hash>/f
    # and the legacy /packages/source/f/foo/f.
    ("pypi", re.compile(r"/packages/[^/]+/[^/]+/[^/]+/[^/]+\Z")),
    # pypiserver: /packages/f
    ("pypiserver", re.compile(r"/packages/[^/]+\Z")),
    # devpi: /<user>/<index>/+f/<h>/<h>/f
    ("devpi", re.compile(r"/\+f/[^/]+/[^/]+/[^/]+\Z")),
)

_WHEEL_NAME = re.compile(r"^[\w\d._]*\Z", re.UNICODE)
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z", re.IGNORECASE)
_WININST = re.compile(
    r"^(?P<name>.+?)-(?P<version>[^-]+?)\."
    r"(?:win32|win-amd64|win-arm64|win-arm32|linux-[^.-]+|macosx-[^-]+-[^.-]+)"
    r"(?:-py\d+(?:\.\d+)?)?\.(?:exe|msi)\Z",
    re.IGNORECASE,
)
_RPM = re.compile(r"^(?P<name>.+)-(?P<version>[^-]+)-[^-]+\.[^.]+\.rpm\Z", re.IGNORECASE)
_EGG = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)(?:-py\d+(?:\.\d+)?(?:-.+)?)?\.egg\Z")
_DMG = re.compile(r"^(?P<name>.+?)-(?P<version>[^-]+?)(?:-[^-]+)*\.dmg\Z", re.IGNORECASE)
_LEGACY_SDIST = re.compile(
    r"^(?P<name>.+)-(?P<version>[^-]+)\.(?:tar\.bz2|tar\.xz|tgz|tar|tar\.Z)\Z", re.IGNORECASE
)


@dataclass(frozen=True)
class DistFile:
    """BigQuery's ``file`` struct for one file name."""

    filename: str
    project: str
    version: str
    type: str


@lru_cache(maxsize=65536)
def _version(text: str) -> str:
    """The normalised version; raises InvalidVersion."""
    return str(Version(text))


@lru_cache(maxsize=65536)
def _canonical(name: str) -> str:
    """``canonicalize_name``, once per distinct name (a project has many files)."""
    return str(canonicalize_name(name))


def _named(name: str, version: str, filename: str, kind: str) -> DistFile | None:
    if not _NAME.match(name):
        return None
    try:
        return DistFile(filename, canonicalize_name(name), _version(version), kind)
    except InvalidVersion:
        return None


@lru_cache(maxsize=65536)
def parse_filename(filename: str) -> DistFile | None:
    """The file fields of a distribution file name, or None for anything else.

    Never raises: any text that is not a well-formed distribution file name
    (an index page, a ``.metadata`` file, a signature) is simply not one.
    """
    lower = filename.lower()
    try:
        if lower.endswith(".whl"):
            # packaging's rules for the name and version; the tags (most of its
            # cost, and nothing a download count needs) are checked for shape only.
            parts = filename[:-4].split("-")
            if len(parts) not in (5, 6) or not all(parts[-3:]):
                return None
            if "__" in parts[0] or not _WHEEL_NAME.match(parts[0]):  # packaging's rule
                return None
            name, version = _canonical(parts[0]), _version(parts[1])
            return DistFile(filename, name, version, "bdist_wheel")
        if lower.endswith((".tar.gz", ".zip")):
            sname, sversion = parse_sdist_filename(filename)
            return DistFile(filename, str(sname), str(sversion), "sdist")
    except (InvalidSdistFilename, InvalidVersion):
        return None
    for pattern, kind in (
        (_LEGACY_SDIST, "sdist"),
        (_EGG, "bdist_egg"),
        (_RPM, "bdist_rpm"),
        (_DMG, "bdist_dmg"),
    ):
        m = pattern.match(filename)
        if m:
            return _named(m["name"].replace("_", "-"), m["version"], filename, kind)
    m = _WININST.match(filename)
    if m:
        kind = "bdist_msi" if lower.endswith(".msi") else "bdist_wininst"
        return _named(m["name"], m["version"], filename, kind)
    return None


def url_path(target: str) -> str:
    """The path of a request target: no scheme and host, no query or fragment."""
    if "?" not in target and "#" not in target and ":" not in target:
        return target  # the usual case
    if "://" in target[:12]:
        rest = target.split("://", 1)[1]
        slash = rest.find("/")
        target = rest[slash:] if slash >= 0 else "/"
    for sep in ("?", "#"):
        cut = target.find(sep)
        if cut >= 0:
            target = target[:cut]
    return target


def layout_of(path: str) -> str | None:
    """The index layout whose file link ``path`` is, if any: what the first of
    :data:`LAYOUTS` to match says, decided by path segments (no regex search)."""
    segs = path.split("/")
    n = len(segs)
    if n >= 6 and segs[-5] == "packages" and all(segs[-4:]):
        return "pypi"
    if n >= 3 and segs[-2] == "packages" and segs[-1]:
        return "pypiserver"
    if n >= 5 and segs[-4] == "+f" and all(segs[-3:]):
        return "devpi"
    return None


@dataclass(frozen=True)
class Target:
    """What one requested path is: a distribution file (and via which layout), or not."""

    file: DistFile | None
    layout: str | None  # "pypi", "pypiserver", "devpi", "prefix", or None (unknown)


def classify_target(target: str, prefixes: tuple[str, ...] = ()) -> Target:
    """Classify a request target; percent-escapes in the file name are decoded."""
    path = url_path(target)
    raw = path[path.rfind("/") + 1 :]
    if not raw:  # a directory: an index page
        return _NOT_FILE
    dist = parse_filename(unquote(raw, errors="replace") if "%" in raw else raw)
    if dist is None:
        return _NOT_FILE
    if prefixes and any(path.startswith(p) for p in prefixes):
        return Target(dist, "prefix")
    return Target(dist, layout_of(path))


_NOT_FILE = Target(None, None)
