"""docs/failures/already-exists.md: an object the migration creates is already there (42P07 / 42701).

- stamp: audit_log was created by hand exactly as revision 0007 creates it; ``alembic stamp 0007``.
- drop: users.phone was added by hand with another type; drop it and let revision 0008 add it.
``compare-with-revision.sh`` tells the two apart; after either fix the schema is the one a clean
``alembic upgrade head`` builds.
- seed: a project whose base (customers) the application makes outside the revisions; compare cannot
  build it from an empty database, and builds it on ``--seed base.sql`` or ``--seed base_schema:create_base``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import fingerprint, transcript
from tests.support.database import Database, server
from tests.support.ordinary import ordinary_project
from tests.support.paths import PROJECT, page
from tests.support.scenario import Captures, break_at
from tests.support.transcript import Run, run

PAGE = page("failures/already-exists")
HEAD = "0009"
LABEL = "schema conflict"


@pytest.fixture(scope="module")
def clean_schema() -> Iterator[str]:
    """The schema of a fresh database after ``alembic upgrade head``, as the fingerprint shows it."""
    srv = server()
    name = srv.create_database()
    try:
        env = {**os.environ, **srv.env(name)}
        engine = sa.create_engine(srv.url(name), poolclass=sa.NullPool)
        db = Database(name, engine, env)
        assert db.alembic("upgrade", "head").returncode == 0
        yield db.fingerprint().schema
        engine.dispose()
    finally:
        srv.discard_database(name)


def compare(database: Database, captures: Captures, revision: str, table: str) -> Run:
    script = captures.dir / "compare-with-revision.sh"
    return run(
        ["bash", str(script), revision, table],
        env=database.env,
        cwd=PROJECT,
        display=f"bash compare-with-revision.sh {revision} {table}",
    )


def compare_schema(database: Database, revision: str) -> Run:
    """``python -m helpers compare REV`` where alembic.ini is, as the page shows it."""
    return transcript.helpers("compare", revision, env=database.env, cwd=PROJECT)


def retry(database: Database, captures: Captures, case: str, clean_schema: str) -> None:
    result = captures.check(f"{case}/retry.txt", database.alembic("upgrade", "head"))
    assert result.returncode == 0
    assert f"{HEAD} (head)" in database.alembic("current").output
    assert database.fingerprint().schema == clean_schema


def test_object_is_what_the_migration_creates_so_stamp(
    database: Database, update_snapshots: bool, clean_schema: str
) -> None:
    captures = Captures(PAGE, update_snapshots)
    failed = break_at(database, captures, "0006", LABEL, case="stamp")
    assert 'schema conflict: relation "audit_log" already exists' in failed

    before = database.fingerprint(history=True)
    same_schema = captures.check("stamp/compare-schema.txt", compare_schema(database, "0007"))
    assert same_schema.returncode == 0
    assert "Same: the database is what revision 0007 builds." in same_schema.output
    assert database.fingerprint(history=True) == before
    same = captures.check("stamp/compare.txt", compare(database, captures, "0007", "audit_log"))
    assert same.returncode == 0
    assert "Same: audit_log is what revision 0007 creates." in same.output
    stamped = captures.check("stamp/stamp.txt", database.alembic("stamp", "0007"))
    assert stamped.returncode == 0
    assert database.scalar("SELECT version_num FROM alembic_version") == "0007"

    retry(database, captures, "stamp", clean_schema)
    # Stamping ran nothing, so the rows written to the hand-made table are kept.
    assert [tuple(r) for r in database.sql("SELECT user_id, action FROM audit_log ORDER BY id")] == [
        (1, "login"),
        (1, "camera.added"),
    ]


def test_object_differs_from_what_the_migration_creates_so_drop_and_retry(
    database: Database, update_snapshots: bool, clean_schema: str
) -> None:
    captures = Captures(PAGE, update_snapshots)
    failed = break_at(database, captures, "0007", LABEL, case="drop")
    assert 'schema conflict: column "phone" of relation "users" already exists' in failed

    before = database.fingerprint(history=True)
    differs = captures.check("drop/compare-schema.txt", compare_schema(database, "0008"))
    assert differs.returncode == 1
    assert (
        "  column phone: revision 0008 has character varying(32) NULL / the database has integer NULL"
    ) in differs.output.splitlines()
    assert database.fingerprint(history=True) == before
    different = captures.check("drop/compare.txt", compare(database, captures, "0008", "users"))
    assert different.returncode == 1
    assert "-    phone character varying(32)" in different.output
    assert "+    phone integer" in different.output
    dropped = captures.check(
        "drop/drop-column.txt", captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "drop/drop-column.sql")
    )
    assert dropped.returncode == 0

    retry(database, captures, "drop", clean_schema)
    assert [tuple(r) for r in database.sql("SELECT id, email, phone FROM users ORDER BY id")] == [
        (1, "ann@example.com", None),
        (2, "bob@example.com", None),
    ]


def test_stamping_a_different_object_would_leave_the_wrong_schema(database: Database, clean_schema: str) -> None:
    """Why the comparison matters: stamp over the hand-made integer column and head is not head."""
    captures = Captures(PAGE, update=False)
    break_at(database, captures, "0007", LABEL, case="drop")
    assert database.alembic("stamp", "0008").returncode == 0
    assert database.alembic("upgrade", "head").returncode == 0
    assert database.fingerprint().schema != clean_schema
    assert fingerprint.schema_dump(database.env).count("phone integer") == 1


def test_a_base_made_outside_the_revisions_is_seeded(
    database: Database, update_snapshots: bool, tmp_path: Path
) -> None:
    """The page's seed files in a project whose first revision ALTERs customers; the database made as the
    application makes it: the base, then ``alembic upgrade head``."""
    captures = Captures(PAGE, update_snapshots)
    shop = ordinary_project(tmp_path, base_outside=True)
    for name in ("base.sql", "base_schema.py"):
        shutil.copy(captures.dir / "seed" / name, shop / name)
    database.load(shop / "base.sql")
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    before = database.fingerprint(history=True)

    def helpers(*args: str) -> Run:
        return transcript.helpers(*args, env=database.env, cwd=shop)

    unseeded = captures.check("seed/compare-unseeded.txt", helpers("compare", "head"))
    assert unseeded.returncode == 2
    assert 'relation "customers" does not exist; if the revisions build on a schema made outside them' in (
        unseeded.output)
    for name, seed in (("compare.txt", "base.sql"), ("compare-function.txt", "base_schema:create_base")):
        seeded = captures.check(f"seed/{name}", helpers("compare", "head", "--seed", seed))
        assert seeded.returncode == 0, seeded.output
        assert seeded.output.splitlines()[-1] == "Same: the database is what revision head builds."
    assert database.fingerprint(history=True) == before
