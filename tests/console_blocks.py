"""Console blocks in docs/: every ``$ command`` a page shows is run, and its output compared.

A console block is a ``console`` fence preceded by a declaration comment (invisible on the site):

    <!-- console: revision=0004 setup=guide/data/retired_camera_events.sql -->
    ```console
    $ alembic current
    0004
    ```

Declaration words:

``revision=REV``   a fresh database upgraded to REV of the example project (``base``: nothing applied,
                   ``empty``: not even an ``alembic_version`` table), and a fresh copy of
                   ``snippets/project`` as the working directory;
``continue``       the database and working directory of the previous block on the same page;
``add=FILE,...``   revision files copied into the working copy's ``versions/`` before anything runs
                   (FILE relative to ``snippets/``), e.g. a guide example that becomes revision 0010;
``setup=FILE``     SQL run with psql after that (FILE relative to ``snippets/``), e.g. a scenario's data;
``id=NAME``        a name other tests use to find the block (``commands(page, "backup")``).

Each command runs in ``bash -c`` with ``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGDATABASE`` and
``DATABASE_URL`` set for that database, stderr merged into stdout in the order written (``2>&1``).
A non-zero exit status is shown as a last output line ``[exit status N]``. Output is compared after
``tests.normalize`` on both sides; a line ``...`` matches any number of lines and ``...`` inside a
line matches any text. The throwaway database's name is shown as ``security`` and the working
directory as ``~/security``. ``pytest --update-snapshots`` rewrites the outputs that differ.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.normalize import normalize
from tests.project_copy import project_with

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
SHOWN_DATABASE = "security"
SHOWN_WORKDIR = "~/security"
EXIT_MARKER = "[exit status {}]"

_DECLARATION = re.compile(r"^\s*<!--\s*console:(?P<words>.*?)-->\s*$")
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_OPTIONS = {"revision", "continue", "add", "setup", "id"}


class ConsoleBlockError(Exception):
    """A console block that is malformed, or whose output differs from a fresh run."""


@dataclass
class Command:
    line: int  # 1-based line of the "$ " line in the page
    text: str
    expected: list[str]


@dataclass
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    options: dict[str, str]
    indent: str
    body: tuple[int, int]  # 0-based [start, end) of the content lines
    commands: list[Command] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{relative(self.page)}:{self.line}"


@dataclass(frozen=True)
class Fence:
    """A fenced code block of a page: where it opens, its info string, its content lines."""

    page: Path
    line: int  # 1-based line of the opening fence
    indent: str
    info: str
    body: tuple[int, int]  # 0-based [start, end) of the content lines
    content: tuple[str, ...]  # the non-blank content lines, stripped

    @property
    def where(self) -> str:
        return f"{relative(self.page)}:{self.line}"


def fences(page: Path) -> list[Fence]:
    """Every fenced block of ``page``, in order (the one fence parser of the test suite)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Fence] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        close = re.compile(rf"^\s*{re.escape(match['fence'][0])}{{{len(match['fence'])},}}\s*$")
        end = i + 1
        while end < len(lines) and not close.match(lines[end]):
            end += 1
        content = tuple(line.strip() for line in lines[i + 1 : end] if line.strip())
        found.append(Fence(page, i + 1, match["indent"], match["info"].strip(), (i + 1, end), content))
        i = end + 1
    return found


def relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def is_console_info(info: str) -> bool:
    """True for a fence info string naming the console language (``console`` or ``{.console ...}``)."""
    words = info.strip().strip("{}").split()
    return bool(words) and words[0].lstrip(".") == "console"


