"""``migration-rollback explain``: an error's failure, what it means, its resolution and page, offline.

Everything comes from the failure catalog (``helpers/failures.py``) and the drivers' own tables:
the SQLSTATEs a row files, their condition names and exception classes (psycopg 3, psycopg2,
asyncpg, whichever are installed). Where the guide's sources sit beside this package (a clone of
the repository), the page's title, first paragraph and resolution headings come from
``docs/<page>.md``, and the messages the failing runs printed from the page's captured outputs
(``snippets/<page>/``) and console blocks, plus those its prose quotes; elsewhere the row's own
ROLLBACK and NEXT lines stand in. The errors index
page (``docs/failures/index.md``) is made from the same functions (:func:`index_markdown`).
"""

from __future__ import annotations

import functools
import importlib
import posixpath
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..failures import CATALOG, Category

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"

#: Sections of a failure page that are not its resolution.
_NOT_RESOLUTION = {"symptom", "how this page is tested"}
#: A heading that only announces the steps under it (they are listed without it).
_ANNOUNCES = {"resolution"}
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_DIAGNOSIS = re.compile(r"^ERROR - Migration failed due to (?P<label>.+?): (?P<message>.+)$")
_SQLSTATE_IN_TEXT = re.compile(r"(?:SQLSTATE|sqlstate|pgcode)\W{0,3}([0-9A-Z]{5})\b|^\s*ERROR:\s+([0-9A-Z]{5}):", re.M)
_WORDS = re.compile(r"[A-Za-z_][\w.]*")
_COMMAND = re.compile(r"(nox|python|alembic|psql|pg_dump|tests/|-|\?)")  # a command or path, not a message
_ALEMBIC_MODULES = ("alembic.util.exc", "alembic.script.revision", "alembic.util")


@dataclass(frozen=True)
class Code:
    """One SQLSTATE a row files: its condition name and each installed driver's exception class."""

    sqlstate: str
    condition: str | None
    classes: tuple[str, ...]  # psycopg.errors.UniqueViolation, psycopg2.errors..., asyncpg.exceptions...


@dataclass(frozen=True)
class Explanation:
    """What ``explain`` prints for one failure: the row, the code that matched, and the page's words."""

    row: Category
    code: Code | None
    title: str
    meaning: str
    steps: tuple[str, ...]
    address: str | None


# --- the drivers' tables ----------------------------------------------------------------------------------


@functools.cache
def _psycopg_table() -> dict[str, type]:
    """SQLSTATE -> psycopg 3's exception class, from the classes ``psycopg.errors`` defines."""
    try:
        import psycopg.errors as errors
    except ImportError:
        return {}
    table: dict[str, type] = {}
    for cls in (getattr(errors, name) for name in dir(errors)):
        if isinstance(cls, type) and issubclass(cls, errors.Error) and cls.sqlstate:
            table[cls.sqlstate] = cls
    return table


def _psycopg2_class(code: str) -> str | None:
    try:
        errors = importlib.import_module("psycopg2.errors")  # optional, and without type stubs
    except ImportError:
        return None
    try:
        cls = errors.lookup(code)
    except KeyError:
        return None
    return f"psycopg2.errors.{cls.__name__}"


def _asyncpg_class(code: str) -> str | None:
    try:
        _base = importlib.import_module("asyncpg.exceptions._base")  # its sqlstate -> class map
    except ImportError:
        return None
    cls = _base.PostgresMessageMeta.get_message_class_for_sqlstate(code)
    if cls is _base.UnknownPostgresError:
        return None
    return f"asyncpg.exceptions.{cls.__name__}"


def _known_codes() -> list[str]:
    return sorted(_psycopg_table())


def condition_name(code: str) -> str | None:
    """PostgreSQL's condition name of a SQLSTATE (``23505`` -> ``unique_violation``).

    psycopg 3 names each class after the condition (``UniqueViolation``) and looks a class up by its
    condition name: the snake-case name is the condition when the lookup gives the class back.
    """
    cls = _psycopg_table().get(code)
    if cls is None:
        return None
    import psycopg.errors

    name = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    try:
        return name if psycopg.errors.lookup(name.upper()) is cls else None
    except KeyError:
        return None


@functools.cache
def code(sqlstate: str) -> Code:
    """A SQLSTATE with its condition name and the installed drivers' exception classes."""
    psycopg = _psycopg_table().get(sqlstate)
    classes = (
        f"psycopg.errors.{psycopg.__name__}" if psycopg is not None else None,
        _psycopg2_class(sqlstate),
        _asyncpg_class(sqlstate),
    )
    return Code(sqlstate, condition_name(sqlstate), tuple(name for name in classes if name))


