"""docs/failures/type-change.md: a type change with no cast (42804), a cast a row cannot take (22P02); USING.

The same revision with a USING cast meets a value it cannot convert; the value is found and fixed, and the
retry reaches head.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, break_at, fails, stock_symptom

PAGE = page("failures/type-change")
FILES = snippet_dir(PAGE)
REVISION = FILES / "versions" / "0010_firmware_build_number.py"
WITH_USING = FILES / "with-using" / REVISION.name


def test_type_change_found_cast_and_retried(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, REVISION)
    no_cast = 'column "firmware_version" cannot be cast automatically to type integer'
    failed = break_at(database, captures, "0009", "a type change without a cast", no_cast, cwd=workdir)
    assert 'HINT: You might need to specify "USING firmware_version::integer".' in failed
    assert "SEE: http://127.0.0.1:8000/failures/type-change/" in failed
    stock_symptom(database, captures, "stock.txt", tmp_path, REVISION, error="DatatypeMismatch")

    shutil.copy(WITH_USING, workdir / "versions" / REVISION.name)
    unconvertible = 'invalid input syntax for type integer: "v1044"'
    label = "a value the new type cannot hold"
    fails(database, captures, label, unconvertible, capture="upgrade-using.txt", cwd=workdir)
    using = ("stock-using.txt", tmp_path / "using", WITH_USING)
    stock_symptom(database, captures, *using, error="InvalidTextRepresentation")

    found = captures.check("find-unconvertible.txt", captures.psql(database, "-f", "find-unconvertible.sql"))
    assert "(1 row)" in found.output and "v1044" in found.output
    fixed = captures.check("fix-values.txt", captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "fix-values.sql"))
    assert "UPDATE 1" in fixed.output
    # The page's other way: the cast in the revision handles the value itself.
    assert database.scalar("SELECT ltrim('v1044', 'v')::integer") == 1044
    assert "(0 rows)" in captures.psql(database, "-f", "find-unconvertible.sql").output

    retry = captures.check("retry.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert retry.returncode == 0, retry.output
    assert "0010 (head)" in database.alembic("current", cwd=workdir).output
    versions = [tuple(r) for r in database.sql("SELECT id, firmware_version FROM cameras ORDER BY id")]
    assert versions == [(1, 1042), (2, 1044), (3, 1043), (4, None)]
