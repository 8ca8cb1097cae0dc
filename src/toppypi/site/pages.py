"""The site's pages, rendered from :class:`SiteData` with autoescaping Jinja templates.

Each function returns ``{relative path: bytes}``; writing is the builder's job.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from toppypi.formats import DumpFormat, dump_name
from toppypi.movers import Movers, compare
from toppypi.site.data import PROJECT_SHARDS, Month, MonthRow, SiteData, shown
from toppypi.site.series import Gap, History, Marker, Snap
from toppypi.site.svg import spark_path

if TYPE_CHECKING:
    import jinja2

TOP = 100  # rows rendered on the server: the view that works without JavaScript
MOVERS_LISTED = 50
MOVERS_WITHIN = 1000
DUMP_LABELS = {
    DumpFormat.JSON: "JSON",
    DumpFormat.MIN_JSON: "min JSON",
    DumpFormat.CSV: "CSV",
    DumpFormat.PARQUET: "Parquet",
}


def environment(css: str) -> jinja2.Environment:
    """Templates with autoescaping; ``css`` is inlined so the first paint needs one request."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("toppypi.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda n: "" if n is None else f"{n:,}"
    # Quote every reserved character: a name must never add a path segment or a query.
    env.filters["urlpart"] = lambda s: quote(str(s), safe="")
    env.filters["spark_path"] = spark_path
    env.filters["shown"] = shown
    env.globals["style"] = Markup(css)  # our own stylesheet, shipped in the package
    # The CSP allows exactly this stylesheet and nothing inline besides.
    env.globals["style_hash"] = "sha256-" + base64.b64encode(
        hashlib.sha256(css.encode("utf-8")).digest()
    ).decode("ascii")
    env.filters["signed"] = lambda n: f"{n:+,}"
    env.filters["pct"] = lambda x: "" if x is None else f"{x:+.0f}%"
    env.filters["share"] = lambda x: f"{100 * x:.1f}%"
    return env


def _render(env: jinja2.Environment, template: str, **context: Any) -> bytes:
    return env.get_template(template).render(**context).encode("utf-8")


def _month_pages(
    env: jinja2.Environment,
    template: str,
    m: Month,
    *,
    latest: bool,
    title: str,
    nav: str,
    context: Callable[[str, bool], dict[str, Any]],
) -> dict[str, bytes]:
    """A month's page at ``month/M/<template>``, and at the root too for the latest month."""
    places = [(f"month/{m.month}/{template}", "../../", False)]
    if latest:
        places.insert(0, (template, "", True))
    return {
        path: _render(
            env,
            template,
            title=title,
            base=base,
            nav=nav if is_latest else "archive",
            m=m,
            is_latest=is_latest,
            **context(base, is_latest),
        )
        for path, base, is_latest in places
    }


def month_page(
    env: jinja2.Environment,
    data: SiteData,
    m: Month,
    rows: list[MonthRow],
    *,
    latest: bool,
    title: str,
) -> dict[str, bytes]:
    """The month view: ``index.html`` for the latest month, ``month/M/index.html`` for each."""
    names = [x.month for x in data.months]
    i = names.index(m.month)

    def context(base: str, is_latest: bool) -> dict[str, Any]:
        # archive/M/, never the root's copies: the site is built from archive/ alone, and
        # an imported history has no root dumps (the links would be 404s).
        dumps = [
            (label, f"{base}archive/{m.month}/{dump_name(f)}")
            for f, label in DUMP_LABELS.items()
            if dump_name(f) in m.files
        ]
        if m.provenance:  # how the month was made: engine, SQL, period, freshness, cost
            dumps.append(("provenance", f"{base}archive/{m.month}/provenance.json"))
        dumps.append(("archive", base + "archive.html"))
        return {
            "rows": rows[:TOP],
            "total": len(rows),
            "has_previous": m.previous is not None,
            "next_month": names[i + 1] if i + 1 < len(names) else None,
            "movers_href": base + ("movers.html" if is_latest else f"month/{m.month}/movers.html"),
            "dumps": dumps,
        }

    return _month_pages(
        env, "index.html", m, latest=latest, title=title, nav="top", context=context
    )


def movers_in(data: SiteData, m: Month) -> Movers | None:
    """Movers for the site: climbers and fallers among the top 1,000, where moves mean most.

    Across all 15,000 the biggest rank changes are always in the long tail,
    where a few thousand downloads move a project thousands of places.
    """
    if m.previous is None:
        return None
    every = compare(data.month(m.previous).snapshot, m.snapshot, top=len(m.snapshot))
    every.climbers = [x for x in every.climbers if (x.rank or 0) <= MOVERS_WITHIN][:MOVERS_LISTED]
    every.fallers = [x for x in every.fallers if (x.previous_rank or 0) <= MOVERS_WITHIN][
        :MOVERS_LISTED
    ]
    return every


def movers_page(
    env: jinja2.Environment, data: SiteData, m: Month, *, latest: bool, title: str
) -> dict[str, bytes]:
    mv = movers_in(data, m)

    def context(base: str, is_latest: bool) -> dict[str, Any]:
        return {
            "mv": mv,
            "total": len(m.snapshot),
            "limit": MOVERS_LISTED,
            "within": MOVERS_WITHIN,
            "month_href": base + ("index.html" if is_latest else f"month/{m.month}/index.html"),
        }

    return _month_pages(
        env, "movers.html", m, latest=latest, title=title, nav="movers", context=context
    )


def archive_rows(hist: History, window: int) -> list[tuple[str, Snap | Marker | Gap]]:
    """One window's snapshots newest first, each methodology change and gap where it falls."""
    by_index: dict[int, list[tuple[str, Snap | Marker | Gap]]] = {}
    for mk in hist.markers:
        if mk.window == window:
            by_index.setdefault(mk.index, []).append(("marker", mk))
    for g in hist.gaps:
        if g.window == window:
            by_index.setdefault(g.after, []).append(("gap", g))
    out: list[tuple[str, Snap | Marker | Gap]] = []
    for snap in reversed(hist.window(window)):
        out.append(("snap", snap))
        out.extend(by_index.get(snap.index, []))  # between it and the one before it
    return out


def archive_page(
    env: jinja2.Environment, data: SiteData, hist: History, *, title: str
) -> dict[str, bytes]:
    """Every archived snapshot of every window, with links to what is published for each."""
    quality = {m.month: m.quality for m in data.months}
    windows = sorted({s.window for s in hist.snaps})
    return {
        "archive.html": _render(
            env,
            "archive.html",
            title=title,
            base="",
            nav="archive",
            windows=[(w, len(hist.window(w)), archive_rows(hist, w)) for w in windows],
            quality=quality,
            snaps=hist.snaps,
        )
    }


def project_page(env: jinja2.Environment, data: SiteData, *, title: str) -> dict[str, bytes]:
    latest = data.latest
    return {
        "project.html": _render(
            env,
            "project.html",
            title=title,
            base="",
            nav="project",
            shards=PROJECT_SHARDS,
            latest=latest.month,
            examples=list(latest.snapshot.projects[:10]),
        )
    }
