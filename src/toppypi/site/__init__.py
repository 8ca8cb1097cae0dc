"""The static site built from ``archive/``.

Rendering is pure: ``site.build.site_files`` returns every page, data file and
badge as bytes by path, and the dataset writes them (``toppypi.operations.site``).
The pages are plain HTML (the top 100 need no JavaScript); the longer lists and
the project history (every snapshot of both windows) load compact data files
written next to them, and ``badges/`` holds a rank badge per listed project.
"""
