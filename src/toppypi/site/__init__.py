"""The static site built from ``archive/``.

``build_site`` is the one entry point ``update``, ``demo`` and publishing call.
"""

from __future__ import annotations

from pathlib import Path

from toppypi.atomic import atomic_write
from toppypi.dataset import Dataset


def build_site(root: Path, *, top: int = 100) -> list[Path]:
    """Write the site into the dataset ``root``; returns the files written."""
    import jinja2

    ds = Dataset(root)
    months = ds.months()
    if not months:
        return []
    snap = ds.load(months[-1])
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("toppypi.site", "templates"), autoescape=True
    )
    html = env.get_template("index_min.html").render(
        title="Top PyPI packages",
        period=months[-1],
        source=snap.source,
        last_update=snap.last_update_text,
        rows=snap.rows[:top],
    )
    path = root / "index.html"
    atomic_write(path, html.encode())
    return [path]
