"""What ``migration-rollback identify`` costs on its first call, and on the next one, which reads its cache
(run: python benchmarks/identify.py [N]).

Two histories, each on a database at its head whose ``alembic_version`` was emptied (what identify is for):
the example project (``snippets/project``, 9 revisions) and a copy of it with N more revisions (default 200),
each adding a column, as a long-lived application's history does. For each: the first call (builds every
revision in a scratch database and keeps the schemas), the next calls (read them; three, the median shown), and
``--no-cache`` (builds again, keeps nothing). In this process, so without the interpreter's start-up; the cache
in a temporary ``XDG_CACHE_HOME``. The server is the tests' throwaway one (embedded PostgreSQL 18, or
``PG_MAJOR=15`` in a container).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from helpers.tools.schema.identify import Identification, identify
from helpers.tools.shared.running import run
from helpers.tools.shared.scripts import load_scripts
from tests.support import throwaway
from tests.support.paths import PROJECT

_REVISION = '''"""add events.extra_{n}"""
from alembic import op
import sqlalchemy as sa

revision = "x{n:04d}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("events", sa.Column("extra_{n}", sa.Text))


def downgrade():
    op.drop_column("events", "extra_{n}")
'''


def longer(folder: Path, count: int) -> Path:
    """The example project with ``count`` more revisions after 0009; its alembic.ini."""
    project = folder / f"security-{count}"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    down = "0009"
    for n in range(1, count + 1):
        (project / "versions" / f"x{n:04d}_add_events_extra_{n}.py").write_text(_REVISION.format(n=n, down=down))
        down = f"x{n:04d}"
    return project / "alembic.ini"


def timed(fn: Callable[[], Identification]) -> tuple[float, Identification]:
    start = time.perf_counter()
    found = fn()
    return time.perf_counter() - start, found


def measure(server: throwaway.Server, ini: Path, label: str) -> None:
    url = server.url(server.create_database())
    outcome = run(load_scripts(ini), url, "upgrade", "heads")
    assert outcome.ok, outcome.output
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM alembic_version")
    engine.dispose()
    given = url.render_as_string(hide_password=False)
    first, found = timed(lambda: identify(ini, given))
    assert found.matches and found.cached is None, found.unbuilt
    again = []
    for _ in range(3):
        seconds, hit = timed(lambda: identify(ini, given))
        assert hit.cached is not None and [s.name for s in hit.matches] == [s.name for s in found.matches]
        again.append(seconds)
    bypassed, _ = timed(lambda: identify(ini, given, cache=False))
    cached = statistics.median(again)
    revisions = len(found.states) - 1
    print(f"{label}, {revisions} revisions, PostgreSQL {server.major} ({server.provider}):")
    print(f"  first call: builds every revision, keeps them  {first * 1000:8.0f} ms")
    print(f"  next call: reads the cache (median of 3)        {cached * 1000:8.0f} ms   {first / cached:.0f}x faster")
    print(f"  --no-cache: builds again, keeps nothing         {bypassed * 1000:8.0f} ms")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    folder = Path(tempfile.mkdtemp(prefix="identify-bench-"))
    os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
    server = throwaway.start()
    if server.bin_dir is not None:
        os.environ["PATH"] = f"{server.bin_dir}{os.pathsep}{os.environ['PATH']}"
    try:
        measure(server, PROJECT / "alembic.ini", "example project")
        measure(server, longer(folder, count), f"example project + {count} revisions")
        size = sum(p.stat().st_size for p in (folder / "cache").rglob("*.json.gz"))
        print(f"  the cache's two entries on disk: {size / 1024:.0f} KiB")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
