"""``python -m helpers lint``: revision files checked against the rules for safe migrations, without a database.

``run`` finds the files and orders the history; ``revision`` reads a revision's Python (the operations, the
tables each one touches) into a ``scope``; ``sql`` reads the SQL it runs (pglast); ``squawk`` runs squawk on
the offline SQL; ``rules`` is the rule table and ``output`` prints the findings (text, JSON, GitHub, SARIF).

Imports the core, ``helpers.tools.errors`` and the shared pieces, never ``rehearse`` or ``schema``.
"""