def parse_declaration(words: str, where: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for word in shlex.split(words):
        key, _, value = word.partition("=")
        if key not in _OPTIONS:
            raise ConsoleBlockError(f"{where}: unknown console declaration {word!r}; use one of {sorted(_OPTIONS)}")
        options[key] = value
    if ("revision" in options) == ("continue" in options):
        raise ConsoleBlockError(f"{where}: a console block declares exactly one of revision=REV or continue")
    return options


def parse_page(page: Path) -> list[Block]:
    """The console blocks of ``page``, each with its declaration and its commands."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    for fence in fences(page):
        if not is_console_info(fence.info):
            continue
        opening = fence.line - 1
        previous = next((lines[j] for j in range(opening - 1, -1, -1) if lines[j].strip()), "")
        declared = _DECLARATION.match(previous)
        if not declared:
            raise ConsoleBlockError(
                f"{fence.where}: console block without a declaration; put <!-- console: revision=REV --> "
                "or <!-- console: continue --> on the line before the fence"
            )
        indent = fence.indent
        block = Block(page, fence.line, parse_declaration(declared["words"], fence.where), indent, fence.body)
        for n in range(*fence.body):
            text = lines[n][len(indent) :] if lines[n].startswith(indent) else lines[n].lstrip()
            if text.startswith("$ "):
                block.commands.append(Command(n + 1, text[2:], []))
            elif block.commands:
                block.commands[-1].expected.append(text)
            elif text.strip():
                raise ConsoleBlockError(f"{relative(page)}:{n + 1}: output before the first $ command")
        if not block.commands:
            raise ConsoleBlockError(f"{fence.where}: console block without a $ command")
        blocks.append(block)
    return blocks


def pages() -> list[Path]:
    """Every page of docs/ with at least one console fence."""
    return sorted(p for p in DOCS.rglob("*.md") if any(is_console_info(f.info) for f in fences(p)))


def commands(page: Path, block_id: str) -> list[str]:
    """The commands of the block declared ``id=block_id`` on ``page``, as a reader types them."""
    for block in parse_page(page):
        if block.options.get("id") == block_id:
            return [command.text for command in block.commands]
    raise KeyError(f"{relative(page)} has no console block with id={block_id}")


# -- matching ------------------------------------------------------------------------------------
def _line_pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split("...")) + r"\Z")


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` equals ``expected`` after normalising, with ``...`` wildcards in ``expected``."""
    want = [normalize(line).rstrip() for line in expected]
    have = [normalize(line).rstrip() for line in actual]
    memo: dict[tuple[int, int], bool] = {}

    def walk(i: int, j: int) -> bool:
        if (i, j) not in memo:
            if i == len(want):
                memo[i, j] = j == len(have)
            elif want[i] == "...":
                memo[i, j] = any(walk(i + 1, k) for k in range(j, len(have) + 1))
            else:
                memo[i, j] = j < len(have) and bool(_line_pattern(want[i]).match(have[j])) and walk(i + 1, j + 1)
        return memo[i, j]

    return walk(0, 0)


# -- running ---------------------------------------------------------------------------------------
@dataclass
class Session:
    """A database and a working copy of the example project, shared by continued blocks."""

    database: str
    workdir: Path
    env: dict[str, str]

    def shown(self, text: str) -> str:
        """Output as the page shows it: the throwaway names replaced by the reader's."""
        text = text.replace(str(self.workdir), SHOWN_WORKDIR)
        return re.sub(rf"\b{re.escape(self.database)}\b", SHOWN_DATABASE, text)

    def run(self, command: str) -> list[str]:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        out = self.shown(result.stdout).rstrip("\n")
        lines = out.split("\n") if out else []
        if result.returncode != 0:
            lines.append(EXIT_MARKER.format(result.returncode))
        return lines


def _upgrade(url: sa.URL, workdir: Path, revision: str) -> None:
    """Bring a fresh database to ``revision`` in-process (faster than the CLI; same env.py)."""
    if revision == "empty":
        return
    from alembic import command
    from alembic.config import Config

    config = Config(str(workdir / "alembic.ini"))
    config.attributes["configure_logger"] = False
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            if revision == "base":  # the version table Alembic creates, with no revision in it
                from alembic.runtime.migration import MigrationContext

                MigrationContext.configure(connection)._ensure_version_table()
            else:
                command.upgrade(config, revision)
    finally:
        engine.dispose()


class PageRunner:
    """Runs the console blocks of one page in order; ``close()`` drops what it created."""

    def __init__(self) -> None:
        from tests.conftest import server

        self.server = server()
        self.databases: list[str] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="console-"))
        self.session: Session | None = None

    def close(self) -> None:
        for name in self.databases:
            self.server.discard_database(name)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, block: Block) -> Session:
        if "continue" in block.options:
            if "add" in block.options:
                raise ConsoleBlockError(f"{block.where}: add= needs a fresh working copy (revision=REV)")
            if self.session is None:
                raise ConsoleBlockError(f"{block.where}: 'continue' but no earlier console block on this page")
            return self.session
        name = self.server.create_database()
        self.databases.append(name)
        added = [name for name in block.options.get("add", "").split(",") if name]
        for missing in (name for name in added if not (SNIPPETS / name).is_file()):
            raise ConsoleBlockError(f"{block.where}: add file {missing!r} not found under snippets/")
        workdir = project_with(self.tmp, *added, name=f"security-{len(self.databases)}")
        env = {**os.environ, **self.server.env(name), "PSQLRC": "/dev/null", "PAGER": "cat"}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        _upgrade(self.server.url(name), workdir, block.options["revision"])
        self.session = Session(name, workdir, env)
        return self.session

    def run_block(self, block: Block) -> list[list[str]]:
        """Bring the block's state about and run its commands; the output of each command."""
        session = self.start(block)
        if setup := block.options.get("setup"):
            path = SNIPPETS / setup
            if not path.is_file():
                raise ConsoleBlockError(f"{block.where}: setup file {setup!r} not found under snippets/")
            done = subprocess.run(
                ["psql", "--quiet", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--file", str(path)],
                env=session.env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if done.returncode != 0:
                raise ConsoleBlockError(f"{block.where}: setup {setup} failed:\n{done.stderr}")
        return [session.run(command.text) for command in block.commands]


def check_page(page: Path, update: bool = False) -> list[str]:
    """Run every console block of ``page``; with ``update``, rewrite outputs that differ.

    Returns one report per command whose output differs (empty when the page is right, or was
    rewritten). Blocks run in page order; ``continue`` blocks share the previous block's state.
    """
    blocks = parse_page(page)
    runner = PageRunner()
    problems: list[str] = []
    rewrites: dict[int, list[str]] = {}  # command line -> new output
    try:
        for block in blocks:
            for command, actual in zip(block.commands, runner.run_block(block), strict=True):
                if matches(command.expected, actual):
                    continue
                if update:
                    rewrites[command.line] = actual
                    continue
                diff = "\n".join(difflib.unified_diff(command.expected, actual, "page", "fresh run", lineterm=""))
                problems.append(f"{relative(page)}:{command.line}: $ {command.text}\n{diff}")
    finally:
        runner.close()
    if rewrites:
        _rewrite(page, blocks, rewrites)
    return problems


def _rewrite(page: Path, blocks: list[Block], rewrites: dict[int, list[str]]) -> None:
    lines = page.read_text(encoding="utf-8").splitlines()
    for block in reversed(blocks):
        start, end = block.body
        body: list[str] = []
        for command in block.commands:
            body.append(f"{block.indent}$ {command.text}")
            output = rewrites.get(command.line, command.expected)
            body.extend(f"{block.indent}{line}".rstrip() for line in output)
        lines[start:end] = body
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- pytest ---------------------------------------------------------------------------------------
def check_or_fail(page: Path, update: bool) -> None:
    """Fail the calling test with every difference on ``page``, page and line first."""
    problems = check_page(page, update=update)
    if problems:
        pytest.fail(
            "\n\n".join(problems) + "\n\nIf the new output is right: python -m pytest "
            f"tests/test_console_blocks.py -k {page.stem} --update-snapshots",
            pytrace=False,
        )
