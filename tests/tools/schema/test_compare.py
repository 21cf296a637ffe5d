"""helpers/tools/schema/compare.py (with shared/snapshot.py): ``python -m helpers compare REV`` and ``stamp REV``.

A database where part of a revision was applied by hand, differently: compare names the object
and exits 1; stamp refuses and alembic_version is unchanged. Every kind of object the comparison
covers is caught when it differs, and ``--ignore-objects`` leaves out what no migration manages.
"""

from __future__ import annotations

import io
import json
import secrets
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from helpers.history import history_table
from helpers.tools import history
from helpers.tools.schema.compare import checked_stamp, compare, lines
from tests.support.cli import cli, throwaway_image
from tests.support.database import Database
from tests.support.ordinary import BASE_FUNCTION, BASE_SQL, REWRITING, ordinary_project
from tests.support.paths import PROJECT

INI = PROJECT / "alembic.ini"


@pytest.fixture
def phone_by_hand(database: Database) -> Database:
    """At 0007, users.phone added by hand as an integer; revision 0008 adds it as VARCHAR(32)."""
    assert database.alembic("upgrade", "0007").returncode == 0
    database.sql("ALTER TABLE users ADD COLUMN phone integer")
    return database


def test_part_of_a_revision_applied_differently_is_named_and_exits_1(phone_by_hand: Database) -> None:
    before = phone_by_hand.fingerprint(history=True)

    result = cli("compare", "0008", env=phone_by_hand.env)

    assert (result.status, result.err) == (1, "")
    assert result.out.splitlines()[1:] == [
        "table public.users",
        "  column phone: revision 0008 has character varying(32) NULL / the database has integer NULL",
        "Different: 1 difference in 1 object; the database is not what revision 0008 builds.",
    ]
    assert phone_by_hand.fingerprint(history=True) == before


def test_stamp_refuses_and_alembic_version_is_unchanged(phone_by_hand: Database) -> None:
    before = phone_by_hand.fingerprint(history=True)
    out = io.StringIO()

    stamped = checked_stamp(INI, phone_by_hand.url, "0008", out=out)

    assert stamped is False
    assert "Refused: alembic_version was not changed." in out.getvalue()
    assert phone_by_hand.scalar("SELECT version_num FROM alembic_version") == "0007"
    assert phone_by_hand.fingerprint(history=True) == before


def test_stamp_when_the_same_and_force_is_recorded_as_forced(phone_by_hand: Database) -> None:
    assert compare(INI, phone_by_hand.url, "0007", ignore=["users.phone"]).same
    assert checked_stamp(INI, phone_by_hand.url, "0008", force=True, out=io.StringIO()) is True
    assert phone_by_hand.scalar("SELECT version_num FROM alembic_version") == "0008"

    attempts = history.read(url=phone_by_hand.url)
    assert attempts is not None
    last = attempts[-1]
    assert (last.command, last.from_revision, last.to_revision, last.outcome) == ("stamp", "0007", "0008", "succeeded")
    assert last.note == "forced: stamped 0008 over 1 difference (python -m helpers stamp --force)"


def test_the_same_schema_stamps(database: Database) -> None:
    assert database.alembic("upgrade", "0007").returncode == 0
    database.sql("DELETE FROM alembic_version")  # a database whose revision was lost, schema intact
    out = io.StringIO()

    assert checked_stamp(INI, database.url, "0007", out=out) is True

    assert "Same: the database is what revision 0007 builds." in out.getvalue()
    assert database.scalar("SELECT version_num FROM alembic_version") == "0007"


HAND_MADE = """
CREATE SCHEMA reporting;
CREATE VIEW reporting.daily AS SELECT date_trunc('day', created_at) AS day, count(*) FROM events GROUP BY 1;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE SEQUENCE invoice_numbers START 1000;
CREATE TYPE camera_state AS ENUM ('on', 'off');
CREATE INDEX ix_events_kind ON events (kind);
ALTER TABLE cameras ADD CONSTRAINT ck_cameras_name CHECK (name <> '') NOT VALID;
ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anonymous';
DROP INDEX ix_users_email;
CREATE TABLE legacy_imports (id int);
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann'), (2, 'ann@example.com', 'Ann Lee');
"""
#: What a failed concurrent build leaves: an INVALID index (duplicates stopped it).
INVALID_INDEX = "CREATE UNIQUE INDEX CONCURRENTLY ix_users_email ON users (email)"


