"""helpers/tools/cli.py: ``python -m helpers`` exits 2 with one sentence on bad input, and writes nothing.

Every case of the two issues' "Bad input" sections, for each command it applies to: no
alembic.ini, a URL that does not parse, a server that does not answer, an unknown revision, no
right to create a (scratch) database, a dump file that is missing or truncated. Each compares the
source database's fingerprint, attempt history included, before and after.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Exit, cli
from tests.support.database import Database, fresh_database
from tests.support.fingerprint import Fingerprint
from tests.support.ordinary import ordinary_project
from tests.support.paths import PROJECT


def one_sentence(result: Exit) -> str:
    """The error: one line on stderr, nothing on stdout."""
    assert result.status == 2, (result.out, result.err)
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


@pytest.fixture(scope="module")
def prepared() -> Iterator[tuple[Database, Fingerprint]]:
    """The reader's database at 0007 with rows, made once: no test here may write to it."""
    with fresh_database() as database:
        assert database.alembic("upgrade", "0007").returncode == 0
        database.load(PROJECT.parent / "data" / "sample_data.sql")
        yield database, database.fingerprint(history=True)


@pytest.fixture
def source(prepared: tuple[Database, Fingerprint]) -> Iterator[Database]:
    """That database; after the test its fingerprint, attempt history included, is what it was."""
    database, before = prepared
    yield database
    assert database.fingerprint(history=True) == before


COMMANDS = [("rehearse",), ("compare", "0008"), ("stamp", "0008")]
ALL = [*COMMANDS, ("history",)]


@pytest.mark.parametrize("command", ALL, ids=lambda c: c[0])
def test_no_alembic_ini(source: Database, tmp_path: Path, command: tuple[str, ...]) -> None:
    error = one_sentence(cli(*command, cwd=tmp_path, env=source.env))
    assert error == f"error: No alembic.ini in {tmp_path}: run this where alembic.ini is, or pass -c PATH."
    missing = tmp_path / "elsewhere.ini"
    error = one_sentence(cli(*command, "-c", str(missing), env=source.env))
    assert error == f"error: No {missing}: run this where alembic.ini is, or pass -c PATH."


@pytest.mark.parametrize("command", ALL, ids=lambda c: c[0])
def test_a_url_that_does_not_parse(source: Database, command: tuple[str, ...]) -> None:
    env = {**source.env, "DATABASE_URL": "postgres//me:secret@db/security"}
    error = one_sentence(cli(*command, env=env))
    assert error == (
        "error: DATABASE_URL 'postgres//me:secret@db/security' is not a database URL; use postgresql://user@host/dbname."
    )
    error = one_sentence(cli(*command, "--url", "mysql://me:secret@db/shop", env=source.env))
    assert error == (
        "error: --url 'mysql://me:***@db/shop' is not a PostgreSQL URL; use postgresql://user@host/dbname."
    )


@pytest.mark.parametrize("command", ALL, ids=lambda c: c[0])
def test_a_server_that_does_not_answer(source: Database, command: tuple[str, ...]) -> None:
    error = one_sentence(cli(*command, "--url", "postgresql://nobody@127.0.0.1:9/security", env=source.env))
    assert error.startswith("error: The server at 127.0.0.1:9/security does not answer: ")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unknown_revision(source: Database, command: tuple[str, ...]) -> None:
    args = ("rehearse", "zzz") if command == ("rehearse",) else (command[0], "zzz")
    error = one_sentence(cli(*args, env=source.env))
    assert error == (
        "error: Unknown revision 'zzz': Can't locate revision identified by 'zzz' (this project's heads: 0009)."
    )


@pytest.fixture
def no_createdb(source: Database) -> Iterator[dict[str, str]]:
    """The environment of a role that may read the database but not create one."""
    role, password = f"reader_{secrets.token_hex(3)}", secrets.token_hex(8)
    source.sql(f"CREATE ROLE {role} LOGIN NOCREATEDB PASSWORD '{password}'")
    url = source.engine.url.set(username=role, password=password)
    try:
        yield {**source.env, "DATABASE_URL": url.render_as_string(hide_password=False)}
    finally:
        source.sql(f"DROP ROLE {role}")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_no_right_to_create_a_scratch_database(no_createdb: dict[str, str], command: tuple[str, ...]) -> None:
    error = one_sentence(cli(*command, env=no_createdb))
    assert error.startswith("error: The role 'reader_")
    assert "may not create a scratch database on " in error
    assert "(permission denied to create database): grant it CREATEDB, or " in error


def _dump(source: Database, tmp_path: Path) -> Path:
    path = tmp_path / "security.sql"
    with path.open("w") as out:
        subprocess.run(["pg_dump", "--no-owner"], env=source.env, stdout=out, check=True)
    return path


def test_a_dump_file_that_is_missing(source: Database, tmp_path: Path) -> None:
    missing = tmp_path / "backup_20260113.sql"
    error = one_sentence(cli("rehearse", "--dump", str(missing), env=source.env))
    assert error == f"error: The dump file {missing} does not exist."


