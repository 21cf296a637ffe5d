"""What ``compare`` and ``identify`` share: the scratch database revisions are built in (empty, or seeded with
the schema they build on, on the database's server or a throwaway one of its major), and the differences
found, as the terminal shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import URL

from ..shared import scratch, snapshot
from ..shared.database import read_only, server_major

_LONG = 120


def empty_scratch(
    source: URL, throwaway: bool, purpose: str = "compare", seed: scratch.Seed | None = None
) -> scratch.Scratch:
    """A database to build revisions in, empty or with ``seed``'s schema only: on the source's server, or on a
    throwaway one of its major. A seed that fails drops it (BadInputError naming the seed)."""
    with read_only(source) as conn:
        major = server_major(conn)
    made = scratch.empty_on_throwaway(major, purpose) if throwaway else scratch.empty(source, purpose)
    if seed is not None:
        try:
            scratch.plant(made, seed, major)
        except BaseException:
            made.drop()
            raise
    return made


def _shown(text: str | None, other: str | None) -> str:
    """A definition on one line; a long one cut around where it differs from ``other``."""
    if text is None:
        return "nothing"
    flat = " ".join(text.split())
    if len(flat) <= _LONG or other is None:
        return flat if len(flat) <= _LONG else flat[: _LONG - 3] + "..."
    theirs = " ".join(other.split())
    at = next((i for i, (a, b) in enumerate(zip(flat, theirs, strict=False)) if a != b), min(len(flat), len(theirs)))
    start = max(0, at - 40)
    cut = flat[start : start + _LONG]
    return ("..." if start else "") + cut + ("..." if start + _LONG < len(flat) else "")


def difference_lines(differences: Sequence[snapshot.Difference], revision: str) -> list[str]:
    """Grouped by object: "revision REV has ... / the database has ..."."""
    out = []
    for group, found in snapshot.grouped(differences).items():
        out.append(group)
        for d in found:
            out.append(
                f"  {d.label}: revision {revision} has {_shown(d.expected, d.actual)} / "
                f"the database has {_shown(d.actual, d.expected)}"
            )
    return out
