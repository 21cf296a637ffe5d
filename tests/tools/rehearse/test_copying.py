"""helpers/tools/rehearse/copying.py (with shared/scratch, shared/cloning): how rehearse copies, on real servers.

``--copy clone`` on the session's server (18+: its data directory is in memory or in a container, neither clones:
the report says so in one sentence), below 18 (bad input); ``--copy-url`` on a copy this test makes. A real clone,
on XFS with reflink as root, is the big-tables page's test (tests/docs/test_big_tables.py). Every test proves the
source was only read.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from helpers.tools.rehearse.report import lines
from helpers.tools.rehearse.run import rehearse
from helpers.tools.shared.cloning import CLONING
from tests.support.database import Database, server
from tests.support.paths import PROJECT
from tests.support.transcript import alembic, helpers

START = "0005"


@pytest.fixture
def at_start(database: Database) -> Database:
    assert database.alembic("upgrade", START).returncode == 0
    database.sql("INSERT INTO users (id, email, name) SELECT g, 'u' || g || '@x', 'u' FROM generate_series(1, 500) g")
    return database


def test_clone_below_18_is_one_sentence(at_start: Database) -> None:
    if server().major >= 18:
        pytest.skip("PostgreSQL 18 and later clone")
    result = helpers("rehearse", "--copy", "clone", env=at_start.env, cwd=PROJECT)
    assert result.returncode == 2
    assert result.output.strip() == (
        f"error: --copy clone needs PostgreSQL 18 or later (file_copy_method), and {at_start.name!r} is on "
        f"PostgreSQL {server().major}; use --copy template or --copy dump."
    )


def test_clone_where_the_file_system_cannot_says_so(at_start: Database) -> None:
    """The session's server: its data directory in memory (tmpfs) or in a container, where nothing clones."""
    if server().major < 18:
        pytest.skip("file_copy_method is PostgreSQL 18's")
    before = at_start.fingerprint(history=True)

    found = rehearse(PROJECT / "alembic.ini", at_start.alone(), copy="clone")

    shown = lines(found)
    assert found.ok and found.copy_method == "clone", "\n".join(shown)
    assert found.copy_bytes is not None
    if found.copy_bytes["unseen"] is None:  # a data directory on this machine: tmpfs, which never clones
        assert shown[0].startswith(f"Copy: {at_start.name} copied in full on the same server (CREATE DATABASE ... "
                                   "STRATEGY FILE_COPY, file_copy_method = clone) in ")
        assert found.copy_bytes["shared"] == 0 and found.copy_bytes["written"] > 1_000_000
        assert shown[1] == (
            f"Clone was asked for, but the file system of the data directory ({found.copy_bytes['file_system']}) "
            f"cannot clone, so PostgreSQL copied every byte without saying so; on {CLONING} the copy takes about the "
            "same time at any size."
        )
    else:  # a container: its files are not here, the rate is all there is
        assert shown[1].startswith("Whether the file system cloned cannot be seen from here (")
    assert at_start.fingerprint(history=True) == before


def test_copy_url_rehearses_on_the_copy_and_leaves_it(at_start: Database) -> None:
    at_start.alone()
    copy = server().create_database(at_start.name, strategy="WAL_LOG")  # someone else's copy, made before
    try:
        copy_url = server().url(copy).render_as_string(hide_password=False)
        before = at_start.fingerprint(history=True)

        found = rehearse(PROJECT / "alembic.ini", at_start.url, copy_url=copy_url)

        shown = lines(found)
        assert found.ok and found.copy_method == "given", "\n".join(shown)
        assert shown[0].startswith(f"Copy: {at_start.name}'s copy at ")
        assert f"(made elsewhere), checked: same revision and schema as {at_start.name}, in " in shown[0]
        assert found.kept is not None and "made elsewhere, so not dropped" in found.kept
        assert at_start.fingerprint(history=True) == before  # the source only read
        with server().admin.connect() as conn:  # the copy is still there, at head
            assert conn.exec_driver_sql(f"SELECT 1 FROM pg_database WHERE datname = '{copy}'").scalar() == 1
    finally:
        server().drop_database(copy)


def test_copy_url_at_another_revision_is_bad_input(at_start: Database) -> None:
    at_start.alone()
    copy = server().create_database(at_start.name, strategy="WAL_LOG")
    try:
        copy_url = server().url(copy).render_as_string(hide_password=False)
        env = {**at_start.env, "DATABASE_URL": copy_url}
        assert alembic("upgrade", "0006", env=env, cwd=PROJECT).returncode == 0
        result = helpers("rehearse", "--copy-url", copy_url, env=at_start.env, cwd=PROJECT)
    finally:
        server().drop_database(copy)

    assert result.returncode == 2
    assert f"is not at {at_start.name}'s revision: alembic_version is 0006 there and {START} on {at_start.name}." in (
        result.output
    )



def test_copy_url_with_another_schema_or_the_source_itself_is_bad_input(at_start: Database) -> None:
    at_start.alone()
    copy = server().create_database(at_start.name, strategy="WAL_LOG")
    try:
        copy_url = server().url(copy).render_as_string(hide_password=False)
        engine = sa.create_engine(server().url(copy), poolclass=sa.NullPool)
        with engine.begin() as conn:  # the copy drifted: a column someone added by hand
            conn.exec_driver_sql("ALTER TABLE users ADD COLUMN nickname text")
        engine.dispose()
        other = helpers("rehearse", "--copy-url", copy_url, env=at_start.env, cwd=PROJECT)
    finally:
        server().drop_database(copy)
    itself = helpers("rehearse", "--copy-url", at_start.url, env=at_start.env, cwd=PROJECT)

    assert other.returncode == 2
    named = f"does not have {at_start.name}'s schema: table public.users, column nickname: nothing on {at_start.name}"
    assert named in other.output
    assert itself.returncode == 2
    assert "is the source database itself; give a copy of it." in itself.output
