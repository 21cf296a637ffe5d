"""docs/versions.md: each difference between PostgreSQL versions the page lists, checked on the
server of this run (nox -s tests, pg-15, pg-16, pg-17 and pg-19 run it on each): what each version does, not
only what the newest does, so a claim of 19's release notes that does not hold fails here too."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import psycopg
import pytest

from tests.support import sessions
from tests.support.database import Database, server
from tests.support.paths import ROOT, page

PAGE = page("versions")


def _tool_major(database: Database, tool: str) -> tuple[int, int]:
    version = database.run([tool, "--version"]).output
    # 18.6; 19rc1 (a release candidate: minor 0)
    major, minor = re.search(r"\(PostgreSQL\) (\d+)(?:\.(\d+)|beta|rc)", version).groups()  # type: ignore[union-attr]
    return int(major), int(minor or 0)


def test_transaction_timeout_is_known_from_17(database: Database) -> None:
    result = database.shell("psql -Atc 'SHOW transaction_timeout'")
    if server().major < 17:
        assert result.returncode == 1
        assert 'unrecognized configuration parameter "transaction_timeout"' in result.output
    else:
        assert (result.returncode, result.output.strip()) == (0, "0")


def test_pg_dump_sets_transaction_timeout_from_17(database: Database) -> None:
    dump = database.run(["pg_dump", "--schema-only"]).output
    major, _ = _tool_major(database, "pg_dump")
    assert ("SET transaction_timeout = 0;" in dump.splitlines()) == (major >= 17)


def test_plain_dumps_carry_restrict_lines(database: Database) -> None:
    dump = database.run(["pg_dump", "--schema-only"]).output.splitlines()
    first_with_it = {15: 14, 16: 10, 17: 6}
    major, minor = _tool_major(database, "pg_dump")
    expected = major >= 18 or minor >= first_with_it.get(major, 99)
    assert any(line.startswith("\\restrict ") for line in dump) == expected
    assert any(line.startswith("\\unrestrict ") for line in dump) == expected


def test_the_page_names_the_versions_the_matrix_runs() -> None:
    majors = re.search(r"MAJORS = \(([^)]*)\)", (ROOT / "noxfile.py").read_text()).group(1)  # type: ignore[union-attr]
    listed = re.findall(r'"(\d+)"', majors)
    assert f"PostgreSQL {', '.join(listed[:-1])} and {listed[-1]}" in PAGE.read_text(encoding="utf-8")


# -- PostgreSQL 19: what its release notes say changes for migrations, each checked on the server --------------


def _major() -> int:
    return server().major


def _connect(database: Database) -> psycopg.Connection:
    return psycopg.connect(sessions.libpq_conninfo(database), autocommit=True)


def _until(found: Callable[[], object], what: str, timeout: float = 20) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := found():
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def test_lock_waits_are_logged_by_default_from_19(database: Database) -> None:
    assert database.scalar("SHOW log_lock_waits") == ("on" if _major() >= 19 else "off")


def test_max_locks_per_transaction_defaults_to_128_from_19(database: Database) -> None:
    assert database.scalar("SHOW max_locks_per_transaction") == ("128" if _major() >= 19 else "64")


def test_pg_stat_lock_counts_a_wait_longer_than_deadlock_timeout_from_19(database: Database) -> None:
    exists = database.scalar("SELECT to_regclass('pg_catalog.pg_stat_lock') IS NOT NULL")
    assert exists == (_major() >= 19)
    if not exists:
        return
    database.sql("CREATE TABLE waited_on (n int)")
    count = "SELECT waits FROM pg_stat_lock WHERE locktype = 'relation'"
    before = int(database.scalar(count))  # type: ignore[call-overload]
    with _connect(database) as holder, _connect(database) as waiter:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE waited_on IN ACCESS EXCLUSIVE MODE")
        reading = threading.Thread(target=waiter.execute, args=("SELECT * FROM waited_on",))
        reading.start()
        pid = waiter.info.backend_pid
        _until(
            lambda: database.scalar(f"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = {pid}"),
            "the reader waiting for the lock",
        )
        time.sleep(1.5)  # past deadlock_timeout (1 s): the wait is logged and counted when it ends
        holder.execute("ROLLBACK")
        reading.join(20)
    # the waiter's statistics are flushed as its session ends
    _until(lambda: int(database.scalar(count)) > before, "pg_stat_lock counting the wait")  # type: ignore[call-overload]


def _repack_beside_a_writer(database: Database, statement: str) -> tuple[str, str]:
    """``statement`` on a table while a transaction that wrote to it is open: the lock it takes on the table,
    and what a third session's INSERT (lock_timeout 2s) meanwhile gets."""
    database.sql("CREATE TABLE repacked (id int PRIMARY KEY); INSERT INTO repacked SELECT generate_series(1, 1000)")
    with _connect(database) as writer, _connect(database) as repacker, _connect(database) as other:
        writer.execute("BEGIN")
        writer.execute("INSERT INTO repacked VALUES (1001)")
        running = threading.Thread(target=repacker.execute, args=(statement,))
        running.start()
        pid = repacker.info.backend_pid
        mode = str(
            _until(
                lambda: database.scalar(
                    f"SELECT mode FROM pg_locks WHERE pid = {pid} AND relation = 'repacked'::regclass"
                ),
                f"{statement} locking the table",
            )
        )
        other.execute("SET lock_timeout = '2s'")
        try:
            other.execute("INSERT INTO repacked VALUES (1002)")
            inserted = "inserted"
        except psycopg.errors.LockNotAvailable:
            inserted = "55P03"
        writer.execute("COMMIT")
        running.join(60)
    assert not running.is_alive()
    return mode, inserted


