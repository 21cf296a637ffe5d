"""The console command ``migration-rollback`` (pyproject.toml's [project.scripts]): the current folder cannot change
what runs, and the installed distribution takes no generic top-level import name."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support.database import Database
from tests.support.ordinary import REWRITING, ordinary_project
from tests.support.paths import PROJECT

CONSOLE = Path(sys.executable).parent / "migration-rollback"
SLEEP = "SELECT pg_sleep(60)"


def _project_with(tmp_path: Path, kind: str) -> Path:
    """A copy of the example project's alembic.ini and env.py with a ``helpers`` of its own beside them."""
    shutil.copy(PROJECT / "alembic.ini", tmp_path / "alembic.ini")
    if kind == "module":
        (tmp_path / "helpers.py").write_text("import sys\nsys.exit(0)\n")
    else:
        (tmp_path / "helpers").mkdir()
        (tmp_path / "helpers" / "__init__.py").write_text("")
        (tmp_path / "helpers" / "__main__.py").write_text("raise SystemExit(0)\n")
    return tmp_path


def _env() -> dict[str, str]:
    """The environment without the tests' PYTHONPATH (tests/conftest.py): an installed environment as a team has it."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


#: What runs and what is imported are the same on every server and driver: the `once` session runs these.
@pytest.mark.once
@pytest.mark.parametrize("kind", ["module", "package"])
def test_a_helpers_of_the_project_does_not_change_what_runs(tmp_path: Path, kind: str) -> None:
    """``python -m helpers`` in such a folder runs the project's own (exit 0, nothing printed: a gate passing
    silently); ``migration-rollback`` runs this one: bad input is exit 2 with its sentence, explain answers."""
    folder = _project_with(tmp_path, kind)
    shadowed = subprocess.run(
        [sys.executable, "-m", "helpers", "rehearse", "--max-lock", "1ms"],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert (shadowed.returncode, shadowed.stdout, shadowed.stderr) == (0, "", "")  # what the issue saw

    bad = subprocess.run(
        [CONSOLE, "rehearse", "--max-lock", "1 hour"], cwd=folder, env=_env(), capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("migration-rollback rehearse: Argument --max-lock: '1 hour' is not a duration")

    explained = subprocess.run([CONSOLE, "explain", "23505"], cwd=folder, env=_env(), capture_output=True, text=True)
    assert explained.returncode == 0, explained.stderr
    assert "unique_violation" in explained.stdout


@pytest.mark.once
def test_the_installed_distribution_takes_no_top_level_helpers(tmp_path: Path) -> None:
    """From a folder with nothing in it, the environment imports ``migration_rollback_helpers`` (this repository's
    helpers/) and has no ``helpers`` at all."""
    probe = (
        "import importlib.util as u, sys; "
        "print(u.find_spec('helpers') is None, u.find_spec('migration_rollback_helpers').origin)"
    )
    found = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    absent, origin = found.stdout.split()
    assert absent == "True"
    assert Path(origin) == Path(__file__).resolve().parent.parent / "helpers" / "__init__.py"


def _server(database: Database, sql: str) -> list[Any]:
    """Rows of ``sql`` read from the server's ``postgres`` database: a session on the test database would keep the
    rehearsal from cloning it."""
    engine = sa.create_engine(sa.make_url(database.url).set(database="postgres"), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)).all())
    finally:
        engine.dispose()


def _wait_for_sleep(database: Database, like: str, running: subprocess.Popen[Any]) -> None:
    """Until the rehearsal's copy runs the revision's pg_sleep (bounded)."""
    for _ in range(600):
        assert running.poll() is None, running.communicate()
        if _server(
            database,
            f"SELECT 1 FROM pg_stat_activity WHERE datname LIKE '{like}' AND state = 'active' AND query = {SLEEP!r}",
        ):
            return
        time.sleep(0.1)
    raise AssertionError("the rehearsal never reached its pg_sleep")


#: Starts the command by exec (the same process) with SIGINT as ``argv[1]`` says: ``default``, as a shell starts a
#: command in the foreground, or ``ignore``, as it starts a script's background job (``cmd &``) and all that job
#: starts (CI launched that way, and its test runs).
_START = (
    "import os, signal, sys; "
    "signal.signal(signal.SIGINT, signal.SIG_IGN if sys.argv[1] == 'ignore' else signal.SIG_DFL); "
    "os.execv(sys.argv[2], sys.argv[2:])"
)


def _handling(pid: int) -> str:
    """How the process treats SIGINT and SIGTERM, from /proc/PID/status (Linux): why a signal did nothing."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "its signal handling unknown"
    masks = dict(line.split(":", 1) for line in status.splitlines() if line.startswith(("SigBlk", "SigIgn", "SigCgt")))
    said = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        how = [
            word
            for word, mask in (("blocked", "SigBlk"), ("ignored", "SigIgn"), ("caught", "SigCgt"))
            if int(masks.get(mask, "0"), 16) >> (sig - 1) & 1
        ]
        said.append(f"{sig.name} {' and '.join(how) or 'at its default'}")
    return ", ".join(said)


