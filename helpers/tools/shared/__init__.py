"""What more than one command family needs: ``running`` (Alembic through a project's own env.py),
``database`` (URLs, engines), ``scripts`` (the project's alembic.ini and revisions), ``scratch`` (scratch
copies, made with ``dumps`` and ``servers``), ``snapshot`` (a schema read from the catalog).

Imports the core and ``helpers.tools.errors`` only, never a family (``lint``, ``rehearse``, ``schema``).
"""
