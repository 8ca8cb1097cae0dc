"""Screenshots of the site for the README: index, movers, project and archive pages.

    uv run python docs/make_screenshots.py [--dataset DIR | --history DIR | --demo]

By default it imports the published history (../shared/data/top-pypi-history,
260 snapshots since 2018) into a temporary dataset, so the project page shows
eight years; --demo builds the offline demo instead. Desktop and phone; the
PNGs are cropped to the first screenful and palette-quantised to stay small.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

from toppypi.atomic import atomic_write
from toppypi.dataset import Dataset
from toppypi.operations.site import build as build_site
from toppypi.site.serve import launch_chromium, serving

OUT = Path(__file__).resolve().parent
SHARED = OUT.parents[1] / "shared/data/top-pypi-history"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def small_png(png: bytes, path: Path) -> None:
    """A 128-colour palette keeps text, lines and the up/down colours at a fraction of the size."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    img.quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(out, "PNG", optimize=True)
    atomic_write(path, out.getvalue())


def shoot(root: Path) -> list[Path]:
    build_site(Dataset(root))
    ds = Dataset(root)
    # A project from the middle of the top 100 moves more than the #1 does.
    top = ds.load(ds.months()[-1]).rows[40].project
    pages = {
        "index": "index.html",
        "movers": "movers.html",
        "project": f"project.html?p={quote(top)}",
        "archive": "archive.html",
    }
    written = []
    with serving(root) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        for label, (w, h) in WIDTHS.items():
            page = browser.new_page(viewport={"width": w, "height": h}, device_scale_factor=1)
            for name, rel in pages.items():
                page.goto(url + rel)
                page.wait_for_load_state("networkidle")
                if name == "project":
                    page.wait_for_selector("#project[data-shown]")
                path = OUT / f"site-{name}-{label}.png"
                small_png(page.screenshot(), path)
                written.append(path)
            page.close()
        browser.close()
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=Path, help="a dataset directory with archive/")
    ap.add_argument("--history", type=Path, default=SHARED, help="published history to import")
    ap.add_argument("--demo", action="store_true", help="the offline demo instead")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.dataset
        if root is None and not args.demo and args.history.is_dir():
            root = Path(tmp)
            cmd = [sys.executable, "-m", "toppypi", "history", "import", str(args.history)]
            subprocess.run([*cmd, "--dataset", str(root)], check=True, capture_output=True)
        elif root is None:
            from toppypi.demo import run_demo

            root = Path(tmp)
            run_demo(root, months=6, events_per_month=300_000)
        paths = shoot(root)
    for p in paths:
        print(f"{p.relative_to(OUT.parent)}  {p.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
