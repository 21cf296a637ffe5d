"""squawk (``squawk-cli``) on each revision's offline SQL, its findings reported under the revision file.

``alembic upgrade heads --sql`` is run once through the project's own env.py, in this process (offline:
nothing connects), cut at Alembic's ``-- Running upgrade A -> B`` lines into one file per revision (Alembic's own BEGIN,
COMMIT and alembic_version statements blanked, so squawk's lines stay the file's), and squawk reads them
all in one run. A finding is reported at the op call that wrote its statement when the revision's op calls
and its offline statements pair up one to one, else at its ``def upgrade`` line; with the statement.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import first_line
from . import sql as lint_sql
from .rules import SQUAWK_COVERED, SQUAWK_STYLE, SQUAWK_UNFIT

_RUNNING = re.compile(r"^-- Running upgrade (?:[\w, ]*) -> (\w+)\s*$")
_ALEMBIC_OWN = re.compile(r"^(BEGIN|COMMIT)\s*;|^(INSERT INTO|UPDATE|DELETE FROM) alembic_version\b", re.I)
#: env.py reads DATABASE_URL even offline; it is never connected to.
PLACEHOLDER_URL = "postgresql://lint@localhost/lint"


@dataclass
class SquawkFinding:
    revision: str
    line: int  # in the revision's offline SQL
    rule: str
    message: str
    statement: str
    index: int | None  # which of the chunk's statements (None: the chunk does not parse)
    statements: int


def binary() -> str | None:
    here = Path(sys.executable).parent / "squawk"
    return str(here) if here.is_file() else shutil.which("squawk")


def offline_sql(config: Path) -> dict[str, str]:
    """Each revision's offline SQL by revision id; raises RuntimeError with what stopped it, in a line.

    ``alembic upgrade heads --sql`` through the project's env.py, in this process (an interpreter with Alembic
    and SQLAlchemy imported costs about 0.7 s of CPU to start: most of a pre-commit run), as from the folder of
    ``alembic.ini``: what env.py changes (working folder, logging, ``sys.path``, the project's modules it imports,
    ``DATABASE_URL``) is put back afterwards.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError

    from ..shared import running  # Alembic's commands and SQLAlchemy's engine: only when squawk runs

    buffer, printed = io.StringIO(), io.StringIO()
    saved_modules, saved_path = set(sys.modules), list(sys.path)
    project = [config.parent.resolve()]
    try:
        with (
            running.process_state(capture=True, buffer=printed),
            running.environ("DATABASE_URL", os.environ.get("DATABASE_URL") or PLACEHOLDER_URL),
            contextlib.chdir(config.parent),
        ):
            try:
                command.upgrade(Config(str(config), output_buffer=buffer, stdout=printed), "heads", sql=True)
            finally:
                project += [Path(p).resolve() for p in sys.path if p and p not in saved_path]
    except SystemExit as exc:  # an env.py that exits instead of raising
        if exc.code not in (0, None):
            raise RuntimeError(f"env.py exited with status {exc.code}") from exc
    except CommandError as exc:
        raise RuntimeError(f"FAILED: {first_line(exc)}") from exc
    except Exception as exc:  # env.py or a revision failed offline: the line a traceback would end with
        raise RuntimeError(traceback.format_exception_only(exc)[-1].strip()) from exc
    finally:
        running.forget_modules(set(sys.modules) - saved_modules, project)
    chunks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in buffer.getvalue().splitlines():
        match = _RUNNING.match(line)
        if match:
            current = chunks.setdefault(match.group(1), [])
            current.append("")
            continue
        if current is not None:
            current.append("" if _ALEMBIC_OWN.match(line.strip()) else line)
    return {revision: "\n".join(lines) + "\n" for revision, lines in chunks.items()}


def run(chunks: dict[str, str], target: int, selected: Iterable[str] = ()) -> list[SquawkFinding]:
    """squawk over every chunk at once; rules ours cover, the ones that do not fit Alembic, and style rules not
    in ``selected``, left out."""
    excluded = {*SQUAWK_COVERED, *SQUAWK_UNFIT, *(SQUAWK_STYLE - set(selected))}
    squawk = binary()
    if squawk is None:
        raise RuntimeError("squawk is not installed (pip install squawk-cli)")
    with tempfile.TemporaryDirectory(prefix="helpers-lint-") as folder:
        files = {}
        for revision, sql in chunks.items():
            path = Path(folder) / f"{revision}.sql"
            path.write_text(sql, encoding="utf-8")
            files[str(path)] = revision
        if not files:
            return []
        result = subprocess.run(
            [squawk, "--reporter", "json", "--assume-in-transaction", f"--pg-version={target}.0",
             "--exclude", ",".join(sorted(excluded)), *files],
            capture_output=True, text=True, timeout=300,
        )
        if result.returncode not in (0, 1) or not result.stdout.strip():
            raise RuntimeError((result.stderr.strip().splitlines() or ["squawk failed"])[-1])
    found = []
    for item in json.loads(result.stdout):
        revision = files[item["file"]]
        sql = chunks[revision]
        lines = sql.splitlines()
        statement = lines[item["line"]].strip() if 0 <= item["line"] < len(lines) else ""  # squawk counts from 0
        try:
            starts = [sql[:start].count("\n") for start in lint_sql.statement_starts(sql)]
        except Exception:  # SQL squawk read but pglast does not: reported at def upgrade
            starts = []
        index = max((n for n, line in enumerate(starts) if line <= item["line"]), default=None)
        found.append(SquawkFinding(revision, item["line"], item["rule_name"], item["message"], statement, index,
                                   len(starts)))
    return found
