"""Which revision does this database's schema match? ``identify`` answers, whatever ``alembic_version`` says.

It builds the whole history once, in an empty scratch database (as ``compare`` builds one
revision), through the project's own env.py, and reads the schema after each revision, while the
run goes on; each of those schemas, and the empty one (``base``), is compared with the live
database's. One build answers for every revision at once, which bisecting would not: bisecting
needs a question whose answer flips once along the history, and "is it this schema?" is not one
(a later revision may drop what an earlier one added). On a history with branches a state is a
set of heads (``a1d5+b4f8``), as ``alembic_version`` would hold them. Where the revisions build on a
schema made outside them, ``seed`` makes it first (as for ``compare``), and ``base`` is that schema.
The schemas built are kept (``cache``): a second call on the same scripts, ``env.py``, seed and server major
reads them instead of building the history again. The live database is only read.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from ...history import current_heads
from ..shared import scratch, snapshot
from ..shared.database import connected, database_url, read_only, server_major
from ..shared.output import note
from ..shared.running import Hooks, RevisionEvent, run
from ..shared.scripts import Scripts, load_scripts
from . import cache as cached
from .build import difference_lines, empty_scratch

#: Lines of differences printed for the closest revision (a base made outside the revisions differs in hundreds).
_SHOWN = 40


@dataclass(frozen=True)
class State:
    """The schema after a revision was applied: the heads then (empty: base), and how it differs from the database."""

    heads: tuple[str, ...]
    message: str
    differences: list[snapshot.Difference]

    @property
    def name(self) -> str:
        return "+".join(self.heads) or "base"


@dataclass
class Identification:
    """Every state of the history built, each compared with the database; ``matches`` are those equal to it."""

    database: str
    recorded: tuple[str, ...]  # what the database's alembic_version says
    unknown: list[str]  # of those, the revisions the scripts do not have
    built_on: str
    seconds: float
    states: list[State]
    unbuilt: str | None = None  # the revision an empty (or seeded) database cannot be built to, and why
    ignored: list[str] = field(default_factory=list)
    seed: str | None = None
    cache_file: str | None = None  # the entry read or written; None with --no-cache, or when it was not kept
    cached: str | None = None  # when the states read from the cache were built (ISO 8601, UTC); None: built now
    first_seconds: float | None = None  # how long building them took then

    @property
    def matches(self) -> list[State]:
        return [state for state in self.states if not state.differences]

    @property
    def closest(self) -> State | None:
        """The state with the fewest differences (the latest of equals), when none matches."""
        if self.matches or not self.states:
            return None
        return min(reversed(self.states), key=lambda state: len(state.differences))

    def as_json(self) -> dict[str, Any]:
        closest = self.closest
        return {
            "database": self.database,
            "alembic_version": list(self.recorded),
            "unknown_to_the_scripts": self.unknown,
            "matches": [state.name for state in self.matches],
            "closest": None if closest is None else closest.name,
            "differences": [] if closest is None else [
                {"object": d.group, "what": d.label, "revision_has": d.expected, "database_has": d.actual}
                for d in closest.differences
            ],
            "built_on": self.built_on,
            "seconds": self.seconds,
            "revisions_built": len(self.states) - 1,
            "unbuilt": self.unbuilt,
            "seed": self.seed,
            "ignored": self.ignored,
            "cache": None if self.cache_file is None else {
                "file": self.cache_file, "hit": self.cached is not None, "built_at": self.cached,
            },
        }


class _Builder:
    """Reads the scratch database's schema after each revision of the run, on the migration's connection."""

    def __init__(self, excluded: set[str]) -> None:
        self.excluded = excluded
        self.heads: tuple[str, ...] = ()
        self.built: list[tuple[tuple[str, ...], str, snapshot.Schema]] = []
        self.hooks = Hooks(configured=self._configured, applied=self._applied)

    def _configured(self, kwargs: dict[str, Any]) -> None:
        if kwargs.get("version_table"):
            self.excluded.add(str(kwargs["version_table"]))

    def _applied(self, event: RevisionEvent) -> None:
        self.heads = tuple(sorted({*(head for head in self.heads if head not in event.down), event.revision}))
        if event.connection is not None:
            self.built.append((self.heads, event.message, snapshot.read(event.connection, self.excluded)))


def identify(
    ini: str | Path | None = None,
    url: str | None = None,
    *,
    ignore: Sequence[str] = (),
    throwaway: bool = False,
    seed: str | os.PathLike[str] | None = None,
    cache: bool = True,
) -> Identification:
    """Build every revision of the project at ``ini`` and compare each with the database at ``url``.

    ``ignore``: shell-style patterns for objects no migration manages, ``seed``: the schema the revisions
    build on (both as ``compare``). ``cache``: read the schemas built by an earlier call on the same inputs, and
    keep those built now (``helpers.tools.schema.cache``). Raises ``BadInputError`` for an unusable URL or seed,
    a server that does not answer, or a scratch database that cannot be created.
    """
    scripts = load_scripts(ini)
    planted = scratch.seed_from(seed, scripts) if seed is not None else None
    source = database_url(url)
    with read_only(source) as conn:
        recorded = current_heads(conn)
        major = server_major(conn)
    store = _store(scripts, planted, major) if cache else None
    began = time.perf_counter()
    built = store.load() if store is not None else None
    hit = None if built is None else built.made
    unbuilt = None
    if built is None:
        built, unbuilt = _build(scripts, source, throwaway, planted)
        # A history that stopped is not kept (what stopped it may be the server's); nor one that cannot be written.
        if store is not None and (unbuilt is not None or not _kept(store, built)):
            store = None
    seconds = time.perf_counter() - began if hit else built.seconds
    with read_only(source) as conn:
        actual = snapshot.read(conn, built.excluded).without(ignore)
    states = [
        State(heads, message, snapshot.differences(expected.without(ignore), actual))
        for heads, message, expected in built.states
    ]
    return Identification(str(source.database), recorded, scripts.unknown(recorded), built.built_on, seconds,
                          states, unbuilt, list(ignore), None if planted is None else planted.named,
                          None if store is None else str(store.path), hit, built.seconds)


def _store(scripts: Scripts, seed: scratch.Seed | None, major: int) -> cached.Cache | None:
    try:
        return cached.Cache(scripts, seed, major)
    except (OSError, RuntimeError) as exc:  # no home folder, a script file that cannot be read
        note(f"the identify cache is not used: {exc}")
        return None


def _kept(store: cached.Cache, built: cached.Built) -> bool:
    """``built`` saved in ``store``; False, with a note saying why, when it could not be."""
    problem = store.save(built)
    if problem is not None:
        note(problem)
    return problem is None


def _build(
    scripts: Scripts, source: URL, throwaway: bool, planted: scratch.Seed | None
) -> tuple[cached.Built, str | None]:
    """Every revision built one after another in a scratch database, the schema read after each; and, where the
    build stopped, which revision failed and why."""
    excluded = {*snapshot.BOOKKEEPING_TABLES, "alembic_version"}
    made = empty_scratch(source, throwaway, "identify", planted)
    began = time.perf_counter()
    try:
        with connected(made.url) as conn:
            empty = snapshot.read(conn, excluded)
        builder = _Builder(excluded)
        outcome = run(scripts, made.url_for(source), "upgrade", "heads", hooks=builder.hooks)
    finally:
        made.drop()
    seconds = time.perf_counter() - began
    unbuilt = None
    if outcome.error is not None:
        failed = outcome.failed.revision if outcome.failed else "env.py"
        unbuilt = f"{failed} fails on {scratch.build_failure(outcome.error, planted)}"
    states = [((), "", empty), *builder.built]
    return cached.Built(states, frozenset(builder.excluded), made.describe(""), seconds, cached.now()), unbuilt


def lines(found: Identification) -> list[str]:
    """The answer as the terminal shows it: what was built, the match (or the closest and what differs), what next."""
    f = found
    count = len(f.states) - 1
    revisions = f"{count} revision{'s' if count != 1 else ''}"
    if f.cached is not None:
        when = f.cached.replace("T", " ").removesuffix("Z") + " UTC"
        out = [f"Read {revisions} from the cache in {f.seconds:.3f}s (built one after another in {f.built_on} in "
               f"{f.first_seconds or 0:.3f}s on {when}; --no-cache builds them again), comparing the database with "
               "each."]
    else:
        out = [f"Built {revisions} one after another in {f.built_on} in {f.seconds:.3f}s, comparing the database "
               "with each."]
    if f.ignored:
        out.append(f"Ignoring: {', '.join(f.ignored)}")
    if f.unbuilt:
        out.append(f"Stopped: revision {f.unbuilt}; later revisions were not compared.")
    recorded = ", ".join(f.recorded) or "nothing (no alembic_version)"
    unknown = " (a revision this project's scripts do not have)" if f.unknown else ""
    out.append(f"alembic_version says: {recorded}{unknown}.")
    matches = f.matches
    if matches:
        said = [state for state in matches if state.heads == tuple(f.recorded)]
        first = said[0] if said else matches[-1]  # what alembic_version says, else the latest
        others = [state.name for state in matches if state is not first]
        verb = "does" if len(others) == 1 else "do"
        same = f" (so {verb} {', '.join(others)}: the same schema)" if others else ""
        agrees = ", as alembic_version says" if said else ""
        out.append(f"Matches: the database's schema is what revision {first.name} builds{agrees}{same}.")
        if not said and len(first.heads) <= 1:
            seeded = f" --seed {f.seed}" if f.seed else ""
            out.append(f"alembic_version does not say so: migration-rollback stamp {first.name}{seeded} puts it right.")
        return out
    closest = f.closest
    if closest is None:
        out.append("No revision was built.")
        return out
    n = len(closest.differences)
    shown = difference_lines(closest.differences, closest.name)
    if len(shown) > _SHOWN:
        shown = [*shown[:_SHOWN], f"... and {len(shown) - _SHOWN} more lines (--json lists every difference)"]
    out += shown
    out.append(f"No match: no revision builds this schema; the closest is {closest.name} "
               f"({n} difference{'s' if n != 1 else ''}, above).")
    return out
