"""``python -m helpers``: the commands that run around a team's migrations, never inside one.

Rooms, one per family of commands, each importing the core (``helpers``), :mod:`.errors`, the shared pieces
and itself, never another family (``tests/test_layering.py``):

- ``cli`` parses the arguments and calls one family per command; ``explain`` (offline, from the failure
  catalog) and ``history`` (reading what ``helpers.history`` records) stand beside it.
- ``lint/``: ``lint``, revision files checked against the rules, without a database.
- ``rehearse/``: ``rehearse``, a history run up and down on a copy, traced, and its report.
- ``schema/``: ``compare``, ``stamp`` and ``identify``, a database's schema against the one a revision builds.
- ``shared/``: what more than one family needs: Alembic through the project's env.py (``running``, which
  tells each revision started, applied or failed as a ``RevisionEvent``), URLs and engines (``database``,
  ``disposed_engine``), the project's revisions (``scripts``), scratch copies (``scratch``, made with
  ``dumps`` and ``servers``) and the schema read from the catalog (``snapshot``).
- ``errors``: ``BadInputError``, the commands' one error (exit status 2).

This package imports the migration-time core (``helpers``); the core never imports it, so a
migration that does ``from helpers import MigrationContext`` loads none of this.
"""
