"""The reader's Alembic scripts: ``load_scripts`` finds ``alembic.ini`` and reads every revision file, ``resolve``
names the revisions a revision argument means. Each raises ``BadInputError`` with one sentence.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from ..errors import BadInputError, first_line


@dataclass
class Scripts:
    """A reader's Alembic project as the commands see it: its ``alembic.ini`` and its script directory."""

    ini: Path
    directory: ScriptDirectory

    def config(self) -> Config:
        """A fresh ``Config`` for one command (attributes are per run)."""
        return Config(str(self.ini))

    @property
    def heads(self) -> tuple[str, ...]:
        return tuple(self.directory.get_heads())

    def unknown(self, revisions: Sequence[str]) -> list[str]:
        """The revisions of ``revisions`` (a database's ``alembic_version``) that no script of this project has."""
        known = {script.revision for script in self.directory.walk_revisions()}
        return [revision for revision in revisions if revision not in known]


def load_scripts(ini: str | os.PathLike[str] | None = None) -> Scripts:
    """The scripts of the project whose ``alembic.ini`` is ``ini`` (default: ``alembic.ini`` in the current folder)."""
    path = Path(ini) if ini is not None else Path("alembic.ini")
    if not path.is_file():
        where = f"{path}" if ini is not None else f"alembic.ini in {Path.cwd()}"
        raise BadInputError(f"No {where}: run this where alembic.ini is, or pass -c PATH.")
    saved = list(sys.path)
    try:
        script = ScriptDirectory.from_config(Config(str(path)))
        script.get_heads()  # reads every revision file: a broken project fails here, not halfway
    except Exception as exc:  # CommandError, a revision file that does not import ...
        raise BadInputError(f"The Alembic project of {path} cannot be read: {first_line(exc)}") from exc
    finally:
        sys.path[:] = saved
    return Scripts(path.resolve(), script)


def resolve(scripts: Scripts, revision: str) -> tuple[str, ...]:
    """The revision ids ``revision`` names (``head``, ``base``, an id or a unique prefix of one); else BadInputError."""
    if revision == "base":
        return ()
    if revision == "head" and len(scripts.heads) > 1:
        raise BadInputError(
            f"This project has {len(scripts.heads)} heads ({', '.join(scripts.heads)}), so 'head' names none: "
            "use heads for all of them, or name one."
        )
    try:
        found = scripts.directory.get_revisions(revision)
    except Exception as exc:  # ResolutionError, MultipleHeads, RevisionError
        heads = ", ".join(scripts.heads) or "none"
        raise BadInputError(
            f"Unknown revision {revision!r}: {first_line(exc)} (this project's heads: {heads})."
        ) from exc
    ids = tuple(script.revision for script in found if script is not None)
    if not ids:
        heads = ", ".join(scripts.heads) or "none"
        raise BadInputError(f"Unknown revision {revision!r}: this project has no such revision (heads: {heads}).")
    return ids


def check_known(scripts: Scripts, database: str, revisions: Sequence[str]) -> None:
    """BadInputError when the database's ``alembic_version`` names a revision the scripts do not have."""
    unknown = scripts.unknown(revisions)
    if unknown:
        names = ", ".join(repr(revision) for revision in unknown)
        raise BadInputError(
            f"Database {database!r} is at revision {names}, which this project's scripts do not have "
            f"(heads: {', '.join(scripts.heads) or 'none'}): was a deploy rolled back or a branch switched? "
            "Find the revision its schema matches with python -m helpers identify, then python -m helpers stamp REV."
        )
