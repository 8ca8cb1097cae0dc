"""PEP 440 version filters, evaluated with ``packaging`` rather than SQL patterns.

Engines cannot evaluate ``~=1.4`` or ``>=2,<3`` in SQL faithfully, so they
first list the project's versions in the period, keep the ones the specifier
admits, and bind that list as a parameter. Even a lone ``==X`` is listed:
PEP 440 equality is not string equality (``==1.0`` admits ``1.0.0`` and
``1.0+local``), so binding ``X`` itself would miss downloads.
"""

from __future__ import annotations

from collections.abc import Iterable

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version


def matching_versions(versions: Iterable[str | None], spec: SpecifierSet) -> list[str]:
    """The versions ``spec`` admits, pre-releases included, sorted; invalid ones are skipped."""
    out: set[str] = set()
    for v in versions:
        if not v:
            continue
        try:
            parsed = Version(v)
        except InvalidVersion:
            continue
        if spec.contains(parsed, prereleases=True):
            out.add(v)
    return sorted(out)