def test_every_kind_of_object_that_differs_is_named(database: Database) -> None:
    assert database.alembic("upgrade", "0007").returncode == 0
    database.sql(HAND_MADE)
    with database.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(INVALID_INDEX)

    found = compare(INI, database.url, "0007", ignore=["legacy_*"])

    shown = lines(found)
    assert not found.same
    assert {(d.group, d.label) for d in found.differences} == {
        ("schema reporting", "schema"),
        ("view reporting.daily", "view"),
        ("function public.touch()", "function"),
        ("table public.users", "trigger users_touch"),
        ("sequence public.invoice_numbers", "sequence"),
        ("enum public.camera_state", "enum"),
        ("table public.events", "index ix_events_kind"),
        ("table public.cameras", "constraint ck_cameras_name"),
        ("table public.users", "column name"),
        ("table public.users", "index ix_users_email"),
    }
    assert (
        "  constraint ck_cameras_name: revision 0007 has nothing / the database has "
        "CHECK ((name <> ''::text)) NOT VALID"
    ) in shown
    assert "  schema: revision 0007 has nothing / the database has a schema" in shown
    assert (
        "  index ix_users_email: revision 0007 has CREATE UNIQUE INDEX ix_users_email ON public.users USING btree "
        "(email) / the database has CREATE UNIQUE INDEX ix_users_email ON public.users USING btree (email) (INVALID)"
    ) in shown
    assert (
        "  column name: revision 0007 has text NOT NULL / the database has text NOT NULL DEFAULT 'anonymous'::text"
    ) in shown
    assert not [d for d in found.differences if "legacy_imports" in d.group]
    assert shown[-1] == "Different: 10 differences in 8 objects; the database is not what revision 0007 builds."


def test_an_ordinary_project_compares_too(database: Database, tmp_path: Path) -> None:
    shop = ordinary_project(tmp_path)
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    assert compare(shop / "alembic.ini", database.url, "head").same
    database.sql("DROP INDEX ix_orders_customer_id")
    (missing,) = compare(shop / "alembic.ini", database.url, "head").differences
    assert (missing.group, missing.label) == ("table public.orders", "index ix_orders_customer_id")
    assert missing.actual is None


def test_json_and_a_throwaway_server_for_a_role_that_may_not_create_databases(phone_by_hand: Database) -> None:
    """--throwaway builds the revision on a throwaway server of the same major: no CREATEDB needed here."""
    role, password = f"reader_{secrets.token_hex(3)}", secrets.token_hex(8)
    phone_by_hand.sql(f"CREATE ROLE {role} LOGIN NOCREATEDB PASSWORD '{password}'")
    url = phone_by_hand.engine.url.set(username=role, password=password).render_as_string(hide_password=False)
    try:
        env = {**phone_by_hand.env, **throwaway_image(), "DATABASE_URL": url}
        assert cli("compare", "0008", env=env).status == 2  # no right to create the scratch database here
        result = cli("compare", "0008", "--throwaway", "--json", env=env)
    finally:
        phone_by_hand.sql(f"DROP ROLE {role}")

    assert result.status == 1, result.err
    found = json.loads(result.out)
    assert found["same"] is False and found["built_on"].startswith("an empty database on a throwaway PostgreSQL ")
    assert found["differences"] == [
        {"object": "table public.users", "what": "column phone", "revision_has": "character varying(32) NULL",
         "database_has": "integer NULL"}
    ]


def test_history_json(phone_by_hand: Database) -> None:
    result = cli("history", "--json", "--limit", "1", env=phone_by_hand.env)
    assert result.status == 0
    (last,) = json.loads(result.out)
    assert (last["command"], last["from_revision"], last["to_revision"], last["outcome"]) == (
        "upgrade", "base", "0007", "succeeded"
    )
    assert set(last) >= {"started_at", "ended_at", "duration_seconds", "sqlstate", "category", "message", "username",
                         "client_host", "application_name", "note"}


