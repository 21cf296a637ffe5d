"""Console blocks: every ``$ command`` a page shows is run, and its output compared with the page.

A console block is a ``console`` fence preceded by a declaration comment (invisible on the site):

    <!-- console: revision=0004 setup=recovery/failed-midway/retired_camera_events.sql -->
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
                   (FILE relative to ``snippets/``), e.g. a page's ``versions/0010_...py``;
``setup=FILE``     SQL run with psql after that (FILE relative to ``snippets/``), e.g. a page's data;
``id=NAME``        a name other tests use to find the block (``commands(page, "backup")``);
``tools=newer``    the client tools of a newer PostgreSQL than the server's (the embedded wheel's 18) instead
                   of the server's own, for the page about a version mismatch;
``pg=15,17``       run only on these PostgreSQL majors: where a version prints something else, the page
                   shows each version's block in a tab of its own (a ``continue`` block after it
                   follows it).

Each command runs as typed into bash (``tests.support.transcript.shell``) with ``PGHOST``,
``PGPORT``, ``PGUSER``, ``PGDATABASE`` and ``DATABASE_URL`` set for that database, and ``XDG_CACHE_HOME`` in
the page's temporary folder (what ``migration-rollback identify`` keeps stays there), stderr merged into
stdout. A non-zero exit status is shown as a last line ``[exit status N]``. Output is compared
by ``tests.support.snapshots``: normalised, with ``...`` wildcards. The throwaway database's name is
shown as ``security`` and the working directory as ``~/security``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import snapshots, transcript
from tests.support.database import server, wait_until_alone
from tests.support.fences import fences
from tests.support.paths import SNIPPETS, relative
from tests.support.project import project_with, upgrade
from tests.support.snapshots import REFERENCE_MAJOR
from tests.support.throwaway import host_tools

SHOWN_DATABASE = "security"
SHOWN_WORKDIR = "~/security"

_DECLARATION = re.compile(r"^\s*<!--\s*console:(?P<words>.*?)-->\s*$")
_OPTIONS = {"revision", "continue", "add", "setup", "id", "pg", "tools"}


class ConsoleBlockError(Exception):
    """A console block that is malformed or cannot be set up."""


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

    def runs_on(self, major: int) -> bool:
        """True unless ``pg=`` names other majors."""
        return "pg" not in self.options or str(major) in self.options["pg"].split(",")

    def files(self) -> list[str]:
        """The snippet files the declaration names (``add=`` and ``setup=``), relative to snippets/."""
        added = [name for name in self.options.get("add", "").split(",") if name]
        return added + ([self.options["setup"]] if "setup" in self.options else [])


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
        if not fence.is_console:
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
        for name in block.files():
            if not (SNIPPETS / name).is_file():
                raise ConsoleBlockError(f"{block.where}: file {name!r} not found under snippets/")
        blocks.append(block)
    return blocks


def commands(page: Path, block_id: str) -> list[str]:
    """The commands of the block declared ``id=block_id`` on ``page``, as a reader types them."""
    for block in parse_page(page):
        if block.options.get("id") == block_id:
            return [command.text for command in block.commands]
    raise KeyError(f"{relative(page)} has no console block with id={block_id}")


@dataclass
class Session:
    """A database and a working copy of the example project, shared by continued blocks."""

    database: str
    workdir: Path
    env: dict[str, str]

    def run(self, command: str) -> list[str]:
        """The output lines of ``command`` as the page shows them: the throwaway names replaced."""
        shown = []
        wait_until_alone(self.database)  # the previous command's connections gone, as when a reader types this one
        for line in transcript.shell(command, env=self.env, cwd=self.workdir).lines:
            line = line.replace(str(self.workdir), SHOWN_WORKDIR)
            shown.append(re.sub(rf"\b{re.escape(self.database)}\b", SHOWN_DATABASE, line))
        return shown


class PageRunner:
    """Runs the console blocks of one page in order; ``close()`` drops what it created."""

    def __init__(self) -> None:
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
        workdir = project_with(self.tmp, *added, name=f"security-{len(self.databases)}")
        env = {**os.environ, **self.server.env(name), "XDG_CACHE_HOME": str(self.tmp / "cache")}  # a page's own
        if block.options.get("tools") == "newer":
            env["PATH"] = f"{host_tools()}{os.pathsep}{env['PATH']}"
        upgrade(self.server.url(name), block.options["revision"], workdir)
        self.session = Session(name, workdir, env)
        return self.session

    def run_block(self, block: Block) -> list[list[str]]:
        """Bring the block's state about and run its commands; the output of each command."""
        session = self.start(block)
        if setup := block.options.get("setup"):
            done = transcript.run(
                ["psql", "--quiet", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--file", str(SNIPPETS / setup)],
                env=session.env,
            )
            if done.returncode != 0:
                raise ConsoleBlockError(f"{block.where}: setup {setup} failed:\n{done.output}")
        return [session.run(command.text) for command in block.commands]


def check_page(page: Path, update: bool = False) -> list[str]:
    """Run every console block of ``page``; with ``update``, rewrite outputs that differ.

    Returns one report per command whose output differs (empty when the page is right, or was
    rewritten). Blocks run in page order; ``continue`` blocks share the previous block's state.
    """
    blocks = parse_page(page)
    runner = PageRunner()
    major = runner.server.major
    problems: list[str] = []
    rewrites: dict[int, list[str]] = {}  # command line -> new output
    runs = False
    try:
        for block in blocks:
            runs = block.runs_on(major) if "revision" in block.options else runs
            if not runs:
                continue
            for command, actual in zip(block.commands, runner.run_block(block), strict=True):
                heading = f"$ {command.text}" + (f" (PostgreSQL {major})" if major != REFERENCE_MAJOR else "")
                problem = snapshots.region_difference(page, command.line, heading, command.expected, actual)
                if problem is None:
                    continue
                if update and ("pg" in block.options or major == REFERENCE_MAJOR):
                    rewrites[command.line] = actual
                elif update:
                    problems.append(
                        f"{problem}\nThis block prints something else on PostgreSQL {major}: show each version's "
                        "output in a tab of its own, declared with pg=MAJOR."
                    )
                else:
                    problems.append(problem)
    finally:
        runner.close()
    if rewrites:
        regions = []
        for block in blocks:
            body: list[str] = []
            for command in block.commands:
                body.append(f"{block.indent}$ {command.text}")
                body.extend(f"{block.indent}{line}".rstrip() for line in rewrites.get(command.line, command.expected))
            regions.append((block.body, body))
        snapshots.rewrite_regions(page, regions)
    return problems


def check_console_blocks(page: Path, update: bool) -> None:
    """Fail the calling test with every difference on ``page``, page and line first."""
    snapshots.fail_with(check_page(page, update=update))
