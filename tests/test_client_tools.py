"""The client tools the pages run (psql, pg_dump) print as they would in a terminal, on every server.

On a container they run inside it: through ``nsenter`` as root (the tool writes to the caller's own descriptors),
else ``docker exec``, which carries stdout and stderr as two streams: merged afterwards, their lines came in any
order (3 of 40 runs of a page's ``psql -f`` before the wrapper in tests/support/throwaway.py merged them inside
the container). So this runs on every version, not once.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.database import Database

SCRIPT = "BEGIN;\nSELECT 1 / 0;\nROLLBACK;\n"
IN_ORDER = "BEGIN\npsql:script.sql:2: ERROR:  division by zero\nROLLBACK\n"


def test_psql_keeps_stdout_and_stderr_in_the_order_it_wrote_them(database: Database, tmp_path: Path) -> None:
    (tmp_path / "script.sql").write_text(SCRIPT, encoding="utf-8")
    outputs = {database.psql("-f", "script.sql", cwd=tmp_path).output for _ in range(30)}
    assert outputs == {IN_ORDER}
