"""Every downgrade of the example project leaves the database as it was before its upgrade.

What pytest-alembic's experimental ``downgrade_leaves_no_trace`` checks (tests/peers/), checked
with this project's fingerprint (schema as pg_dump shows it, row counts, alembic_version),
revision by revision: fingerprint, upgrade one, downgrade one, fingerprint again.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.support.database import Database
from tests.support.paths import PROJECT, SNIPPETS
from tests.support.project import project_with

LEAVES_A_TRACE = SNIPPETS / "see-also" / "testing" / "leaves-a-trace" / "0010_add_camera_serial.py"


def revisions(workdir: Path) -> list[str]:
    """The project's revisions, oldest first."""
    script = ScriptDirectory.from_config(Config(str(workdir / "alembic.ini")))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def revisions_leaving_a_trace(database: Database, workdir: Path = PROJECT) -> list[str]:
    """The first revision whose downgrade does not give back the fingerprint from before its upgrade, if any."""
    # Alembic's version table stays after a downgrade to base, empty: start from there.
    assert database.alembic("stamp", "base", cwd=workdir).returncode == 0
    for revision in revisions(workdir):
        before = database.fingerprint()
        up = database.alembic("upgrade", revision, cwd=workdir)
        assert up.returncode == 0, up.output
        down = database.alembic("downgrade", "-1", cwd=workdir)
        assert down.returncode == 0, down.output
        if database.fingerprint() != before:
            return [revision]  # what it left behind may stop the next upgrade: the first one is the finding
        again = database.alembic("upgrade", revision, cwd=workdir)
        assert again.returncode == 0, again.output
    return []


def test_every_downgrade_leaves_no_trace(database: Database) -> None:
    assert revisions(PROJECT)[0] == "0001" and len(revisions(PROJECT)) >= 9
    assert revisions_leaving_a_trace(database) == []


def test_a_downgrade_that_forgets_a_column_is_named(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, LEAVES_A_TRACE)
    assert revisions_leaving_a_trace(database, workdir) == ["0010"]
