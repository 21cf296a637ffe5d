"""``python -m helpers rehearse``: a history run up and down on a copy of the database, traced.

``copying`` makes the copy (a clone or a dump: the choice is made there); ``run`` runs the revisions on it
(``Options``: how, given once); ``trace`` watches each statement (locks, rewrites, time); ``report`` prints
the result. Imports the core, ``helpers.tools.errors`` and the shared pieces, never
``lint`` or ``schema``. ``rehearse`` and ``Rehearsal`` are its Python API, importable from here.
"""

from .run import Rehearsal, rehearse

__all__ = ["Rehearsal", "rehearse"]