def codes(row: Category) -> list[Code]:
    """Every SQLSTATE a row files: its own, then each code of its whole classes that no row names."""
    named = {sqlstate for other in CATALOG for sqlstate in other.sqlstates}
    in_classes = [c for c in _known_codes() if c[:2] in row.classes and c not in named]
    return [code(sqlstate) for sqlstate in (*row.sqlstates, *in_classes)]


def alembic_exceptions(row: Category) -> list[str]:
    """The exception classes of an Alembic row (``alembic.script.revision.ResolutionError``), dotted where found.

    Read from the row's ``exceptions`` (Alembic's own failures name their classes, not SQLSTATEs); a
    class found in none of Alembic's exception modules is shown as named (``SyntaxError``).
    """
    found = []
    for name in row.exceptions:
        for module in _ALEMBIC_MODULES:
            cls = getattr(importlib.import_module(module), name, None)
            if isinstance(cls, type):
                found.append(f"{cls.__module__}.{name}")
                break
        else:
            found.append(name)
    return found


def opening_words(row: Category) -> tuple[str, ...]:
    """The opening words of an error that carries nothing but its text (an Alembic row's ``messages``)."""
    return row.messages


def covered() -> list[Category]:
    """The rows an error can be matched to: those that file SQLSTATEs or exceptions, or have a page."""
    return [row for row in CATALOG if row.sqlstates or row.classes or row.page or alembic_exceptions(row)]


# --- the page ---------------------------------------------------------------------------------------------


def page_path(page: str) -> str:
    """``failures/enums/#a-section`` -> ``failures/enums``: the page a row's address is on, without its section."""
    return page.split("#")[0].strip("/")


def page_source(row: Category) -> Path | None:
    """``docs/<page>.md`` of a row, when the guide's sources are beside this package."""
    if row.page is None:
        return None
    path = DOCS / (page_path(row.page) + ".md")
    return path if path.is_file() else None


def _plain(markdown: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", markdown)  # links: their text
    return re.sub(r"\*+([^*]+)\*+", r"\1", text).replace("`", "")


def _headings(lines: list[str]) -> Iterator[tuple[int, str]]:
    inside = False
    for line in lines:
        if _FENCE.match(line):
            inside = not inside
        elif not inside and (match := _HEADING.match(line)):
            yield len(match[1]), _plain(re.sub(r"\s*\{[^}]*\}$", "", match[2])).rstrip("#").strip()


def slug(heading: str) -> str:
    """The anchor Python-Markdown's toc gives a heading (``The disk fills`` -> ``the-disk-fills``)."""
    text = re.sub(r"[^\w\s-]", "", heading).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0] == "---" and "---" in lines[1:]:
        return lines[lines.index("---", 1) + 1 :]
    return lines


def _first_paragraph(lines: list[str]) -> str:
    paragraph: list[str] = []
    for line in lines[1:]:  # after the title (or the section's heading)
        plain = line.strip()
        if not plain:
            if paragraph:
                break
            continue
        if plain.startswith(("#", "|", "!!!", "???", "===", "<", "```", "--8<--")) or re.fullmatch(r"\*[^*]+\*", plain):
            if paragraph:
                break
            continue
        paragraph.append(plain)
    return _plain(" ".join(paragraph))


def _kind(heading: str) -> str:
    """``Resolution: merge the heads`` -> ``resolution``."""
    return heading.split(":")[0].strip().lower()


def _sections(lines: list[str], row: Category) -> tuple[list[str], str | None]:
    """The resolution headings (a level-3 step indented), and the one section's anchor when the row has one.

    A page with a ``## Resolution`` section: the headings under it. A page that covers several rows
    (server faults) has a section per row: a level-2 heading that shares a word with the row's
    label (``disk full``: ``The disk fills``) is the row's section.
    """
    found = [(level, text) for level, text in _headings(lines) if level > 1]
    announced = [text for level, text in found if level == 2 and _kind(text) in _ANNOUNCES]
    if announced:  # "## Resolution": its steps are the page's; what follows it is commentary
        start = found.index((2, announced[0]))
        end = next((i for i in range(start + 1, len(found)) if found[i][0] == 2), len(found))
        if end > start + 1:
            return [text for _, text in found[start + 1 : end]], None
        found = found[start:]  # "## Resolution: merge the heads" and the sections after it
    own: list[str] = []
    if sum(other.page == row.page for other in CATALOG) > 1:
        words = set(re.findall(r"[a-z]{4,}", row.label.lower()))
        own = [text for level, text in found if level == 2 and words & set(re.findall(r"[a-z]{4,}", text.lower()))]
    steps: list[str] = []
    keep = not own
    for level, text in found:
        if level == 2:
            keep = (text in own) if own else True
        if keep and _kind(text) not in _NOT_RESOLUTION and text.lower() not in _ANNOUNCES:
            if _kind(text) in _ANNOUNCES:  # "Resolution: merge the heads" -> "Merge the heads"
                text = text.split(":", 1)[1].strip().capitalize()
            steps.append(text if level == 2 else f"  {text}")
    return steps, (slug(own[0]) if len(own) == 1 else None)


