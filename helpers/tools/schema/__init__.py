"""``python -m helpers compare``, ``stamp`` and ``identify``: a database's schema against the one a revision builds.

``compare`` (and the guarded ``stamp``) builds the expected schema on a scratch database and reads the
differences; ``identify`` finds the revision the schema matches; ``build`` is what both use (the scratch
database revisions are built in, the differences as lines). Imports the core, ``helpers.tools.errors``,
``helpers.tools.history`` and the shared pieces, never ``lint`` or ``rehearse``.
"""
