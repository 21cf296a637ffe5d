"""The schemas ``identify`` built, kept between calls: a second call on unchanged inputs builds nothing.

An entry holds the schema after each revision of the history (and the empty one, ``base``), as
``identify`` read them on the scratch database. Its key is everything that decides those schemas:

- ``alembic.ini``, every ``.py`` file beside ``env.py`` (``env.py`` itself included) and every revision file, by
  content;
- the ``--seed``: the SQL file's content, or the function's name and the content of its module's file;
- the server's major version (the scratch database is on the reader's server or a throwaway one of its major);
- the code that builds and reads an entry (the snapshot's catalog queries, ``identify``, this module) and the
  Alembic and SQLAlchemy versions that turn ``op.*`` into SQL.

A change to any of them misses, and the history is built again. What the key cannot see is code your revisions or
seed import from elsewhere (your models, a shared module): after changing it, run ``identify --no-cache`` once.

Where: ``$XDG_CACHE_HOME/migration-rollback/identify/`` (``~/.cache/...`` when the variable is unset), as pip,
pre-commit and black keep theirs: a cache is not the project's to carry, so nothing is written into the checkout
(no ``.gitignore`` line, a read-only checkout works) and CI can keep the folder between jobs. Each project (its
``alembic.ini``, by path) has a folder of its own holding its newest ``KEEP`` entries; folders of projects whose
``alembic.ini`` is gone are removed when an entry is written. Nothing is written to the reader's database. A
history that did not build to the end is not kept: what stopped it may be the server's (an extension it lacks),
not the scripts'. An entry that cannot be read is a miss; a folder that cannot be written is a note on stderr.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import inspect
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import alembic
import sqlalchemy

from ..shared import snapshot
from ..shared.scratch import Seed
from ..shared.scripts import Scripts

#: The shape of an entry; raise it when what is stored changes in a way the hashed source files do not show.
FORMAT = 1
#: Entries kept per project: the newest, counted by when they were last written or read.
KEEP = 4
#: Under the cache home: the folder of this package's caches, and this command's.
APPLICATION, COMMAND = "migration-rollback", "identify"
_PROJECT_FILE = "project"  # in each project's folder: the path of its alembic.ini, to find folders of gone projects
_SUFFIX = ".json.gz"


def home() -> Path:
    """``$XDG_CACHE_HOME/migration-rollback/identify``, else ``~/.cache/migration-rollback/identify`` (a relative
    ``XDG_CACHE_HOME`` is ignored, as the XDG specification says)."""
    given = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(given) if given and Path(given).is_absolute() else Path.home() / ".cache"
    return base / APPLICATION / COMMAND


@dataclass(frozen=True)
class Built:
    """A history built once: each state (the heads then, empty for base; the revision's message; the schema), the
    tables left out of every schema (Alembic's version table among them), where and when it was built and how long
    that took."""

    states: list[tuple[tuple[str, ...], str, snapshot.Schema]]
    excluded: frozenset[str]
    built_on: str
    seconds: float
    made: str  # ISO 8601, UTC, to the second


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(scripts: Scripts) -> list[Path]:
    """The files whose content decides what the history builds: alembic.ini, the .py files beside env.py, every
    revision file."""
    folder = Path(scripts.directory.dir)
    found = {scripts.ini, *folder.glob("*.py")}
    found.update(Path(script.path) for script in scripts.directory.walk_revisions() if script.path)
    return sorted(path.resolve() for path in found)


def _code() -> list[Path]:
    """This package's files that make and read an entry: a change to one of them misses every entry."""
    here = Path(__file__)
    return [Path(snapshot.__file__), here.with_name("identify.py"), here]


def key(scripts: Scripts, seed: Seed | None, major: int) -> str:
    """The entry's name: a hash of everything that decides the schemas a history builds (the module's docstring)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("format", str(FORMAT).encode())
    add("versions", f"alembic {alembic.__version__} sqlalchemy {sqlalchemy.__version__}".encode())
    add("major", str(major).encode())
    for path in _code():
        add("code", path.read_bytes())
    root = scripts.ini.parent
    for path in _files(scripts):
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        add(f"file {name}", path.read_bytes())
    if seed is not None:
        add("seed", seed.named.encode())
        if seed.sql is not None:
            add("seed sql", seed.sql)
        elif seed.function is not None:
            with contextlib.suppress(TypeError, OSError):  # a built-in or a module without a file: its name only
                add("seed module", Path(inspect.getsourcefile(seed.function) or "").read_bytes())
    return digest.hexdigest()


class Cache:
    """The entry of one project, seed and server major: ``load`` it, or ``save`` what was built."""

    def __init__(self, scripts: Scripts, seed: Seed | None, major: int, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else home()
        self.project = self.folder / _sha(str(scripts.ini).encode())[:16]
        self.path = self.project / f"{key(scripts, seed, major)}{_SUFFIX}"
        self.ini = scripts.ini

    def load(self) -> Built | None:
        """The history built before on the same inputs, or None (no entry, or one that cannot be read)."""
        try:
            with gzip.open(self.path, "rt", encoding="utf-8") as stream:
                data = json.load(stream)
            built = _decoded(data)
        except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError):
            return None
        with contextlib.suppress(OSError):
            os.utime(self.path)  # read now: the last to be pruned
        return built

    def save(self, built: Built) -> str | None:
        """Keep ``built``; the note to print when it cannot be written (None when it was)."""
        written: str | None = None
        try:
            self.project.mkdir(parents=True, exist_ok=True, mode=0o700)
            (self.project / _PROJECT_FILE).write_text(str(self.ini), encoding="utf-8")
            with tempfile.NamedTemporaryFile(dir=self.project, suffix=".tmp", delete=False) as raw:
                written = raw.name
                with gzip.open(raw, "wt", encoding="utf-8") as stream:
                    json.dump(_encoded(built), stream, separators=(",", ":"))
            os.replace(written, self.path)  # whole or not at all, whoever else reads or writes it
        except OSError as exc:
            if written is not None:
                with contextlib.suppress(OSError):
                    os.unlink(written)
            return (
                f"the identify cache cannot be written in {self.folder} ({exc.strerror or exc}); the next call "
                "builds the history again (--no-cache skips the cache)"
            )
        self._prune()
        return None

    def _prune(self) -> None:
        """This project's entries beyond the newest ``KEEP``, and the folders of projects whose alembic.ini is gone."""
        with contextlib.suppress(OSError):
            entries = sorted(self.project.glob(f"*{_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[KEEP:]:
                old.unlink(missing_ok=True)
        for other in _projects(self.folder):
            if other == self.project:
                continue
            try:
                ini = Path((other / _PROJECT_FILE).read_text(encoding="utf-8").strip())
            except OSError:
                continue  # being written, or not ours: left
            if not ini.is_file():
                shutil.rmtree(other, ignore_errors=True)


def _projects(folder: Path) -> Iterator[Path]:
    with contextlib.suppress(OSError):
        yield from (path for path in folder.iterdir() if path.is_dir())


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- an entry as JSON: each object once, each state a list of the objects it has --------------------------------------
def _encoded(built: Built) -> dict[str, Any]:
    objects: dict[tuple[str, str, str | None, str, str], int] = {}
    states = []
    for heads, message, schema in built.states:
        ids = []
        for obj in schema.objects.values():
            row = (obj.kind, obj.schema, obj.table, obj.name, obj.definition)
            ids.append(objects.setdefault(row, len(objects)))
        states.append({"heads": list(heads), "message": message, "objects": ids})
    return {
        "format": FORMAT,
        "made": built.made,
        "built_on": built.built_on,
        "seconds": built.seconds,
        "excluded": sorted(built.excluded),
        "objects": [list(row) for row in objects],
        "states": states,
    }


def _decoded(data: dict[str, Any]) -> Built:
    if data["format"] != FORMAT:
        raise ValueError(f"format {data['format']}")
    rows: Sequence[Sequence[Any]] = data["objects"]
    objects = [
        snapshot.SchemaObject(str(k), str(s), None if t is None else str(t), str(n), str(d)) for k, s, t, n, d in rows
    ]
    states = []
    for state in data["states"]:
        found = [objects[i] for i in state["objects"]]
        states.append(
            (
                tuple(str(h) for h in state["heads"]),
                str(state["message"]),
                snapshot.Schema({obj.key: obj for obj in found}),
            )
        )
    return Built(
        states,
        frozenset(str(t) for t in data["excluded"]),
        str(data["built_on"]),
        float(data["seconds"]),
        str(data["made"]),
    )

