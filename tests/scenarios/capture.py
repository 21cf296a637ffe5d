"""Captured output: what a scenario's command printed, as the failure pages show it.

A captured file (``snippets/scenarios/**/*.txt``) is a console transcript: ``$ command`` then
what the command printed (stderr and stdout as a terminal interleaves them), normalised by
``tests.normalize``. Each scenario test compares its files with a fresh run; with
``--update-snapshots`` it rewrites them. A mismatch names the pages that include the file.
"""

from __future__ import annotations

import difflib
import os
import shlex
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PROJECT, ROOT, Database
from tests.normalize import normalize

SNIPPETS = ROOT / "snippets"
SCENARIOS = SNIPPETS / "scenarios"
DOCS = ROOT / "docs"


def update_command() -> str:
    """The command that rewrites the captures of the test running now."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "tests").split("::")[0]
    return f"python -m pytest {current} --update-snapshots"


@dataclass(frozen=True)
class Run:
    """One command as the reader types it (``display``), its exit status, and its transcript."""

    display: str
    returncode: int
    output: str

    @property
    def transcript(self) -> str:
        return normalize(f"$ {self.display}\n{self.output}").rstrip() + "\n"


def run(
    db: Database,
    args: Sequence[str],
    cwd: Path = PROJECT,
    env: dict[str, str] | None = None,
    display: str | None = None,
    timeout: float = 60,
) -> Run:
    """Run ``args`` against ``db`` with stdout and stderr in one stream, as a terminal shows them.

    ``args[0]`` may be a full path; the transcript shows its base name (``alembic upgrade head``).
    """
    full_env = {**(db.env if env is None else env), "PYTHONUNBUFFERED": "1", "PSQLRC": os.devnull}
    result = subprocess.run(
        list(args),
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    shown = display or shlex.join([Path(args[0]).name, *args[1:]])
    return Run(shown, result.returncode, result.stdout)


def alembic(db: Database, *args: str, env: dict[str, str] | None = None) -> Run:
    """``alembic ARGS`` in the example project."""
    return run(db, [db.alembic_path, *args], env=env)


def psql(db: Database, scenario_dir: Path, *args: str) -> Run:
    """``psql ARGS`` run from the scenario's folder, so ``-f file.sql`` names a file shown on the page."""
    return run(db, ["psql", *args], cwd=scenario_dir)


def pages_including(relative: str, docs: Path = DOCS) -> list[str]:
    """The pages (``docs/...md``) whose ``--8<--`` lines include ``snippets/<relative>``."""
    pages = []
    for page in sorted(docs.rglob("*.md")):
        for line in page.read_text(encoding="utf-8").splitlines():
            if "--8<--" in line and f'"{relative}' in line:
                pages.append(page.relative_to(docs.parent).as_posix())
                break
    return pages


def check(relative: str, fresh: str, update: bool, snippets: Path = SNIPPETS) -> None:
    """Compare the captured file ``snippets/<relative>`` with ``fresh``, or rewrite it when ``update``.

    A difference fails with the pages that include the file and the command that rewrites it.
    """
    path = snippets / relative
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fresh, encoding="utf-8")
        return
    captured = path.read_text(encoding="utf-8") if path.exists() else ""
    if captured == fresh:
        return
    pages = ", ".join(pages_including(relative)) or "no page"
    diff = "".join(
        difflib.unified_diff(
            captured.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            f"snippets/{relative} (captured)",
            "fresh run",
        )
    )
    raise AssertionError(
        f"snippets/{relative}, shown on {pages}, differs from a fresh run. "
        f"If the change is deliberate, rewrite it with: {update_command()}\n{diff}"
    )


class Captures:
    """The captured files of one scenario folder, checked (or rewritten) one by one."""

    def __init__(self, scenario: str, update: bool) -> None:
        self.scenario = scenario
        self.dir = SCENARIOS / scenario
        self.update = update

    def check(self, name: str, result: Run) -> Run:
        """Compare ``result``'s transcript with ``<scenario>/<name>``; returns ``result``."""
        check(f"scenarios/{self.scenario}/{name}", result.transcript, self.update)
        return result


def break_at(db: Database, captures: Captures, revision: str, case: str, label: str) -> str:
    """Upgrade to ``revision``, load ``<case>/bad-data.sql``, fail ``upgrade head``, check nothing changed.

    ``label`` is the diagnosis category the failure must name ("integrity constraint", ...).
    Returns what the failed upgrade printed.
    """
    assert alembic(db, "upgrade", revision).returncode == 0
    loaded = psql(db, captures.dir, "-v", "ON_ERROR_STOP=1", "-q", "-f", f"{case}/bad-data.sql")
    assert loaded.returncode == 0, loaded.output
    before = db.fingerprint()

    failed = captures.check(f"{case}/upgrade.txt", alembic(db, "upgrade", "head"))

    assert failed.returncode == 1
    assert f"ERROR - Migration failed due to {label}: " in failed.output
    assert "ROLLBACK: Transaction has been rolled back." in failed.output
    assert db.fingerprint() == before
    return failed.output


def captured_files(scenario: str) -> list[str]:
    """The captured outputs of a scenario, relative to ``snippets/`` (``scenarios/<name>/...txt``)."""
    return sorted(p.relative_to(SNIPPETS).as_posix() for p in (SCENARIOS / scenario).rglob("*.txt"))


def change_one_word(text: str) -> str:
    """``text`` with one word of its last line changed (the line a reader looks at first)."""
    lines = text.rstrip("\n").splitlines()
    for index in range(len(lines) - 1, -1, -1):
        words = lines[index].split(" ")
        for position in range(len(words) - 1, -1, -1):
            if words[position].isalpha():
                words[position] = "changed" if words[position] != "changed" else "altered"
                lines[index] = " ".join(words)
                return "\n".join(lines) + "\n"
    raise ValueError("no word to change")


def mismatch_message(relative: str, tmp: Path) -> str:
    """The failure a one-word change to the captured ``relative`` causes (compared in a temp copy)."""
    real = (SNIPPETS / relative).read_text(encoding="utf-8")
    copy = tmp / relative
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(change_one_word(real), encoding="utf-8")
    try:
        check(relative, real, update=False, snippets=tmp)
    except AssertionError as exc:
        return str(exc)
    raise AssertionError(f"a one-word change to {relative} went unnoticed")


class Background:
    """A command left running (a migration waiting on a lock) while the test does something else."""

    def __init__(
        self, db: Database, args: Sequence[str], env: dict[str, str] | None = None, cwd: Path = PROJECT
    ) -> None:
        full_env = {**(db.env if env is None else env), "PYTHONUNBUFFERED": "1", "PSQLRC": os.devnull}
        self.display = shlex.join([Path(args[0]).name, *args[1:]])
        self.process = subprocess.Popen(
            list(args), cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def finish(self, timeout: float = 60) -> Run:
        """Wait (bounded) for the command to end; its transcript as ``run`` would give it."""
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
            raise AssertionError(f"{self.display} still ran after {timeout}s:\n{output}") from None
        return Run(self.display, self.process.returncode, output)

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
