"""What a rehearsal costs (run: nox -s benchmark-rehearse, or python benchmarks/rehearse.py).

- tracing: the example project's whole history (base -> 0009) by a plain ``alembic upgrade head``
  against ``python -m helpers rehearse`` (copy, traced upgrade, round trip, drop) and against the
  rehearsal without its round trip, each on a fresh database of the same server, one run each
  after one untimed run of each (in this process, so without the interpreter's start-up);
- the copy: a database of 1,000,000 rows (``events``, at revision 0009) copied by each method,
  ``CREATE DATABASE ... TEMPLATE`` on the same server and ``pg_dump`` restored into a throwaway
  server of the same major (its start included, and shown apart).

The server is the tests' throwaway one (embedded PostgreSQL 18, or ``PG_MAJOR=15`` in a container).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.tools.rehearse.run import rehearse
from helpers.tools.rehearse.trace import RELFILENODES, Tracer
from helpers.tools.shared import scratch, servers
from helpers.tools.shared.database import database_url, engine
from helpers.tools.shared.running import run
from helpers.tools.shared.scripts import load_scripts
from tests.support import throwaway
from tests.support.paths import PROJECT

ROWS = 1_000_000
INI = PROJECT / "alembic.ini"


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def plain_upgrade(url: str) -> None:
    proj = load_scripts(INI)
    outcome = run(proj, database_url(url), "upgrade", "head")
    assert outcome.ok, outcome.output


def traced_upgrade(url: str) -> None:
    """The upgrade alone, traced as a rehearsal traces it (events, pg_locks after each statement), no copy."""
    proj = load_scripts(INI)
    target = database_url(url)
    observer = engine(target, isolation_level="AUTOCOMMIT")
    try:
        with observer.connect() as conn:
            nodes = {int(oid): int(node) for oid, node in conn.exec_driver_sql(RELFILENODES)}
        tracer = Tracer(nodes, observer.raw_connection)
        with tracer.listening():
            outcome = run(proj, target, "upgrade", "head", hooks=tracer.hooks)
        assert outcome.ok and tracer.statements, outcome.output
    finally:
        observer.dispose()


def tracing(server: throwaway.Server) -> None:
    urls = []
    for _ in range(6):
        name = server.create_database()
        urls.append(server.url(name).render_as_string(hide_password=False))
    # Warm-up, untimed: the first run of each loads env.py, the revisions and the drivers' caches.
    plain_upgrade(urls[3])
    rehearse(INI, urls[4], round_trip=False)
    plain, _ = timed(lambda: plain_upgrade(urls[0]))
    traced, _ = timed(lambda: traced_upgrade(urls[5]))
    full, found = timed(lambda: rehearse(INI, urls[1]))
    assert getattr(found, "ok", False)
    bare, _ = timed(lambda: rehearse(INI, urls[2], round_trip=False))
    print(f"example project, base -> 0009 (9 revisions), PostgreSQL {server.major} ({server.provider}):")
    print(f"  plain alembic upgrade head (in-process)     {plain * 1000:8.0f} ms")
    print(f"  the same upgrade, traced                    {traced * 1000:8.0f} ms   x{traced / plain:.1f}")
    print(f"  rehearse, no round trip                     {bare * 1000:8.0f} ms   x{bare / plain:.1f}")
    print(f"  rehearse (copy, traced, down, up, drop)     {full * 1000:8.0f} ms   x{full / plain:.1f}")


def copies(server: throwaway.Server) -> None:
    name = server.create_database()
    url = server.url(name)
    plain_upgrade(url.render_as_string(hide_password=False))
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'A')")
        conn.exec_driver_sql("INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'hall')")
        conn.exec_driver_sql(
            f"INSERT INTO events (camera_id, kind) SELECT 1, 'motion' FROM generate_series(1, {ROWS})"
        )
        size = conn.exec_driver_sql("SELECT pg_size_pretty(pg_database_size(current_database()))").scalar()
    engine.dispose()
    print(f"copying a database of {ROWS:,} rows ({size}):")
    seconds, made = timed(lambda: scratch.clone(url))
    assert isinstance(made, scratch.Scratch)
    made.drop()
    print(f"  clone: CREATE DATABASE ... TEMPLATE         {seconds * 1000:8.0f} ms")
    started, server_made = timed(lambda: servers.throwaway(server.major))
    assert isinstance(server_made, servers.Throwaway)
    server_made.stop()
    seconds, made = timed(lambda: scratch.from_dump(url, server.major))
    assert isinstance(made, scratch.Scratch)
    provider = made.server.provider if made.server else "?"
    made.drop()
    print(f"  dump: pg_dump, throwaway server, psql       {seconds * 1000:8.0f} ms   "
          f"(of which starting {provider}: about {started * 1000:.0f} ms)")


def main() -> None:
    server = throwaway.start()
    if server.bin_dir is not None:
        os.environ["PATH"] = f"{server.bin_dir}{os.pathsep}{os.environ['PATH']}"
    if server.provider.startswith("testcontainers"):
        from tests.support import images

        os.environ.setdefault(servers.IMAGE_VARIABLE, images.image_for(server.major))
    try:
        tracing(server)
        copies(server)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