def test_a_dump_file_that_is_truncated(source: Database, tmp_path: Path) -> None:
    whole = _dump(source, tmp_path).read_text()
    cut = tmp_path / "truncated.sql"
    cut.write_text(whole[: len(whole) // 2])
    error = one_sentence(cli("rehearse", "--dump", str(cut), env=source.env))
    assert error == (
        f"error: The dump file {cut} is truncated or not a plain pg_dump: it does not end with "
        "'-- PostgreSQL database dump complete'."
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("rehearse", "--max-lock", "2 seconds"),
         "python -m helpers rehearse: Argument --max-lock: '2 seconds' is not a duration; use a number with ms, s "
         "or min, e.g. 200ms."),
        (("rehearse", "--max-rewrite-rows", "-5"),
         "python -m helpers rehearse: Argument --max-rewrite-rows: '-5' is not a number of rows; use a whole "
         "number, e.g. 100000."),
        (("rehearse", "--copy", "rsync"),
         "python -m helpers rehearse: Argument --copy: 'rsync' is not a way to copy; use auto, clone, template or "
         "dump."),
        (("compare",), "python -m helpers compare: The following arguments are required: REV."),
    ],
    ids=["max-lock", "max-rewrite-rows", "copy", "no-revision"],
)
def test_bad_options_are_one_sentence(source: Database, args: tuple[str, ...], expected: str) -> None:
    assert one_sentence(cli(*args, env=source.env)) == expected


def test_python_m_helpers_exits_2_in_a_process_of_its_own(source: Database, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "helpers", "compare", "0008"], cwd=tmp_path, env=source.env, capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: No alembic.ini in {tmp_path}: run this where alembic.ini is, or pass -c PATH.\n"


@pytest.mark.parametrize("command", ALL, ids=lambda c: c[0])
def test_a_url_naming_a_driver_that_is_not_installed(source: Database, command: tuple[str, ...]) -> None:
    pytest.importorskip("sqlalchemy.dialects.postgresql.pg8000")
    try:
        import pg8000  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pg8000 is installed here: no missing driver to name")
    url = source.engine.url.set(drivername="postgresql+pg8000").render_as_string(hide_password=False)
    error = one_sentence(cli(*command, env={**source.env, "DATABASE_URL": url}))
    assert error.startswith("error: DATABASE_URL 'postgresql+pg8000://")
    assert "names the driver 'pg8000', which is not installed here: pip install 'pg8000'" in error
    unknown = url.replace("+pg8000", "+nosuchdriver")
    error = one_sentence(cli(*command, "--url", unknown, env=source.env))
    assert "names the driver 'nosuchdriver', which SQLAlchemy does not know" in error


def test_psycopg2_named_where_it_is_not_installed(source: Database, tmp_path: Path) -> None:
    """A process where ``import psycopg2`` fails, as on a machine without it: exit 2, one sentence."""
    url = source.engine.url.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    without = "import sys; sys.modules['psycopg2'] = None; from helpers.tools.cli import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", without, "compare", "0008", "-c", str(PROJECT / "alembic.ini")], cwd=tmp_path,
        env={**source.env, "DATABASE_URL": url}, capture_output=True, text=True,
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    (error,) = done.stderr.splitlines()
    assert "names the driver 'psycopg2', which is not installed here: pip install 'psycopg2-binary'" in error


@pytest.mark.parametrize("command", ALL, ids=lambda c: c[0])
def test_a_database_that_does_not_exist(source: Database, command: tuple[str, ...]) -> None:
    url = source.engine.url.set(database="no_such_database").render_as_string(hide_password=False)
    error = one_sentence(cli(*command, env={**source.env, "DATABASE_URL": url}))
    assert error.startswith("error: The server at ")
    assert "/no_such_database answered, but has no database 'no_such_database': " in error


SEEDED = [("compare", "0007"), ("stamp", "0007"), ("identify",)]


@pytest.mark.parametrize("command", SEEDED, ids=lambda c: c[0])
def test_a_seed_file_that_is_missing_or_unreadable(source: Database, tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "base.sql"
    assert one_sentence(cli(*command, "--seed", str(missing), env=source.env)) == (
        f"error: The seed file {missing} does not exist."
    )
    assert one_sentence(cli(*command, "--seed", str(tmp_path), env=source.env)) == (
        f"error: The seed file {tmp_path} cannot be read: Is a directory."
    )


@pytest.mark.parametrize("command", SEEDED, ids=lambda c: c[0])
def test_a_seed_whose_sql_fails_names_the_file_and_the_error(
    source: Database, tmp_path: Path, command: tuple[str, ...]
) -> None:
    seed = tmp_path / "base.sql"
    seed.write_text("CREATE TABLE customers (id serial PRIMARY KEY);\nALTER TABLE orders ADD COLUMN note text;\n")
    error = one_sentence(cli(*command, "--seed", str(seed), env=source.env))
    assert error == (
        f'error: The seed file {seed} fails at line 2 on an empty database: ERROR: relation "orders" does not exist.'
    )
    assert not source.scalar("SELECT count(*) FROM pg_database WHERE datname ~ '^(compare|identify)_'")


@pytest.mark.parametrize("command", SEEDED, ids=lambda c: c[0])
def test_a_seed_function_that_cannot_be_imported_or_fails(
    source: Database, tmp_path: Path, command: tuple[str, ...]
) -> None:
    assert one_sentence(cli(*command, "--seed", "no_such_module:create_base", env=source.env)) == (
        "error: The seed no_such_module:create_base cannot be imported: No module named 'no_such_module'."
    )
    shop = ordinary_project(tmp_path)  # the function's module beside alembic.ini, where it is imported from
    (shop / "seeds_that_fail.py").write_text(
        "def create_base(connection):\n    connection.exec_driver_sql('ALTER TABLE orders ADD note text')\n"
    )
    at_head = (command[0], "head") if len(command) > 1 else command
    error = one_sentence(cli(*at_head, "--seed", "seeds_that_fail:create_base", cwd=shop, env=source.env))
    assert error == (
        'error: The seed seeds_that_fail:create_base fails on an empty database: relation "orders" does not exist.'
    )
