"""``python -m helpers fleet``: one Alembic project rolled out to many databases, or many schemas of one.

``targets`` reads the list (a file, a query against a control database, or the schemas of one
database matching a pattern); ``status`` reads each target's own ``alembic_version`` and attempt
ledger, many at once; ``worker`` is one target's run, in a worker process (one Alembic run per
process at a time: Alembic's context is module level), under an advisory lock per target;
``rollout`` hands the runs to a ``concurrent.futures.Executor`` (a local process pool, or a Dask
cluster's through ``executors``) in waves with a stop policy; ``rollback`` finds what a rollout moved
in the ledgers; ``rehearsals`` rehearses a sample; ``report`` prints the outcome; ``command`` is the
command line's side.

The truth is kept in each target, never here: a rerun after the coordinator died goes on where the
targets are. May import the core (``helpers``), ``..errors`` and the shared pieces (``shared/``:
``running``, ``database``, ``scripts``); never another family (``lint/``, ``rehearse/``, ``schema/``):
``rehearsals`` runs ``python -m helpers rehearse`` as a process of its own.
"""