def test_repack_concurrently_lets_writes_through_from_19(database: Database) -> None:
    if _major() < 19:
        with pytest.raises(psycopg.errors.SyntaxError), _connect(database) as conn:
            conn.execute("REPACK (CONCURRENTLY) pg_class")
        return
    assert _repack_beside_a_writer(database, "REPACK (CONCURRENTLY) repacked") == (
        "ShareUpdateExclusiveLock",
        "inserted",
    )
    assert database.scalar("SELECT count(*) FROM repacked") == 1002


def test_repack_concurrently_needs_an_identity_index_and_its_own_transaction(database: Database) -> None:
    if _major() < 19:
        pytest.skip("REPACK is new in 19")
    database.sql("CREATE TABLE keyless (n int); CREATE TABLE keyed (id int PRIMARY KEY)")
    with _connect(database) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="has no identity index"):  # 55000
            conn.execute("REPACK (CONCURRENTLY) keyless")
        with pytest.raises(psycopg.errors.ActiveSqlTransaction), conn.transaction():  # 25001: lint's ML004
            conn.execute("REPACK (CONCURRENTLY) keyed")
        conn.execute("REPACK (CONCURRENTLY) keyed")  # alone, in autocommit (Alembic: autocommit_block())


@pytest.mark.parametrize("statement", ["VACUUM FULL repacked", "REPACK repacked"])
def test_vacuum_full_and_plain_repack_queue_writes_behind_them(database: Database, statement: str) -> None:
    if statement.startswith("REPACK") and _major() < 19:
        pytest.skip("REPACK is new in 19")
    assert _repack_beside_a_writer(database, statement) == ("AccessExclusiveLock", "55P03")


def test_check_constraints_switch_between_enforced_and_not_from_19(database: Database) -> None:
    database.sql("CREATE TABLE readings (n int); INSERT INTO readings VALUES (-1), (1)")
    with _connect(database) as conn:
        if _major() < 18:  # NOT ENFORCED is new in 18
            with pytest.raises(psycopg.errors.SyntaxError):
                conn.execute("ALTER TABLE readings ADD CONSTRAINT positive CHECK (n > 0) NOT ENFORCED")
            return
        conn.execute("ALTER TABLE readings ADD CONSTRAINT positive CHECK (n > 0) NOT ENFORCED")  # rows not checked
        enforce = "ALTER TABLE readings ALTER CONSTRAINT positive ENFORCED"
        if _major() < 19:
            with pytest.raises(psycopg.errors.WrongObjectType, match="cannot alter enforceability"):  # 42809
                conn.execute(enforce)
            return
        with pytest.raises(psycopg.errors.CheckViolation):  # every row is checked
            conn.execute(enforce)
        conn.execute("DELETE FROM readings WHERE n <= 0")
        filenode = conn.execute("SELECT pg_relation_filenode('readings')").fetchone()
        conn.execute("BEGIN")
        conn.execute(enforce)
        mode = conn.execute(
            "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'readings'::regclass"
        )
        assert mode.fetchall() == [("AccessExclusiveLock",)]  # the scan under ACCESS EXCLUSIVE, unlike VALIDATE
        conn.execute("COMMIT")
        assert conn.execute("SELECT pg_relation_filenode('readings')").fetchone() == filenode  # no rewrite
        state = "SELECT conenforced, convalidated FROM pg_constraint WHERE conname = 'positive'"
        assert conn.execute(state).fetchone() == (True, True)
        conn.execute("ALTER TABLE readings ALTER CONSTRAINT positive NOT ENFORCED")
        assert conn.execute(state).fetchone() == (False, False)


def test_validating_a_domain_constraint_still_takes_share_on_its_tables(database: Database) -> None:
    """Release notes: a lighter lock from 19. On 19rc1 each table using the domain is locked SHARE, as before."""
    database.sql(
        "CREATE DOMAIN amount AS int; CREATE TABLE payments (paid amount); INSERT INTO payments VALUES (1);"
        "ALTER DOMAIN amount ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID"
    )
    with _connect(database) as conn, conn.transaction():
        conn.execute("ALTER DOMAIN amount VALIDATE CONSTRAINT positive")
        mode = conn.execute(
            "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'payments'::regclass"
        )
        assert mode.fetchall() == [("ShareLock",)]  # writes to the table wait until the transaction ends


@pytest.mark.parametrize("default", ["", " DEFAULT 5"])
def test_adding_a_column_of_a_constrained_domain_still_rewrites_the_table(database: Database, default: str) -> None:
    """Release notes: usually no rewrite from 19. On 19rc1 the table is rewritten, with or without a default."""
    database.sql(
        "CREATE DOMAIN amount AS int CHECK (VALUE > 0); CREATE TABLE payments (id int);"
        "INSERT INTO payments SELECT generate_series(1, 100)"
    )
    filenode = "SELECT pg_relation_filenode('payments')"
    before = database.scalar(filenode)
    database.sql(f"ALTER TABLE payments ADD COLUMN paid amount{default}")
    assert database.scalar(filenode) != before
    rewritten = database.scalar(filenode)
    database.sql(f"ALTER TABLE payments ADD COLUMN plain int{default}")  # a plain type: no rewrite, on every version
    assert database.scalar(filenode) == rewritten


def test_every_test_the_page_names_is_here() -> None:
    named = set(re.findall(r"tests/docs/test_versions\.py::(\w+)", PAGE.read_text(encoding="utf-8")))
    assert named and named <= set(globals()), named - set(globals())
