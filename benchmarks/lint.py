"""python -m helpers lint on a 120-revision history, printed as figures (run: nox -s benchmark-lint).

The history is the example project's nine revisions and 111 generated ones on top (added columns,
indexes plain and concurrent, constraints, SQL, tables), linted three ways, each the median of ROUNDS
runs in a fresh process as a reader runs it: our rules only (``--no-squawk``), with squawk on the
offline SQL (the default), and one changed file with squawk (what the pre-commit hook does).
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROJECT = ROOT / "snippets" / "project"

ROUNDS = 5
REVISIONS = 120
BODIES = (
    'op.add_column("events", sa.Column("c{n}", sa.Text))',
    'op.create_index("ix_events_c{m}", "events", ["c{m}"])',
    'with op.get_context().autocommit_block():\n        op.create_index("ix2_events_c{m}", "events", ["c{m}"], '
    "postgresql_concurrently=True)",
    'op.create_check_constraint("ck_events_c{m}", "events", "c{m} <> \'\'", postgresql_not_valid=True)',
    'op.execute("""\n        ALTER TABLE users ADD COLUMN u{n} integer;\n'
    '        COMMENT ON COLUMN users.u{n} IS \'x\';\n    """)',
    'op.create_table("t{n}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.String(20)))',
)


def history(folder: Path) -> Path:
    project = folder / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    for n in range(10, REVISIONS + 1):
        body = BODIES[n % len(BODIES)].format(n=n, m=n - 1 - (n - 1) % len(BODIES))
        (project / "versions" / f"{n:04d}_generated.py").write_text(
            f'"""Generated {n}."""\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = "{n:04d}"\n'
            f'down_revision = "{n - 1:04d}"\n\n\ndef upgrade() -> None:\n    {body}\n\n\n'
            "def downgrade() -> None:\n    pass  # generated: nothing to undo\n")
    return project


def timed(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system, of the process and what it starts) of one run, its last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "helpers", "lint", *args], cwd=cwd, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)})
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1) or result.stderr.strip():
        raise SystemExit(f"lint failed: {result.stderr.strip()}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, result.stdout.strip().splitlines()[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = history(Path(folder))
        files = len(list((project / "versions").glob("*.py")))
        print(f"history: {files} revision files; median of {ROUNDS} runs, each a fresh process")
        for label, args in (("our rules only (--no-squawk)", ["--no-squawk"]),
                            ("with squawk (default)", []),
                            ("one file, with squawk (pre-commit)", [f"versions/{REVISIONS:04d}_generated.py"])):
            runs = [timed(args, project) for _ in range(ROUNDS)]
            wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            print(f"{label:38} {wall:6.2f} s wall  {cpu:5.2f} s CPU   {runs[0][2]}")
        from helpers.tools.lint import run as lint

        durations = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            lint.lint(None, project / "alembic.ini", lint.Options(squawk=False))
            durations.append(time.perf_counter() - start)
        print(f"{'in process, lint() without squawk':38} {statistics.median(durations):6.2f} s wall "
              "(the rest of a run is Python starting and importing SQLAlchemy and Alembic)")


if __name__ == "__main__":
    main()
