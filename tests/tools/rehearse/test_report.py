"""helpers/tools/rehearse/report.py: a heading of the text report comes only with lines under it.

An empty "Blocks the application:" heading was reported once (issue 31) and never reproduced. The heading is
written with the lines of the blockers in one expression (``report._section``): no line, no heading. The runs
here are the cases that could have left it empty: every lock the migration takes filtered out (on tables it
creates, in one transaction or a transaction per revision, and locks weaker than SHARE on existing tables), and,
against it, a run whose heading has one line per blocker, the text and the JSON read from the same rehearsal.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpers.tools.rehearse.report import as_json, lines
from helpers.tools.rehearse.run import rehearse
from tests.support.database import Database
from tests.support.ordinary import REWRITING, ordinary_project

HEADING = "Blocks the application:"


def add_revision(root: Path, revision: str, down: str, upgrade: str) -> None:
    body = textwrap.indent(textwrap.dedent(upgrade).strip(), "    ")
    (root / "migrations" / "versions" / f"{revision}_added.py").write_text(
        f"from alembic import op\nimport sqlalchemy as sa\n\nrevision = {revision!r}\ndown_revision = {down!r}\n"
        f"branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n"
    )


@pytest.mark.parametrize("per_revision", [False, True], ids=["one transaction", "a transaction per revision"])
def test_no_lock_that_blocks_the_application_no_heading(database: Database, tmp_path: Path, per_revision: bool) -> None:
    """The second revision locks only what the first created (ACCESS EXCLUSIVE, SHARE) and takes SHARE UPDATE
    EXCLUSIVE on an existing table (ANALYZE): each lock is in its revision's table, none blocks the application."""
    root = ordinary_project(tmp_path, per_revision=per_revision)
    assert database.alembic("upgrade", REWRITING, cwd=root).returncode == 0
    add_revision(root, "f0d1a2b3c4e5", REWRITING, 'op.create_table("notes", sa.Column("id", sa.Integer))')
    add_revision(
        root,
        "f0d1a2b3c4e6",
        "f0d1a2b3c4e5",
        """
        op.create_index("ix_notes_id", "notes", ["id"])
        op.add_column("notes", sa.Column("body", sa.Text))
        op.execute("ANALYZE orders")
        """,
    )

    found = rehearse(root / "alembic.ini", database.alone(), round_trip=False)

    assert found.ok
    (second,) = [r for r in found.revisions if r.revision == "f0d1a2b3c4e6"]
    assert {(lock.table, lock.mode) for lock in second.tables} >= {
        ("public.notes", "AccessExclusiveLock"),
        ("public.orders", "ShareUpdateExclusiveLock"),
    }
    assert found.blockers == [] and as_json(found)["blockers"] == []
    shown = lines(found)
    assert HEADING not in shown
    assert shown[-1].startswith("OK: 2 revisions, ") and "no ACCESS EXCLUSIVE lock on an existing table" in shown[-1]


def test_the_heading_has_a_line_for_each_blocker(database: Database, tmp_path: Path) -> None:
    root = ordinary_project(tmp_path)
    assert database.alembic("upgrade", "8a4e6d2c1b05", cwd=root).returncode == 0

    found = rehearse(root / "alembic.ini", database.alone(), round_trip=False)  # the type change rewrites orders

    shown = lines(found)
    at = shown.index(HEADING)
    under = shown[at + 1 : shown.index("", at)]
    assert len(under) == len(found.blockers) == len(as_json(found)["blockers"]) >= 1
    assert all(line.startswith(f"  {REWRITING} blocks ") for line in under), under
