"""Helpers for releasing a dataset repo: git, notes, citation files, sums, settings.

The steps themselves (``toppypi init``, ``update --publish``) are library
operations in ``toppypi.operations``; these modules hold no workflow.
"""
