"""helpers/tools/failure_data.py: helpers/failures.json is what the pages, the drivers, Alembic and errcodes say now."""

from __future__ import annotations

import json

import alembic
import alembic.util.exc
import pytest

from helpers import matcher
from helpers.tools import failure_data
from tests.support.snapshots import check_file


def test_the_package_data_is_made_from_its_sources(update_snapshots: bool) -> None:
    """A page, a row, a driver or Alembic changed: ``--update-snapshots`` rewrites helpers/failures.json."""
    pytest.importorskip("psycopg2", reason="the data names psycopg2's classes: pip install -e '.[test]'")
    pytest.importorskip("asyncpg", reason="the data names asyncpg's classes: pip install -e '.[test]'")
    if alembic.__version__ != matcher.data()["alembic"]:
        pytest.skip(f"made with Alembic {matcher.data()['alembic']}, this is {alembic.__version__}")
    check_file(matcher.DATA, failure_data.text(), update_snapshots)


def test_every_message_alembics_command_layer_raises_is_read_from_its_source() -> None:
    """CommandError, ResolutionError, MultipleHeads, RangeNotAncestorError ...: each with a message and a row."""
    raised = failure_data.alembic_raises()
    by_class = {r["exception"] for r in raised}
    assert {"CommandError", "ResolutionError", "MultipleHeads", "RangeNotAncestorError", "RevisionError"} <= by_class
    if hasattr(alembic.util.exc, "DatabaseNotAtHead"):  # Alembic 1.14 and later
        assert "DatabaseNotAtHead" in by_class
    messages = [r["message"] for r in raised]
    for expected in (
        "Path doesn't exist: <x>.  Please use the 'init' command to create a new scripts folder.",
        "No 'script_location' key found in configuration.",
        "Can't locate revision identified by '<x>'",
        "Requested revision <x> overlaps with other requested revisions <x>",
    ):
        assert expected in messages


def test_alembics_messages_go_to_their_rows() -> None:
    rows = {m["message"]: m["row"] for m in json.loads(matcher.DATA.read_text(encoding="utf-8"))["alembic_messages"]}
    assert rows["Can't locate revision identified by '<x>'"] == "unknown_revision"
    assert rows["Relative revision <x> didn't produce <x> migrations"] == "downgrade_target"
    assert rows["Target database is not up to date."] == "not_up_to_date"
    assert rows["No 'script_location' key found in configuration."] == "script_location"
    assert rows["Using --sql with --autogenerate does not make any sense"] == "alembic"  # no page of its own


def test_every_code_has_its_condition_and_each_drivers_class() -> None:
    pytest.importorskip("psycopg2")
    pytest.importorskip("asyncpg")
    codes = failure_data.codes_data()
    assert codes["23505"]["conditions"] == ["unique_violation"]
    assert codes["23505"]["classes"] == [
        "psycopg.errors.UniqueViolation",
        "psycopg2.errors.UniqueViolation",
        "asyncpg.exceptions.UniqueViolationError",
    ]
    assert codes["72000"]["majors"] == [15, 16] and codes["10608"]["majors"] == [18, 19]