def explain_row(row: Category, matched: Code | None = None) -> Explanation:
    """What ``explain`` says about a row: the page's words where the page is beside this package."""
    source = page_source(row)
    address = row.address()
    steps: tuple[str, ...]
    if source is None:
        title, meaning, steps = row.key.replace("_", " ").capitalize(), row.rollback, (row.next_step,)
    else:
        lines = _without_front_matter(source.read_text(encoding="utf-8").splitlines())
        title = next((text for level, text in _headings(lines) if level == 1), row.label)
        title = re.sub(r"^\d+\.\s*", "", title)
        headings, anchor = _sections(lines, row)
        start = next((i for i, line in enumerate(lines) if anchor and line.startswith("## ")
                      and slug(_plain(line[3:]).strip()) == anchor), 0)
        meaning = _first_paragraph(lines[start:]) or row.rollback
        steps = (*headings, f"NEXT: {row.next_step}")
        if anchor and address:
            address += f"#{anchor}"
    return Explanation(row, matched, title, meaning, tuple(steps), address)


def lines(explanation: Explanation, width: int = 100) -> list[str]:
    """The text ``migration-rollback explain`` prints."""
    row, matched = explanation.row, explanation.code
    head = f"{explanation.title} ({row.label})"
    if matched is not None:
        head = f"{matched.sqlstate} {matched.condition or ''}: {head}".replace(" :", ":")
    out = [head]
    classes = matched.classes if matched is not None else tuple(alembic_exceptions(row))
    if classes:
        out.append("  " + ", ".join(classes))
    out += ["", *textwrap.wrap(explanation.meaning, width), "", "Resolution:"]
    for step in explanation.steps:
        indent = " " * (len(step) - len(step.lstrip()) + 2)
        out += textwrap.wrap(step.strip(), width, initial_indent=indent, subsequent_indent=indent + "  ")
    out += ["", f"SEE: {explanation.address}" if explanation.address else "SEE: (no page in the guide yet)"]
    return out


# --- what the runs printed ----------------------------------------------------------------------------------


