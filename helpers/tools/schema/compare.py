"""Is the database what revision REV builds? ``compare`` answers; ``checked_stamp`` stamps only on yes.

``compare`` builds REV in an empty scratch database through the project's own env.py (on the same
server, or with ``throwaway`` on a throwaway server of the same major), drops it, and compares
the live database's whole schema with it (``shared/snapshot.py``). Where the revisions build on a schema
made outside them (an application's ``metadata.create_all()``), ``seed`` makes it first
(``scratch.Seed``: a SQL file or a function). The live database is only read.
``checked_stamp`` runs that comparison first and runs ``alembic stamp REV`` (through env.py, so
the attempt history records it) only when there is no difference, or with ``force``, which the
history then says.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import URL

from ...diagnosis import diagnose
from ...history import NOTE, TABLE, current_heads
from .. import history
from ..errors import BadInputError
from ..shared import scratch, snapshot
from ..shared.database import connected, database_url, read_only
from ..shared.running import run
from ..shared.scripts import load_scripts, resolve
from .build import difference_lines, empty_scratch


@dataclass
class Comparison:
    """The live schema against what ``revision`` builds; ``same`` when nothing differs."""

    revision: str
    database: str
    built_on: str
    seconds: float
    differences: list[snapshot.Difference]
    ignored: list[str] = field(default_factory=list)
    seed: str | None = None

    @property
    def same(self) -> bool:
        return not self.differences

    def as_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "database": self.database,
            "same": self.same,
            "built_on": self.built_on,
            "seconds": self.seconds,
            "seed": self.seed,
            "ignored": self.ignored,
            "differences": [
                {"object": d.group, "what": d.label, "revision_has": d.expected, "database_has": d.actual}
                for d in self.differences
            ],
        }


def compare(
    ini: str | Path | None = None,
    url: str | None = None,
    revision: str = "head",
    *,
    ignore: Sequence[str] = (),
    throwaway: bool = False,
    seed: str | os.PathLike[str] | None = None,
) -> Comparison:
    """Compare the database at ``url`` with what ``revision`` of the project at ``ini`` builds.

    ``ignore``: shell-style patterns (``legacy_*``, ``audit.*``) for objects no migration manages.
    ``seed``: the schema the revisions build on, made in the scratch database first: a SQL file, or
    ``module:function`` (``scratch.seed_from``). Raises ``BadInputError`` for an unknown revision, an
    unusable URL or seed, a server that does not answer, or a scratch database that cannot be created.
    """
    scripts = load_scripts(ini)
    resolve(scripts, revision)
    planted = scratch.seed_from(seed, scripts) if seed is not None else None
    source = database_url(url)
    made = empty_scratch(source, throwaway, seed=planted)
    try:
        version_table = "alembic_version"
        built_in = 0.0
        if revision != "base":
            built = run(scripts, made.url_for(source), "upgrade", revision)
            if built.error is not None:
                raise BadInputError(
                    f"Revision {revision} cannot be built in {scratch.build_failure(built.error, planted)}."
                )
            version_table = str(built.configure.get("version_table") or version_table)
            built_in = built.seconds
        excluded = {*snapshot.BOOKKEEPING_TABLES, version_table}
        with connected(made.url) as conn:
            expected = snapshot.read(conn, excluded)
    finally:
        made.drop()
    with read_only(source) as conn:
        actual = snapshot.read(conn, excluded)
    found = snapshot.differences(expected.without(ignore), actual.without(ignore))
    return Comparison(revision, str(source.database), made.describe(str(source.database)), made.seconds + built_in,
                      found, list(ignore), None if planted is None else planted.named)


def lines(comparison: Comparison) -> list[str]:
    """The differences grouped by object, each as "revision REV has ... / the database has ...", a verdict last."""
    c = comparison
    out = [f"Built revision {c.revision} in {c.built_on} in {c.seconds:.3f}s."]
    if c.ignored:
        out.append(f"Ignoring: {', '.join(c.ignored)}")
    out += difference_lines(c.differences, c.revision)
    if c.same:
        out.append(f"Same: the database is what revision {c.revision} builds.")
    else:
        objects = len(snapshot.grouped(c.differences))
        out.append(
            f"Different: {len(c.differences)} difference{'s' if len(c.differences) != 1 else ''} in {objects} "
            f"object{'s' if objects != 1 else ''}; the database is not what revision {c.revision} builds."
        )
    return out


def checked_stamp(
    ini: str | Path | None = None,
    url: str | None = None,
    revision: str = "head",
    *,
    ignore: Sequence[str] = (),
    throwaway: bool = False,
    force: bool = False,
    seed: str | os.PathLike[str] | None = None,
    out: TextIO | None = None,
) -> bool:
    """``alembic stamp REVISION`` only when the database is what it builds (or ``force``); True when stamped.

    Prints the comparison (``compare``, with ``seed``) to ``out``. A refusal changes nothing. A forced
    stamp is recorded as forced in the attempt history (``helpers.history``).
    """
    out = out or sys.stdout
    result = compare(ini, url, revision, ignore=ignore, throwaway=throwaway, seed=seed)
    for line in lines(result):
        print(line, file=out)
    note = None
    if not result.same:
        if not force:
            print(
                f"Refused: alembic_version was not changed. Make the database what revision {revision} builds, "
                "or stamp anyway with --force.",
                file=out,
            )
            return False
        count = len(result.differences)
        plural = "s" if count != 1 else ""
        note = f"forced: stamped {revision} over {count} difference{plural} (python -m helpers stamp --force)"
        print("Stamping anyway (--force).", file=out)
    scripts = load_scripts(ini)
    source = database_url(url)
    with read_only(source) as conn:
        unknown = scripts.unknown(current_heads(conn))
    if unknown:
        print(f"alembic_version holds {', '.join(unknown)}, which this project's scripts do not have: "
              f"replacing it (alembic stamp --purge {revision}).", file=out)
    out.flush()
    done = run(scripts, source, "stamp", revision, capture=False, attributes={NOTE: note} if note else None,
               options={"purge": True} if unknown else None)
    if done.error is not None:
        print("\n".join(diagnose(done.error).lines()), file=out)
        return False
    print(f"Stamped {revision}.", file=out)
    if note:
        print(_forced_record(source, note), file=out)
    return True


def _forced_record(source: URL, note: str) -> str:
    """Whether the attempt history kept the forced stamp: only an env.py that records attempts writes it."""
    attempts = history.read(source.render_as_string(hide_password=False), limit=1)
    if attempts and attempts[-1].note == note:
        return f"The attempt history records it as forced ({TABLE}, attempt {attempts[-1].id})."
    return (
        f"Not recorded as forced: this project's env.py does not record attempts in {TABLE} "
        "(helpers.history.recorded); keep a note of this stamp yourself."
    )
