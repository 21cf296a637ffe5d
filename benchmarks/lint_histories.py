"""python -m helpers lint on real Alembic histories nobody here wrote, counted per rule (run: python
benchmarks/lint_histories.py [FOLDER]; needs pip and the network to PyPI once, FOLDER keeps the downloads).

Three pinned sdists from PyPI that ship their versions folder: MLflow's tracking store (67 revisions for SQLite,
MySQL, SQL Server and PostgreSQL alike: dialect branches, batch operations, downgrades that do nothing),
FitTrackee (78 revisions for PostgreSQL only: autogenerate, data fixes in SQL) and dstack (141 revisions in yearly
subfolders for SQLite and PostgreSQL: dialect branches, text() with binds). No env.py of theirs runs offline
without the application installed, so squawk is not run here: our rules are what is counted. The findings
read and classified are in benchmarks/lint_histories.md.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORIES = {  # sdist -> the folder of its revisions, inside the sdist
    "mlflow-skinny==3.17.2": "mlflow_skinny-3.17.2/mlflow/store/db_migrations/versions",
    "fittrackee==1.3.6": "fittrackee-1.3.6/fittrackee/migrations/versions",
    "dstack==0.22.5": "dstack-0.22.5/src/dstack/_internal/server/migrations/versions",
}


def download(requirement: str, folder: Path) -> Path:
    name, version = requirement.split("==")
    found = list(folder.glob(f"{name.replace('-', '_')}-{version}.tar.gz"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", requirement,
                        "-d", str(folder)], check=True, capture_output=True)
        found = list(folder.glob(f"{name.replace('-', '_')}-{version}.tar.gz"))
    (sdist,) = found
    with tarfile.open(sdist) as tar:
        tar.extractall(folder, filter="data")
    return folder


def lint(versions: Path) -> list[dict[str, object]]:
    result = subprocess.run([sys.executable, "-m", "helpers", "lint", "--no-squawk", "--format", "json", "."],
                            cwd=versions, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})
    if result.returncode not in (0, 1):
        raise SystemExit(f"lint failed on {versions}: {result.stderr.strip()}")
    findings: list[dict[str, object]] = json.loads(result.stdout)
    return findings


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="lint-histories-"))
    folder.mkdir(parents=True, exist_ok=True)
    for requirement, inside in HISTORIES.items():
        versions = download(requirement, folder) / inside
        findings = lint(versions)
        files = len([p for p in versions.rglob("*.py") if p.name != "__init__.py"])
        counts = collections.Counter(str(f["rule"]) for f in findings)
        print(f"{requirement}: {files} revision files, {len(findings)} findings")
        print("  " + "  ".join(f"{rule} {n}" for rule, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