def _stopped(running: subprocess.Popen[str], sig: signal.Signals) -> tuple[str, str]:
    """``sig`` sent, the process's output once it ends. Not ended within 60 s: the test fails with how the process
    treats the signal and its stderr, after SIGABRT (with PYTHONFAULTHANDLER set, every thread's stack is on it:
    where it was stuck), SIGKILL if even that does not end it."""
    running.send_signal(sig)
    try:
        return running.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        handling = _handling(running.pid)
        running.send_signal(signal.SIGABRT)
        try:
            _, err = running.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            running.kill()
            _, err = running.communicate()
        pytest.fail(f"{sig.name} did not end the rehearsal within 60 s ({handling}); aborted, its stderr:\n{err}")


def _copies(database: Database, like: str) -> list[str]:
    return [row[0] for row in _server(database, f"SELECT datname FROM pg_database WHERE datname LIKE '{like}'")]


def test_a_rehearsal_stopped_or_killed_leaves_no_copy(database: Database, tmp_path: Path) -> None:
    """SIGTERM (a CI timeout) and SIGINT (Ctrl-C) while the copy runs a statement: the copy is dropped, one line on
    stderr, no traceback; SIGINT too when the command started with it ignored (a script's background job), where
    Python itself raises no KeyboardInterrupt. SIGKILL cannot be caught: the next rehearsal of the database drops
    what it left."""
    root = ordinary_project(tmp_path)
    assert database.alembic("upgrade", REWRITING, cwd=root).returncode == 0
    (root / "migrations" / "versions" / "f0d1a2b3c4e5_sleep.py").write_text(
        f"from alembic import op\n\nrevision = 'f0d1a2b3c4e5'\ndown_revision = {REWRITING!r}\n"
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.execute(" + repr(SLEEP) + ")\n\n\n"
        "def downgrade():\n    pass\n"
    )
    like = f"rehearse\\_{database.name}\\_%"
    for sig, status, sigint in ((signal.SIGTERM, 143, "default"), (signal.SIGINT, 130, "ignore")):
        database.alone()
        with subprocess.Popen(
            [sys.executable, "-c", _START, sigint, CONSOLE, "rehearse", "--copy", "template"],
            cwd=root,
            env={**database.env, "PYTHONFAULTHANDLER": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as running:
            _wait_for_sleep(database, like, running)
            out, err = _stopped(running, sig)
        assert running.returncode == status, err
        assert "Traceback" not in err and out == ""
        assert err.endswith(
            f"migration-rollback: stopped by {sig.name}; scratch databases it made were dropped, "
            "the source was only read.\n"
        )
        assert _copies(database, like) == []

    database.alone()
    with subprocess.Popen(
        [CONSOLE, "rehearse", "--copy", "template"],
        cwd=root,
        env=database.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as killed:
        _wait_for_sleep(database, like, killed)
        killed.kill()
    (left,) = _copies(database, like)
    database.alone()
    again = subprocess.run(
        [CONSOLE, "rehearse", REWRITING, "--copy", "template"],
        cwd=root,
        env=database.env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert f"note: dropped scratch database {left}, left by process {killed.pid} (no longer running)" in again.stderr
    assert _copies(database, like) == []
