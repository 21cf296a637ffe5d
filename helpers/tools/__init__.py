"""``python -m helpers``: the commands that run around a team's migrations, never inside one.

``cli`` parses the arguments and calls, one way down: ``rehearse`` (tracing with ``trace``, printed
by ``rehearsal_report``), ``compare`` and the guarded stamp (with ``schema``), and ``history``
(reading what ``helpers.history`` records). Below them: ``scratch`` (scratch databases, made with
``dumps`` and ``servers``), ``running`` (Alembic through the project's own env.py), ``scripts``
(the project's alembic.ini and revisions) and ``database`` (URLs and engines).

This package imports the migration-time core (``helpers``); the core never imports it, so a
migration that does ``from helpers import MigrationContext`` loads none of this.
"""