def printed_messages(row: Category) -> list[str]:
    """The messages a failing run printed for this row, from its page's captured outputs and console blocks.

    Read from the diagnosis line (``ERROR - Migration failed due to <label>: <message>``) of every
    transcript under ``snippets/<page>/`` and every console block of ``docs/<page>.md`` whose label
    is the row's. Empty where the guide's sources are not beside this package.
    """
    if row.page is None:
        return []
    folder = SNIPPETS / page_path(row.page)
    texts = [path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.txt"))] if folder.is_dir() else []
    source = page_source(row)
    if source is not None:
        texts.append(source.read_text(encoding="utf-8"))
    found: dict[str, None] = {}
    for text in texts:
        for line in text.splitlines():
            match = _DIAGNOSIS.match(line.strip())
            if match and match["label"] == row.label:
                found[match["message"]] = None
    return list(found)


def _shape(text: str) -> str:
    """A message with what changes from run to run left out: quoted names, numbers, placeholders."""
    text = re.sub(r'(?<!\w)"[^"]*"', '""', text)
    text = re.sub(r"(?<!\w)'[^']*'", "''", text)  # a quoted name, not the apostrophe of "Can't"
    text = re.sub(r"<[A-Z]+>|\d+", "0", text)
    return re.sub(r"\s+", " ", text).strip().lower()


# --- matching what was pasted -----------------------------------------------------------------------------


def _names() -> dict[str, tuple[Category, Code]]:
    """Exception classes (dotted and bare) and condition names -> their row and code."""
    names: dict[str, tuple[Category, Code]] = {}
    for row in covered():
        for found in codes(row):
            for qualified in found.classes:
                names.setdefault(qualified, (row, found))
                names.setdefault(qualified.rsplit(".", 1)[1], (row, found))
            if found.condition:
                names.setdefault(found.condition, (row, found))
    return names


def _alembic_names() -> dict[str, Category]:
    names: dict[str, Category] = {}
    for row in covered():
        for qualified in alembic_exceptions(row):
            names.setdefault(qualified, row)
            names.setdefault(qualified.rsplit(".", 1)[-1], row)
    return names


def find(text: str) -> Explanation | None:
    """The failure a SQLSTATE, condition name, exception class or pasted error line is, or None."""
    pasted = text.strip()
    if not pasted:
        return None
    by_code = {found.sqlstate: (row, found) for row in covered() for found in codes(row)}
    if pasted.upper() in by_code:
        return explain_row(*by_code[pasted.upper()])
    names, alembic = _names(), _alembic_names()
    for word in (w.rstrip(".") for w in _WORDS.findall(pasted)):
        for candidate in (word, word.lower(), word.rsplit(".", 1)[-1]):
            if candidate in names:
                return explain_row(*names[candidate])
            if candidate in alembic and candidate not in _GENERIC:
                return explain_row(alembic[candidate])
    for match in _SQLSTATE_IN_TEXT.finditer(pasted):
        sqlstate = match[1] or match[2]
        if sqlstate in by_code:
            return explain_row(*by_code[sqlstate])
    shape = _shape(pasted)
    for row in covered():
        if any(words in pasted for words in opening_words(row)):
            return explain_row(row)
        if any(_shape(message) in shape for message in printed_messages(row)):
            return explain_row(row)
    for row in covered():
        if row.page and f"/{row.page}" in pasted:
            return explain_row(row)
    for row in covered():  # Alembic's pages are titled with its message: "Can't locate revision identified by '...'"
        title = explain_row(row).title if page_source(row) is not None else ""
        if len(title.split()) >= 3 and _shape(title) in shape:
            return explain_row(row)
    for row in covered():  # a message the page quotes in its prose (the source text's, an older libpq's)
        if any(_quoted_in(quoted, shape) for quoted in quoted_messages(row)):
            return explain_row(row)
    return None


def _quoted_in(quoted: str, shape: str) -> bool:
    """The quoted message's words in ``shape`` in order, its ``...`` standing for anything."""
    at = 0
    for part in (p.strip() for p in _shape(quoted).split("...")):
        found = shape.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def quoted_messages(row: Category) -> list[str]:
    """The code spans of four words or more in the prose of a row's page: the messages it quotes."""
    source = page_source(row)
    if source is None:
        return []
    prose, inside = [], False
    for line in source.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            inside = not inside
        elif not inside:
            prose.append(line.strip())
    spans = re.findall(r"`([^`]+)`", " ".join(prose))
    return [span for span in spans if len(re.findall(r"[A-Za-z]+", span)) >= 4 and not _COMMAND.match(span)]


#: Python's own exceptions an Alembic row may file (a revision file that fails to import): too common
#: on their own to name a failure, so a pasted line needs more (the diagnosis's message) to match.
_GENERIC = {"SyntaxError", "ImportError", "NameError", "ModuleNotFoundError", "CommandError"}

UNKNOWN = (
    "nothing in the guide matches {text!r}; give a SQLSTATE (23505), a condition name "
    "(unique_violation), an exception class (UniqueViolation) or a whole error line."
)


# --- the errors index -------------------------------------------------------------------------------------


def _link(row: Category, from_page: str) -> str:
    if row.page is None:
        return "no page yet: the diagnosis's NEXT line"
    source = page_source(row)
    title = explain_row(row).title if source is not None else row.label
    target = page_path(row.page) + ".md"
    return f"[{title}]({posixpath.relpath(target, posixpath.dirname(from_page) or '.')})"


def pages_markdown(from_page: str) -> str:
    """A Markdown list of every failure page in the catalog, linked from ``docs/<from_page>``."""
    seen: dict[str, str] = {}
    for row in covered():
        if row.page is not None and page_source(row) is not None:
            seen.setdefault(page_path(row.page), _link(row, from_page))
    return "".join(f"- {link}\n" for link in seen.values())


def index_markdown(from_page: str = "failures/index.md") -> str:
    """The errors index's two tables: every SQLSTATE (or Alembic exception) the catalog files, and every message.

    The messages are an Alembic row's opening words and what the failing runs on each page printed.
    """
    out = [
        "| SQLSTATE | condition name | exception class (psycopg 3, psycopg2, asyncpg; or Alembic's) | failure | page |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in covered():
        link = _link(row, from_page)
        for found in codes(row):
            classes = "<br>".join(f"`{name}`" for name in found.classes)
            out.append(f"| `{found.sqlstate}` | `{found.condition}` | {classes} | {row.label} | {link} |")
        if not codes(row) and (exceptions := alembic_exceptions(row)):
            classes = "<br>".join(f"`{name}`" for name in exceptions)
            out.append(f"| none: Alembic's own | | {classes} | {row.label} | {link} |")
    out += ["", "| what the terminal shows (`ERROR - Migration failed due to ...`, or Alembic's words) | page |",
            "| --- | --- |"]
    for row in covered():
        link = _link(row, from_page)
        shown = [f"{row.label}: {message}" for message in printed_messages(row)]
        shown += [f"{words.strip()} ..." for words in opening_words(row) if not any(words in m for m in shown)]
        for message in shown:
            out.append(f"| `{message.replace('|', chr(92) + '|').replace('`', chr(39))}` | {link} |")
    return "\n".join(out) + "\n"
