"""Constraints without a long lock (helpers.constraints): NOT VALID, then VALIDATE in its own transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from helpers import MigrationHelperError
from helpers.diagnosis import sqlstate_of
from tests.support.database import Database
from tests.support.migrating import migration


@pytest.fixture
def shop(database: Database) -> Database:
    database.sql(
        """
        CREATE TABLE cameras (id serial PRIMARY KEY, status text, location text);
        CREATE TABLE events (id serial PRIMARY KEY, camera_id int NOT NULL);
        INSERT INTO cameras (status, location) VALUES ('active', 'hall'), ('retired', NULL);
        INSERT INTO events (camera_id) VALUES (1), (2), (1);
        """
    )
    return database


def constraint(db: Database, name: str) -> tuple[str, bool] | None:
    row = db.sql("SELECT contype::text, convalidated FROM pg_constraint WHERE conname = :n", n=name).one_or_none()
    return (row[0], row[1]) if row else None


def test_foreign_key_added_not_valid_then_validated_and_a_rerun_does_nothing(shop: Database) -> None:
    with migration(shop.engine, "events_fk") as ctx:
        ctx.add_foreign_key("fk_events_camera", "events", "cameras", ["camera_id"], ["id"], validate=False)
    assert constraint(shop, "fk_events_camera") == ("f", False)

    with migration(shop.engine, "events_fk") as ctx:
        ctx.add_foreign_key("fk_events_camera", "events", "cameras", ["camera_id"], ["id"])
    assert constraint(shop, "fk_events_camera") == ("f", True)

    with migration(shop.engine, "events_fk") as ctx:
        ctx.add_foreign_key("fk_events_camera", "events", "cameras", ["camera_id"], ["id"])
    assert ctx.actions == ["constraint fk_events_camera on public.events already validated, nothing to do"]


def test_orphans_fail_the_validation_and_leave_the_constraint_not_valid_until_fixed(shop: Database) -> None:
    shop.sql("INSERT INTO events (camera_id) VALUES (42)")
    with pytest.raises(sa.exc.IntegrityError) as caught, migration(shop.engine, "events_fk") as ctx:
        ctx.add_foreign_key("fk_events_camera", "events", "cameras", ["camera_id"], ["id"])
    assert sqlstate_of(caught.value) == "23503"
    # ADD ... NOT VALID was committed before VALIDATE ran: the guide's "what it gives up".
    assert constraint(shop, "fk_events_camera") == ("f", False)
    with pytest.raises(sa.exc.IntegrityError):  # new rows are checked already
        shop.sql("INSERT INTO events (camera_id) VALUES (43)")

    shop.sql("DELETE FROM events WHERE camera_id = 42")
    with migration(shop.engine, "events_fk") as ctx:
        ctx.add_foreign_key("fk_events_camera", "events", "cameras", ["camera_id"], ["id"])
    assert constraint(shop, "fk_events_camera") == ("f", True)


def test_check_constraint(shop: Database) -> None:
    with migration(shop.engine) as ctx:
        ctx.add_check("ck_cameras_status", "cameras", "status IN ('active', 'retired')")
    assert constraint(shop, "ck_cameras_status") == ("c", True)


def test_set_not_null_through_a_validated_check(shop: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError) as caught, migration(shop.engine, "location_not_null") as ctx:
        ctx.set_not_null("cameras", "location")
    assert sqlstate_of(caught.value) == "23514"
    assert constraint(shop, "cameras_location_not_null") == ("c", False)

    shop.sql("UPDATE cameras SET location = 'unknown' WHERE location IS NULL")
    with migration(shop.engine, "location_not_null") as ctx:
        ctx.set_not_null("cameras", "location")
    nullable = shop.scalar(
        "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'cameras' AND column_name = 'location'"
    )
    assert nullable == "NO"
    assert constraint(shop, "cameras_location_not_null") is None  # the helper check is gone

    with migration(shop.engine, "location_not_null") as ctx:
        ctx.set_not_null("cameras", "location")
    assert ctx.actions == ["column public.cameras.location is already NOT NULL, nothing to do"]


def test_a_name_taken_by_another_kind_of_constraint_is_refused_and_nothing_written(shop: Database) -> None:
    shop.sql("ALTER TABLE events ADD CONSTRAINT ck_events CHECK (camera_id > 0)")
    before = shop.fingerprint()
    with pytest.raises(MigrationHelperError) as caught, migration(shop.engine) as ctx:
        ctx.add_foreign_key("ck_events", "events", "cameras", ["camera_id"], ["id"])
    assert str(caught.value) == (
        "Constraint 'ck_events' on 'public.events' already exists as a check constraint, not a foreign key."
    )
    with pytest.raises(MigrationHelperError, match="Table 'nope' does not exist"), migration(shop.engine) as ctx:
        ctx.add_check("ck_x", "nope", "true")
    with (
        pytest.raises(MigrationHelperError, match=r"Constraint 'missing' does not exist on table 'public\.events'"),
        migration(shop.engine) as ctx,
    ):
        ctx.validate_constraint("events", "missing")
    assert shop.fingerprint() == before
