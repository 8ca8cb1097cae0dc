"""The kept history: every published snapshot, imported once, filed in ``archive/``.

``archive/`` stays the source of truth; the DuckDB index under ``.toppypi/`` is
derived from it and rebuilt whenever the archive changes.
"""
