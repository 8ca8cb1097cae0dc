"""toppypi: a monthly, trustworthy ranking of PyPI packages by downloads."""

from __future__ import annotations

__version__ = "0.1.0"
