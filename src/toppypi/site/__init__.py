"""The static site built from ``archive/``.

The pages are plain HTML (the top 100 need no JavaScript); the longer lists and
the project history load compact data files written next to them. Rendering
is pure: ``site.build.site_files`` returns bytes by path, and the dataset
writes them (``toppypi.operations.site``).
"""
