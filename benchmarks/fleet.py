"""``fleet upgrade`` against a shell loop of ``alembic upgrade head`` and against ``xargs -P``, side by side.

N tenant databases of the example project at 0001 on one server (the embedded PostgreSQL 18, data on
disk: a thousand databases are about 7.5 GB), taken to head three ways in one run, each on fresh
clones: a shell loop (one ``alembic`` process per database, one after another), ``xargs -P WORKERS``
(as many at once as there are cores), and ``python -m helpers fleet upgrade --parallel WORKERS``.
Printed: each way's wall time, time per target, and the per-target overhead over the migrations' own
time (their ``duration_seconds`` in the ledger, what env.py measured around the revisions). Then
``fleet status`` on STATUS targets.

    python benchmarks/fleet.py [N] [--status STATUS] [--workers W] [--loop-sample K] [--xargs-sample K]

``--loop-sample K`` times the shell loop on the first K databases only and scales it to N (the loop
is by far the slowest; the figure says so when it is scaled); ``--xargs-sample K`` the same for ``xargs``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import throwaway  # noqa: E402
from tests.support.project import upgrade  # noqa: E402

PROJECT = ROOT / "snippets" / "project"


def clone(admin: sa.Engine, seed: str, names: list[str]) -> None:
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{seed}" STRATEGY FILE_COPY')


def drop(admin: sa.Engine, names: list[str]) -> None:
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url_text(srv: throwaway.Server, name: str) -> str:
    return srv.admin_url.set(database=name).render_as_string(hide_password=False)


def migration_seconds(srv: throwaway.Server, names: list[str]) -> float:
    """The migrations' own time, summed from the ledgers (env.py's measure around the revisions)."""
    total = 0.0
    for name in names:
        engine = sa.create_engine(srv.admin_url.set(database=name), poolclass=sa.NullPool)
        with engine.connect() as conn:
            total += float(conn.exec_driver_sql(
                "SELECT coalesce(sum(duration_seconds), 0) FROM alembic_history "
                "WHERE outcome = 'succeeded' AND to_revision = '0009'"
            ).scalar_one())
        engine.dispose()
    return total


def at_head(srv: throwaway.Server, names: list[str]) -> int:
    found = 0
    for name in names:
        engine = sa.create_engine(srv.admin_url.set(database=name), poolclass=sa.NullPool)
        with engine.connect() as conn:
            found += conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0009"
        engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--status", type=int, default=1000, help="targets for fleet status")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--loop-sample", type=int, default=None)
    parser.add_argument("--xargs-sample", type=int, default=None)
    args = parser.parse_args()
    n, workers = args.n, args.workers
    srv = throwaway.start(in_memory=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    python = sys.executable
    alembic = str(Path(python).parent / "alembic")
    print(f"PostgreSQL {srv.version} ({srv.provider}), {n} databases, {workers} workers, "
          f"{len(os.sched_getaffinity(0))} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    try:
        seed = srv.create_database()
        upgrade(srv.admin_url.set(database=seed), "0001")
        time.sleep(0.5)
        results: dict[str, tuple[float, int, float, int]] = {}
        with tempfile.TemporaryDirectory() as folder:
            for way in ("fleet", "xargs", "loop"):
                sample = {"loop": args.loop_sample, "xargs": args.xargs_sample}.get(way)
                count = min(sample or n, n)
                names = [f"{seed}_{way}_{i:04d}" for i in range(count)]
                began = time.perf_counter()
                clone(srv.admin, seed, names)
                print(f"{way}: {count} clones in {time.perf_counter() - began:.1f}s", flush=True)
                targets = Path(folder) / f"{way}.txt"
                targets.write_text("".join(f"{name} {url_text(srv, name)}\n" for name in names))
                urls = Path(folder) / f"{way}.urls"
                urls.write_text("".join(f"{url_text(srv, name)}\n" for name in names))
                if way == "fleet":
                    command = [python, "-m", "helpers", "fleet", "upgrade", "--targets", str(targets),
                               "--parallel", str(workers)]
                elif way == "xargs":
                    command = ["bash", "-c", f"xargs -P {workers} -I {{}} env DATABASE_URL={{}} {shlex.quote(alembic)} "
                               f"-c alembic.ini upgrade head < {shlex.quote(str(urls))}"]
                else:
                    command = ["bash", "-c", f"while read url; do DATABASE_URL=$url {shlex.quote(alembic)} "
                               f"-c alembic.ini upgrade head || exit 1; done < {shlex.quote(str(urls))}"]
                began = time.perf_counter()
                done = subprocess.run(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True)
                wall = time.perf_counter() - began
                if done.returncode != 0:
                    print(done.stderr[-3000:])
                    raise SystemExit(f"{way} failed")
                results[way] = (wall, count, migration_seconds(srv, names), at_head(srv, names))
                print(f"{way}: {wall:.1f}s", flush=True)
                drop(srv.admin, names)
        print()
        print(f"{'way':<34}{'wall (N)':>12}{'per target':>12}{'migrations':>12}{'overhead/target':>17}")
        for way, label in (("loop", "shell loop of alembic upgrade head"), ("xargs", f"xargs -P {workers}"),
                           ("fleet", f"fleet upgrade --parallel {workers}")):
            wall, count, own, heads = results[way]
            scaled = wall * n / count
            per = wall / count
            # each target's share of the workers' time, less what its migrations took
            lanes = 1 if way == "loop" else workers
            overhead = (wall * lanes - own) / count
            note = f"  (timed on {count}, scaled)" if count != n else ""
            print(f"{label:<34}{scaled:>11.1f}s{per * 1000:>10.0f}ms{own / count * 1000:>10.0f}ms"
                  f"{overhead * 1000:>15.0f}ms  {heads}/{count} at head{note}")
        fleet_wall = results["fleet"][0] * n / results["fleet"][1]
        loop_wall = results["loop"][0] * n / results["loop"][1]
        xargs_wall = results["xargs"][0] * n / results["xargs"][1]
        print(f"fleet: {loop_wall / fleet_wall:.1f}x the shell loop, {xargs_wall / fleet_wall:.1f}x xargs -P {workers}")

        # fleet status on STATUS targets (the seed's clones at 0001)
        names = [f"{seed}_status_{i:04d}" for i in range(args.status)]
        began = time.perf_counter()
        clone(srv.admin, seed, names)
        print(f"\nstatus: {args.status} clones in {time.perf_counter() - began:.1f}s", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            targets = Path(folder) / "status.txt"
            targets.write_text("".join(f"{name} {url_text(srv, name)}\n" for name in names))
            began = time.perf_counter()
            done = subprocess.run([python, "-m", "helpers", "fleet", "status", "--targets", str(targets)],
                                  cwd=PROJECT, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - began
        print(f"fleet status on {args.status} targets: {wall:.1f}s (the whole command, Python's start included), "
              f"exit {done.returncode}: {done.stdout.strip().splitlines()[-1]}")
        drop(srv.admin, names)
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