@pytest.fixture
def unknown_revision(database: Database, tmp_path: Path) -> Path:
    """The ordinary project at head, its alembic_version naming a revision its scripts do not have (a rolled-back
    deploy's)."""
    shop = ordinary_project(tmp_path)
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    database.sql(f"UPDATE alembic_version SET version_num = '{GONE}'")
    return shop


GONE = "0badc0ffee00"


@pytest.mark.parametrize("command", [("rehearse",), ("rehearse", "--copy", "dump")], ids=["clone", "dump"])
def test_a_revision_the_scripts_do_not_know_is_bad_input_naming_it(
    database: Database, unknown_revision: Path, command: tuple[str, ...]
) -> None:
    before = database.fingerprint(history=True)

    result = cli(*command, cwd=unknown_revision, env={**database.env, **throwaway_image()})

    assert (result.status, result.out) == (2, "")
    assert result.err.startswith(
        f"error: Database {database.name!r} is at revision {GONE!r}, which this project's scripts do not have "
        "(heads: c7d93e4f0a21)"
    )
    assert "python -m helpers identify" in result.err and len(result.err.splitlines()) == 1
    assert database.fingerprint(history=True) == before


def test_stamp_replaces_a_revision_the_scripts_do_not_know_when_compare_says_same(
    database: Database, unknown_revision: Path
) -> None:
    assert cli("compare", "c7d93e4f0a21", cwd=unknown_revision, env=database.env).status == 0

    result = cli("stamp", "c7d93e4f0a21", cwd=unknown_revision, env=database.env)

    assert result.status == 0, (result.out, result.err)
    assert f"alembic_version holds {GONE}, which this project's scripts do not have" in result.out
    assert database.scalar("SELECT version_num FROM alembic_version") == "c7d93e4f0a21"


def test_stamp_force_replaces_a_revision_the_scripts_do_not_know(database: Database, unknown_revision: Path) -> None:
    database.sql("DROP INDEX ix_orders_customer_id")

    assert cli("stamp", "c7d93e4f0a21", cwd=unknown_revision, env=database.env).status == 1
    assert database.scalar("SELECT version_num FROM alembic_version") == GONE
    result = cli("stamp", "c7d93e4f0a21", "--force", cwd=unknown_revision, env=database.env)

    assert result.status == 0, (result.out, result.err)
    assert database.scalar("SELECT version_num FROM alembic_version") == "c7d93e4f0a21"


def test_history_where_env_py_does_not_record_attempts(database: Database, tmp_path: Path) -> None:
    """The generic env.py records nothing: history says so, --json says null (no table), not [] (an empty one)."""
    shop = ordinary_project(tmp_path)
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0

    result = cli("history", cwd=shop, env=database.env)
    assert (result.status, result.out) == (0, (
        "No attempts recorded: there is no alembic_history table, and this project's env.py does not record "
        "attempts (wrap its run_migrations() in helpers.history.recorded(context, connection)).\n"
    ))
    assert json.loads(cli("history", "--json", cwd=shop, env=database.env).out) is None
    database.sql(str(sa.schema.CreateTable(history_table()).compile(dialect=postgresql.dialect())))
    assert json.loads(cli("history", "--json", cwd=shop, env=database.env).out) == []


def test_stamp_force_says_when_env_py_did_not_record_it(database: Database, tmp_path: Path) -> None:
    shop = ordinary_project(tmp_path)
    assert database.alembic("upgrade", "8a4e6d2c1b05", cwd=shop).returncode == 0

    result = cli("stamp", "c7d93e4f0a21", "--force", cwd=shop, env=database.env)

    assert result.status == 0, result.err
    assert "records it as forced" not in result.out
    assert result.out.splitlines()[-1] == (
        "Not recorded as forced: this project's env.py does not record attempts in alembic_history "
        "(helpers.history.recorded); keep a note of this stamp yourself."
    )


def test_stamp_force_says_where_env_py_recorded_it(phone_by_hand: Database) -> None:
    result = cli("stamp", "0008", "--force", env=phone_by_hand.env)
    assert result.status == 0, result.err
    assert result.out.splitlines()[-1].startswith("The attempt history records it as forced (alembic_history, attempt ")


