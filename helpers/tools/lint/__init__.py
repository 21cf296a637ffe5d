"""``python -m helpers lint``: revision files checked against the rules for safe migrations, without a database.

``run`` finds the files and orders the history; the readers, ``revision`` (a revision's Python: the
operations, the tables each one touches) and ``sql`` (the SQL it runs, with pglast), tell the ``scope`` what
the revision does, and the scope decides the findings; ``squawk`` runs squawk on the offline SQL; ``rules`` is
the rule table and ``output`` prints the findings (text, JSON, GitHub, SARIF). A rule id is named in ``rules``
and ``scope`` only: a new rule goes in the table, its decision in the scope.

Imports the core, ``helpers.tools.errors`` and the shared pieces, never ``rehearse`` or ``schema``.
"""
