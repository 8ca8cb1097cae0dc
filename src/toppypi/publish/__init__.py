"""Publishing a dataset repo: ``toppypi init`` and ``toppypi update --publish``.

``release.publish`` runs the monthly job and then commits, tags ``YYYY.MM`` and
pushes, in steps that each detect whether they already happened, so that a
rerun after a crash finishes the job instead of repeating it.
"""
