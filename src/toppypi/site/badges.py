"""Rank badges: ``badges/<name>.json`` for Shields' endpoint and a static ``badges/<name>.svg``.

The SVG needs no third party: it is drawn here in Shields' flat style, its
width estimated from per-character advances (DejaVu Sans at 11 px, the metric
twin of Verdana that Shields measures with), and ``textLength`` pins the text
to that width whatever font the viewer has. Every text is XML-escaped.

A project that leaves the list keeps its badge, rewritten as "unranked", so a
README embedding it never shows a broken image.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import escape

from toppypi.site.data import shown

BADGES = "badges"
LABEL = "PyPI rank"
UNRANKED = "unranked"
CACHE_SECONDS = 86_400  # the list changes monthly; Shields may keep it a day
# Normalised PEP 503 names only: anything else is no PyPI project and gets no file.
KEY = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?")
# (best rank of the tier, Shields colour name, its hex value)
TIERS = (
    (100, "brightgreen", "#4c1"),
    (1_000, "green", "#97ca00"),
    (5_000, "yellowgreen", "#a4a61d"),
    (None, "blue", "#007ec6"),
)
GREY = ("lightgrey", "#9f9f9f")

# Advance widths in px of ASCII 32..126, DejaVu Sans 11 px.
_WIDTHS = (
    3.5, 4.4, 5.1, 9.2, 7.0, 10.5, 8.6, 3.0, 4.3, 4.3, 5.5, 9.2, 3.5, 4.0, 3.5, 3.7,
    7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 3.7, 3.7, 9.2, 9.2, 9.2, 5.8,
    11.0, 7.5, 7.5, 7.7, 8.5, 7.0, 6.3, 8.5, 8.3, 3.2, 3.2, 7.2, 6.1, 9.5, 8.2, 8.7,
    6.6, 8.7, 7.6, 7.0, 6.7, 8.1, 7.5, 10.9, 7.5, 6.7, 7.5, 4.3, 3.7, 4.3, 9.2, 5.5,
    5.5, 6.7, 7.0, 6.0, 7.0, 6.8, 3.9, 7.0, 7.0, 3.1, 3.1, 6.4, 3.1, 10.7, 7.0, 6.7,
    7.0, 7.0, 4.5, 5.7, 4.3, 7.0, 6.5, 9.0, 6.5, 6.5, 5.8, 7.0, 3.7, 7.0, 9.2,
)  # fmt: skip
_WIDE = 11.0  # anything outside ASCII: as wide as the widest ASCII letter
# Characters XML 1.0 does not allow at all; escaping cannot save them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_width(text: str) -> float:
    return sum(_WIDTHS[ord(c) - 32] if 32 <= ord(c) < 127 else _WIDE for c in text)


def tier(rank: int | None) -> tuple[str, str]:
    """Shields colour name and hex for a rank; grey when unranked."""
    if rank is None:
        return GREY
    for best, name, hexa in TIERS:
        if best is None or rank <= best:
            return name, hexa
    raise AssertionError("the last tier takes every rank")


def message(rank: int | None) -> str:
    return UNRANKED if rank is None else f"#{rank:,}"


def endpoint_json(rank: int | None) -> bytes:
    """Shields' endpoint schema (https://shields.io/badges/endpoint-badge); no name in it."""
    obj = {
        "schemaVersion": 1,
        "label": LABEL,
        "message": message(rank),
        "color": tier(rank)[0],
        "cacheSeconds": CACHE_SECONDS,
    }
    return (json.dumps(obj, separators=(",", ":")) + "\n").encode()


def _xml(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text), {'"': "&quot;", "'": "&#39;"})


def badge_svg(label: str, value: str, color: str, title: str) -> bytes:
    """A flat badge, ``label`` on grey and ``value`` on ``color``; ``title`` is its tooltip.

    Kept to about 600 bytes: 15,000 of them live in the dataset's repository.
    """
    lt, vt = round(text_width(label), 1), round(text_width(value), 1)
    lw, vw = round(lt) + 10, round(vt) + 10
    w = lw + vw
    label, value = _xml(label), _xml(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" '
        f'aria-label="{label}: {value}"><title>{_xml(title)}</title>'
        f'<clipPath id="r"><rect width="{w}" height="20" rx="3"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{vw}" height="20" fill="{color}"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{lw / 2:g}" y="14" textLength="{lt:g}">{label}</text>'
        f'<text x="{lw + vw / 2:g}" y="14" textLength="{vt:g}">{value}</text></g></svg>\n'
    ).encode()


def rank_svg(name: str, rank: int | None) -> bytes:
    """No date in it: a month that leaves the rank as it was leaves the file as it was."""
    what = f"#{rank:,} by downloads on PyPI" if rank is not None else "not in the latest list"
    return badge_svg(LABEL, message(rank), tier(rank)[1], f"{shown(name)}: {what}")


def existing_keys(root: Path) -> set[str]:
    """Projects that already have a badge: they keep one, ranked or not."""
    folder = root / BADGES
    if not folder.is_dir():
        return set()
    return {
        p.stem
        for p in folder.iterdir()
        if p.suffix in (".json", ".svg") and KEY.fullmatch(p.stem) and p.is_file()
    }


def badge_files(ranked: list[tuple[str, str, int]], keep: set[str]) -> dict[str, bytes]:
    """``{relative path: bytes}`` for every ranked project, and "unranked" for ``keep``'s rest.

    ``ranked`` holds (key, display name, rank); keys that are no normalised
    project name (the data may hold anything) get no file.
    """
    files: dict[str, bytes] = {}
    for key, name, rank in ranked:
        if KEY.fullmatch(key) and f"{BADGES}/{key}.json" not in files:
            files[f"{BADGES}/{key}.json"] = endpoint_json(rank)
            files[f"{BADGES}/{key}.svg"] = rank_svg(name, rank)
    for key in sorted(keep):
        if f"{BADGES}/{key}.json" not in files and KEY.fullmatch(key):
            files[f"{BADGES}/{key}.json"] = endpoint_json(None)
            files[f"{BADGES}/{key}.svg"] = rank_svg(key, None)
    return files