@pytest.fixture
def base_outside(database: Database, tmp_path: Path) -> Path:
    """A project whose base (customers) is made outside the revisions, and the database at its head, made the way
    the application makes it: the base first, then ``alembic upgrade head``."""
    shop = ordinary_project(tmp_path, base_outside=True)
    database.sql(BASE_SQL)
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    return shop


def test_a_base_made_outside_the_revisions_cannot_be_built_without_a_seed(
    database: Database, base_outside: Path
) -> None:
    before = database.fingerprint(history=True)

    result = cli("compare", "head", cwd=base_outside, env=database.env)

    assert (result.status, result.out) == (2, "")
    assert result.err == (
        'error: Revision head cannot be built in an empty database: relation "customers" does not exist; if the '
        "revisions build on a schema made outside them (metadata.create_all()), give it with --seed FILE.sql or "
        "--seed module:function.\n"
    )
    assert database.fingerprint(history=True) == before


@pytest.mark.parametrize("seed", ["base.sql", BASE_FUNCTION], ids=["sql", "function"])
def test_seed_makes_the_base_first_and_compare_says_same(database: Database, base_outside: Path, seed: str) -> None:
    before = database.fingerprint(history=True)

    result = cli("compare", "head", "--seed", seed, cwd=base_outside, env=database.env)

    assert (result.status, result.err) == (0, "")
    first, *rest = result.out.splitlines()
    assert first.startswith(f"Built revision head in a database on the same server seeded from {seed} in ")
    assert rest == ["Same: the database is what revision head builds."]
    assert json.loads(cli("compare", "head", "--seed", seed, "--json", cwd=base_outside, env=database.env).out)[
        "seed"] == seed
    assert database.fingerprint(history=True) == before
    assert not database.scalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'compare_%'")


def test_seed_still_finds_what_differs(database: Database, base_outside: Path) -> None:
    database.sql("ALTER TABLE customers ADD COLUMN legacy_code text")

    found = compare(base_outside / "alembic.ini", database.url, "head", seed=base_outside / "base.sql")

    assert [(d.group, d.label) for d in found.differences] == [("table public.customers", "column legacy_code")]


def test_stamp_after_compare_with_a_seed(database: Database, base_outside: Path) -> None:
    database.sql("DELETE FROM alembic_version")  # the revision was lost, the schema is head's
    assert cli("compare", REWRITING, "--seed", "base.sql", cwd=base_outside, env=database.env).status == 0

    result = cli("stamp", REWRITING, "--seed", "base.sql", cwd=base_outside, env=database.env)

    assert result.status == 0, (result.out, result.err)
    assert result.out.splitlines()[-1] == f"Stamped {REWRITING}."
    assert database.scalar("SELECT version_num FROM alembic_version") == REWRITING


def test_seed_on_a_throwaway_server(database: Database, base_outside: Path) -> None:
    """--throwaway: the seed file runs with the throwaway server's own psql."""
    env = {**database.env, **throwaway_image()}

    result = cli("compare", "head", "--seed", "base.sql", "--throwaway", cwd=base_outside, env=env)

    assert result.status == 0, (result.out, result.err)
    assert " seeded from base.sql in " in result.out.splitlines()[0]
    assert result.out.splitlines()[0].startswith("Built revision head in a database on a throwaway PostgreSQL ")


def test_a_schema_only_dump_of_the_base_is_a_seed(database: Database, tmp_path: Path) -> None:
    """pg_dump's own output seeds too: its owner lines and psql meta-commands (``\\restrict``) included."""
    shop = ordinary_project(tmp_path, base_outside=True)
    database.sql(BASE_SQL)
    dump = tmp_path / "base-dump.sql"
    with dump.open("w") as out:
        subprocess.run(["pg_dump", "--schema-only"], env=database.env, stdout=out, check=True)
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0

    result = cli("compare", "head", "--seed", str(dump), cwd=shop, env=database.env)

    assert (result.status, result.err) == (0, "")
    assert result.out.splitlines()[-1] == "Same: the database is what revision head builds."
