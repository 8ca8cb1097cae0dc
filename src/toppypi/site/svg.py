"""Inline SVG drawn on the server: no images to fetch, and it works without JavaScript.

The geometry matches ``sparkPath`` in ``site.js`` so rows drawn in the browser
look the same as the top 100 drawn here.
"""

from __future__ import annotations

from toppypi.site.data import SPARK_ALPHABET, SPARK_GAP

SPARK_W = 110  # viewBox width: 12 points, 10 units apart
SPARK_H = 20
SPARK_STEP = 10


def spark_path(levels: str) -> str:
    """An SVG path for a level string; a gap breaks the line, a lone month is a dot."""
    top = len(SPARK_ALPHABET) - 1
    parts: list[str] = []
    pen_down = False
    for i, ch in enumerate(levels):
        if ch == SPARK_GAP:
            pen_down = False
            continue
        x = i * SPARK_STEP
        y = 18 - round(16 * SPARK_ALPHABET.index(ch) / top)
        if pen_down:
            parts.append(f"L{x} {y}")
        else:
            parts.append(f"M{x} {y}h0")
            pen_down = True
    return "".join(parts)
