"""Batched backfills (helpers.backfill): bounded batches, progress logged, resumable after a failure."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from helpers import MigrationHelperError
from helpers.diagnosis import sqlstate_of
from tests.support.database import Database
from tests.support.migrating import migration

VALUES = {"email_normalized": sa.text("lower(email)"), "touched": sa.text("touched + 1")}


@pytest.fixture
def users(database: Database) -> Database:
    database.sql(
        """
        CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, email_normalized text,
                            touched int NOT NULL DEFAULT 0);
        INSERT INTO users (email) SELECT 'User' || g || '@Example.com' FROM generate_series(1, 2500) g;
        """
    )
    return database


def test_batches_are_bounded_and_logged(users: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alembic.helpers")
    with migration(users.engine, "normalize") as ctx:
        done = ctx.backfill("users", VALUES, "email_normalized IS NULL", batch_size=1000)
    assert done == 2500
    assert users.scalar("SELECT count(*) FROM users WHERE email_normalized = lower(email)") == 2500
    progress = [r.getMessage() for r in caplog.records if "backfill public.users batch" in r.getMessage()]
    assert progress == [
        "normalize: backfill public.users batch 1: 1000 rows (1000 so far), id up to 1000 of 2500",
        "normalize: backfill public.users batch 2: 1000 rows (2000 so far), id up to 2000 of 2500",
        "normalize: backfill public.users batch 3: 500 rows (2500 so far), id up to 2500 of 2500",
    ]


def test_resumes_after_a_failure_without_redoing_finished_batches(users: Database) -> None:
    users.sql(
        """
        CREATE FUNCTION refuse_1500() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN IF NEW.id = 1500 THEN RAISE EXCEPTION 'row 1500 is broken' USING ERRCODE = '22023'; END IF;
               RETURN NEW; END $$;
        CREATE TRIGGER refuse_1500 BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION refuse_1500();
        """
    )
    with pytest.raises(sa.exc.DBAPIError) as caught, migration(users.engine, "normalize") as ctx:
        ctx.backfill("users", VALUES, "email_normalized IS NULL", batch_size=1000)
    assert sqlstate_of(caught.value) == "22023"  # a DataError through psycopg, a plain DBAPIError through asyncpg
    assert users.scalar("SELECT count(*) FROM users WHERE touched = 1") == 1000  # batch 1 was committed

    users.sql("DROP TRIGGER refuse_1500 ON users")
    with migration(users.engine, "normalize") as ctx:
        assert ctx.backfill("users", VALUES, "email_normalized IS NULL", batch_size=1000) == 1500
    assert users.scalar("SELECT count(*) FROM users WHERE touched = 1") == 2500  # each row updated once


def test_bad_input_names_the_value_and_writes_nothing(users: Database) -> None:
    before = users.fingerprint()
    for kwargs, message in [
        ({"batch_size": 0}, "batch_size 0 is not valid; give a whole number from 1 to 100000."),
        ({"key": "uid"}, "Column 'uid' does not exist in table 'public.users'."),
        ({"pause": -1}, "pause -1 is not valid; give seconds, 0 or more."),
    ]:
        with pytest.raises(MigrationHelperError) as caught, migration(users.engine) as ctx:
            ctx.backfill("users", VALUES, "email_normalized IS NULL", **kwargs)
        assert str(caught.value) == message
    assert users.fingerprint() == before
