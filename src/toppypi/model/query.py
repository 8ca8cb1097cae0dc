"""The engine-independent query: what to count, grouped how, filtered how.

Field names are pypinfo's. Filters are structured values, never SQL text:
each engine turns them into bound parameters or validated literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from toppypi.errors import QueryError
from toppypi.model.period import Period

DEFAULT_LIMIT = 15000
MAX_LIMIT = 2**63 - 1


class Field(StrEnum):
    """pypinfo's field names, in pypinfo's order."""

    PROJECT = "project"
    VERSION = "version"
    FILE = "file"
    PYVERSION = "pyversion"
    PERCENT3 = "percent3"
    PERCENT2 = "percent2"
    IMPL = "impl"
    IMPL_VERSION = "impl-version"
    OPENSSL = "openssl"
    DATE = "date"
    MONTH = "month"
    YEAR = "year"
    COUNTRY = "country"
    INSTALLER = "installer"
    INSTALLER_VERSION = "installer-version"
    SETUPTOOLS_VERSION = "setuptools-version"
    SYSTEM = "system"
    SYSTEM_RELEASE = "system-release"
    DISTRO = "distro"
    DISTRO_VERSION = "distro-version"
    CI = "ci"
    CPU = "cpu"
    LIBC = "libc"
    LIBC_VERSION = "libc-version"

    @classmethod
    def parse(cls, name: str) -> Field:
        try:
            return cls(name.strip().lower())
        except ValueError:
            known = ", ".join(f.value for f in cls)
            raise QueryError(f"unknown field {name!r}; known fields: {known}") from None

    @property
    def column(self) -> str:
        """The output column name pypinfo uses for this field."""
        return _OUTPUT_NAMES[self]

    @property
    def is_percent(self) -> bool:
        return self in (Field.PERCENT3, Field.PERCENT2)


_OUTPUT_NAMES: dict[Field, str] = {
    Field.PROJECT: "project",
    Field.VERSION: "version",
    Field.FILE: "file",
    Field.PYVERSION: "python_version",
    Field.PERCENT3: "percent_3",
    Field.PERCENT2: "percent_2",
    Field.IMPL: "implementation",
    Field.IMPL_VERSION: "impl_version",
    Field.OPENSSL: "openssl_version",
    Field.DATE: "download_date",
    Field.MONTH: "download_month",
    Field.YEAR: "download_year",
    Field.COUNTRY: "country",
    Field.INSTALLER: "installer_name",
    Field.INSTALLER_VERSION: "installer_version",
    Field.SETUPTOOLS_VERSION: "setuptools_version",
    Field.SYSTEM: "system_name",
    Field.SYSTEM_RELEASE: "system_release",
    Field.DISTRO: "distro_name",
    Field.DISTRO_VERSION: "distro_version",
    Field.CI: "ci",
    Field.CPU: "cpu",
    Field.LIBC: "libc_name",
    Field.LIBC_VERSION: "libc_version",
}

# Mirrors and bulk fetchers: their downloads are not installs.
MIRROR_INSTALLERS: tuple[str, ...] = ("bandersnatch", "z3c.pypimirror", "Artifactory", "devpi")
KNOWN_INSTALLERS: tuple[str, ...] = (
    "pip",
    "uv",
    "poetry",
    "pdm",
    "requests",
    "setuptools",
    "Browser",
    "bandersnatch",
    "z3c.pypimirror",
    "Artifactory",
    "devpi",
    "OS",
    "conda",
    "pex",
    "Nexus",
    "Homebrew",
)


class InstallerMode(StrEnum):
    ALL = "all"
    ONLY = "only"
    NO_MIRRORS = "no-mirrors"


@dataclass(frozen=True)
class InstallerFilter:
    """Which installers count: all, a named set, or all but the mirrors."""

    mode: InstallerMode = InstallerMode.ALL
    names: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> InstallerFilter:
        """Parse ``all``, ``no-mirrors`` or a comma list such as ``pip,uv``."""
        s = text.strip()
        if s.lower() == "all":
            return cls()
        if s.lower() in ("no-mirrors", "no_mirrors", "nomirrors"):
            return cls(InstallerMode.NO_MIRRORS, MIRROR_INSTALLERS)
        by_lower = {n.lower(): n for n in KNOWN_INSTALLERS}
        names: list[str] = []
        for part in s.split(","):
            key = part.strip().lower()
            if key not in by_lower:
                raise QueryError(
                    f"unknown installer {part.strip()!r}; use all, no-mirrors or a comma list "
                    f"of: {', '.join(KNOWN_INSTALLERS)}"
                )
            if by_lower[key] not in names:
                names.append(by_lower[key])
        return cls(InstallerMode.ONLY, tuple(sorted(names)))

    def __str__(self) -> str:
        if self.mode is InstallerMode.ONLY:
            return ",".join(self.names)
        return self.mode.value

    @property
    def is_all(self) -> bool:
        return self.mode is InstallerMode.ALL


PIP_ONLY = InstallerFilter(InstallerMode.ONLY, ("pip",))


class Op(StrEnum):
    EQ = "="
    NE = "!="
    IN = "IN"


@dataclass(frozen=True)
class Condition:
    """``field op value(s)``; values are plain strings, bound by each engine."""

    field: Field
    op: Op
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.field.is_percent:
            raise QueryError(f"cannot filter on the computed field {self.field.value!r}")
        if not self.values:
            raise QueryError(f"condition on {self.field.value!r} has no value")
        if self.op is not Op.IN and len(self.values) != 1:
            raise QueryError(f"{self.op.value} takes one value")
        object.__setattr__(
            self, "values", tuple(_condition_value(self.field, v) for v in self.values)
        )


_BOOLEANS = {
    "true": "true",
    "1": "true",
    "yes": "true",
    "false": "false",
    "0": "false",
    "no": "false",
}


def _condition_value(fld: Field, value: str) -> str:
    """Canonical text for a filter value, so every engine compares the same thing.

    A project is PEP 503-normalised (``Django`` matches ``django``); ci is a
    boolean written ``true`` or ``false``. Other values are compared as given.
    """
    if fld is Field.PROJECT:
        return canonicalize_name(value)
    if fld is Field.CI:
        try:
            return _BOOLEANS[value.strip().lower()]
        except KeyError:
            raise QueryError(f"ci is true or false, not {value!r}") from None
    return value


_WHERE_RE = re.compile(
    r"^\s*(?P<field>[a-z][a-z0-9-]*)\s*(?:(?P<op>!=|=)\s*(?P<value>.*?)|\s(?i:in)\s+(?P<list>.+?))\s*$"
)
# "country=US OR ci=true": a second condition after OR, which would be read as part of the value.
_OR_CONDITION = re.compile(r"\s(?i:or)\s+[a-z][a-z0-9-]*\s*(?:!=|=|\s(?i:in)\s)")
WHERE_GRAMMAR = "field=value, field!=value or field IN a,b, joined by AND"


def parse_where(text: str) -> tuple[Condition, ...]:
    """Parse ``--where``: conditions joined by ``AND``, never raw SQL."""
    conditions: list[Condition] = []
    if not text.strip():
        return ()
    if re.search(r"(?i)(?:^|\s)and$|^and(?:\s|$)", text.strip()):
        raise QueryError(f"--where {text.strip()!r} has an AND with nothing on one side")
    for part in re.split(r"\s+(?i:and)\s+", text.strip()):
        m = _WHERE_RE.match(part)
        if not m:
            raise QueryError(f"cannot read --where {part.strip()!r}; use {WHERE_GRAMMAR}")
        fld = Field.parse(m.group("field"))
        raw = m.group("list") if m.group("list") is not None else m.group("value")
        if _unquote(raw) == raw.strip() and _OR_CONDITION.search(raw):
            raise QueryError(
                f"cannot read --where {part.strip()!r}: OR is not supported; "
                f"use {WHERE_GRAMMAR} (quote a value that holds ' OR ')"
            )
        if m.group("list") is not None:
            values = tuple(_unquote(v) for v in m.group("list").split(",") if v.strip())
            conditions.append(Condition(fld, Op.IN, values))
        else:
            op = Op.EQ if m.group("op") == "=" else Op.NE
            conditions.append(Condition(fld, op, (_unquote(raw),)))
    return tuple(conditions)


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return v


def normalize_project(name: str) -> str:
    """PEP 503 normalisation; refuses text that is not a project name."""
    n = name.strip()
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", n):
        raise QueryError(f"{name!r} is not a valid project name (PEP 508)")
    return canonicalize_name(n)


def parse_specifier(text: str) -> SpecifierSet:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise QueryError(f"{text!r} is not a valid PEP 440 version specifier") from None


@dataclass(frozen=True)
class Query:
    """What to count over one resolved period."""

    period: Period
    dimensions: tuple[Field, ...] = (Field.PROJECT,)
    project: str | None = None
    version: str | None = None
    installers: InstallerFilter = field(default_factory=InstallerFilter)
    where: tuple[Condition, ...] = ()
    order: Field | None = None
    limit: int | None = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 0:
            raise QueryError(f"limit must be 0 (no limit) or more, not {self.limit}")
        if self.limit is not None and self.limit > MAX_LIMIT:
            # Every engine's LIMIT is a signed 64-bit integer (DuckDB failed with a traceback).
            raise QueryError(f"limit must be at most {MAX_LIMIT} (or 0 for no limit)")
        if self.project is not None:
            object.__setattr__(self, "project", normalize_project(self.project))
        if self.version is not None:
            parse_specifier(self.version)
            if self.project is None:  # a version belongs to one project
                raise QueryError("a version specifier needs a project, e.g. 'pip==21.*'")
        if self.order is not None and self.order not in self.dimensions:
            raise QueryError(f"cannot order by {self.order.value!r}: it is not one of the fields")
        if len(set(self.dimensions)) != len(self.dimensions):
            raise QueryError("a field is named twice")

    @property
    def specifier(self) -> SpecifierSet | None:
        return parse_specifier(self.version) if self.version is not None else None

    @property
    def unlimited(self) -> bool:
        return not self.limit

    def fields_used(self) -> set[Field]:
        """Every field the query reads, for capability checks and planning."""
        used = set(self.dimensions) | {c.field for c in self.where}
        if self.project is not None:
            used.add(Field.PROJECT)
        if self.version is not None:
            used.add(Field.VERSION)
        if not self.installers.is_all:
            used.add(Field.INSTALLER)
        if self.order is not None:
            used.add(self.order)
        return used

    @property
    def group_fields(self) -> tuple[Field, ...]:
        """Dimensions that are grouped on (percent fields are aggregates)."""
        return tuple(d for d in self.dimensions if not d.is_percent)
