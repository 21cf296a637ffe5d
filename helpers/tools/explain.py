"""``python -m helpers explain``: an error's failure, what it means, its resolution and page, offline.

What it reads is package data: the failure catalog's rows (``helpers/failures.py``), the SQLSTATE classes
(``helpers/sqlstate_classes.py``) and ``helpers/failures.json`` (each code's condition names and driver classes,
what each page says, every message Alembic raises), matched by ``helpers.matcher``, the matcher the diagnosis's SEE
line uses too. ``failures.json`` is made from the pages at build time (``helpers.tools.failure_data``, with this
module's page readers): an installed wheel or a vendored copy answers what a checkout does. The errors index page
(``docs/failures/index.md``) and the class pages (``docs/failures/classes/``) are made from the same rows
(:func:`index_markdown`, :func:`class_page_markdown`).
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .. import matcher
from ..failures import ALEMBIC, CATALOG, CLASS_ROWS, ROWS, Category, class_page
from ..sqlstate_classes import BY_CODE as CLASS_TEXT
from ..sqlstate_classes import CLASSES

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
_COMMAND = re.compile(r"(nox|python|alembic|psql|pg_dump|tests/|-|\?)")  # a command or path, not a message
#: Lint rules' names, for the ``Prevented by`` line (the rules are the lint room's; their ids and messages suffice).
_RULES_PAGE = "safe-migrations/"


@dataclass(frozen=True)
class Code:
    """One SQLSTATE: its condition name and each driver's exception class (psycopg 3, psycopg2, asyncpg)."""

    sqlstate: str
    condition: str | None
    classes: tuple[str, ...]  # psycopg.errors.UniqueViolation, psycopg2.errors..., asyncpg.exceptions...


@dataclass(frozen=True)
class Explanation:
    """What ``explain`` prints for one failure: the row, the code that matched, and the page's words.

    ``sure`` is False when the message did not say which of the code's rows it is: the page is then the closest,
    the code's class page, and ``others`` the rows it might have been.
    """

    row: Category
    code: Code | None
    title: str
    meaning: str
    steps: tuple[str, ...]
    address: str | None
    sure: bool = True
    others: tuple[Category, ...] = ()


# --- the codes -------------------------------------------------------------------------------------------------


def code(sqlstate: str) -> Code:
    """A SQLSTATE with its condition name and the drivers' exception classes (from ``failures.json``)."""
    info = matcher.data()["codes"].get(sqlstate)
    if info is None:
        return Code(sqlstate, None, ())
    conditions = info["conditions"]
    return Code(sqlstate, conditions[-1] if conditions else None, tuple(info["classes"]))


def condition_name(sqlstate: str) -> str | None:
    """PostgreSQL's condition name of a SQLSTATE (``23505`` -> ``unique_violation``)."""
    return code(sqlstate).condition


def all_codes() -> list[str]:
    """Every SQLSTATE of every major the guide checks (``helpers/errcodes/``), sorted."""
    return sorted(matcher.data()["codes"])


def codes(row: Category) -> list[Code]:
    """Every SQLSTATE a row files: its own, then each code of a class it files that no row names by code."""
    named = {sqlstate for other in CATALOG for sqlstate in other.sqlstates}
    claimed = {prefix for other in CATALOG for prefix in other.classes}
    own_class = [prefix for prefix in row.classes if row in CATALOG or prefix not in claimed]
    in_classes = [c for c in all_codes() if c[:2] in own_class and c not in named and c not in row.sqlstates]
    return [code(sqlstate) for sqlstate in (*row.sqlstates, *in_classes)]


def class_codes(sqlstate_class: str) -> list[tuple[Code, Category]]:
    """Every code of a class with the row it is filed under when the message says nothing more."""
    from ..failures import by_sqlstate

    return [(code(c), by_sqlstate(c)) for c in all_codes() if c[:2] == sqlstate_class]


def alembic_exceptions(row: Category) -> list[str]:
    """The exception classes of an Alembic row (``alembic.script.revision.ResolutionError``), dotted."""
    found: list[str] = matcher.data()["alembic_classes"].get(row.key, list(row.exceptions))
    return found


def opening_words(row: Category) -> tuple[str, ...]:
    """The opening words of an error that carries nothing but its text (an Alembic row's ``messages``)."""
    return row.messages


def covered() -> list[Category]:
    """The catalog's rows an error can be matched to: those that file SQLSTATEs or exceptions, or have a page."""
    return [row for row in CATALOG if row.sqlstates or row.classes or row.page or row.exceptions]


# --- the pages, read at build time (helpers.tools.failure_data) ------------------------------------------------


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
    anchor = (row.page or "").partition("#")[2]
    if anchor:  # the row's own section: its steps are the headings under it
        start = next((i for i, (level, text) in enumerate(found) if level == 2 and slug(text) == anchor), None)
        if start is not None:
            end = next((i for i in range(start + 1, len(found)) if found[i][0] == 2), len(found))
            section = [text for _, text in found[start + 1 : end] if _kind(text) not in _NOT_RESOLUTION]
            return (section or [found[start][1]]), None
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


@dataclass(frozen=True)
class PageWords:
    """What a failure page says for a row (read at build time into ``failures.json``)."""

    title: str
    meaning: str
    steps: tuple[str, ...]
    anchor: str | None


def read_page(row: Category) -> PageWords:
    """A row's page read from ``docs/``: its title, first paragraph (of the row's section), resolution headings."""
    source = page_source(row)
    assert source is not None, row.page
    lines = _without_front_matter(source.read_text(encoding="utf-8").splitlines())
    title = next((text for level, text in _headings(lines) if level == 1), row.label)
    title = re.sub(r"^\d+\.\s*", "", title)
    headings, anchor = _sections(lines, row)
    start = next((i for i, line in enumerate(lines) if anchor and line.startswith("## ")
                  and slug(_plain(line[3:]).strip()) == anchor), 0)
    meaning = _first_paragraph(lines[start:]) or row.rollback
    return PageWords(title, meaning, tuple(headings), anchor)




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


# --- what explain says ------------------------------------------------------------------------------------------


def explain_row(row: Category, matched: Code | None = None, *, sure: bool = True,
                others: tuple[Category, ...] = ()) -> Explanation:
    """What ``explain`` says about a row, from the package data: a page's words, or a class's, or the row's own."""
    words = matcher.data()["rows"].get(row.key)
    address = row.address()
    steps: tuple[str, ...]
    if words is not None:
        title, meaning, steps = words["title"], words["meaning"], (*words["steps"], f"NEXT: {row.next_step}")
        if words["anchor"] and address:
            address += f"#{words['anchor']}"
    elif row.key.startswith("class_") or (row.page is None and row.own_page()):
        sqlstate_class = (row.own_page() or "").rstrip("/").rsplit("/", 1)[1]
        text = CLASS_TEXT[sqlstate_class]
        title = f"Class {text.code}: {text.name}"
        meaning = text.means
        steps = (f"Find it: {_plain(text.find)}", f"Rolled back? {_plain(text.rolled_back)}",
                 f"NEXT: {row.next_step}")
    elif row is ALEMBIC:
        title, meaning = ALEMBIC_TITLE, ALEMBIC_MEANING
        steps = ("Recovery", "  The messages: every message Alembic raises, with its page", f"NEXT: {row.next_step}")
    else:
        title, meaning, steps = row.key.replace("_", " ").capitalize(), row.rollback, (f"NEXT: {row.next_step}",)
    return Explanation(row, matched, title, meaning, steps, address, sure, others)


def find(text: str) -> Explanation | None:
    """The failure a SQLSTATE, condition name, exception class or pasted error line is, or None."""
    found = matcher.match_text(text)
    if found is None:
        return None
    matched = code(found.sqlstate) if found.sqlstate else None
    explained = explain_row(found.row, matched, sure=found.sure, others=found.others)
    fix = next((text for words, text in ALEMBIC_FIXES.items() if (found.message or "").startswith(words)), None)
    if found.row is ALEMBIC and fix:  # one of Alembic's messages this row's page says what to do about
        return replace(explained, steps=(_plain(fix), *explained.steps))
    return explained


def prevention(row: Category) -> list[str]:
    """``ML010 (enum value added and used in the same transaction)``: the lint rules that catch the row early."""
    from .lint.rules import RULES

    return [f"{rule} ({RULES[rule].message})" for rule in row.prevented_by if rule in RULES]


def prevents_markdown(rule: str, from_page: str = "safe-migrations.md") -> str:
    """The line a lint rule's section shows: the failures whose rows name the rule in ``prevented_by``."""
    found: dict[str, list[str]] = {}
    for row in CATALOG:
        if rule in row.prevented_by:
            codes_of = found.setdefault(_link(row, from_page), [])
            codes_of += [f"`{code}`" for code in row.sqlstates if f"`{code}`" not in codes_of]
    if not found:
        return ("**Prevents:** no error of the errors index: the revision runs; the harm is the one this section "
                "describes.")
    return "**Prevents:** " + ", ".join(f"{link} ({', '.join(codes)})" for link, codes in found.items()) + "."


def prevented_by_markdown(row: Category, from_page: str) -> str:
    """The admonition a failure page (or its section) shows: the lint rules that catch the failure before it runs."""
    from .lint.rules import RULES

    target = posixpath.relpath("safe-migrations.md", posixpath.dirname(from_page) or ".")
    rules = "; ".join(f"[{rule}]({target}#{rule.lower()}) ({RULES[rule].message})" for rule in row.prevented_by)
    return f'!!! tip "Caught before it runs"\n\n    `migration-rollback lint` flags the revision: {rules}.\n'


def lines(explanation: Explanation, width: int = 100) -> list[str]:
    """The text ``python -m helpers explain`` prints."""
    row, matched = explanation.row, explanation.code
    head = f"{explanation.title} ({row.label})"
    if row.key.startswith("class_"):
        head = explanation.title  # Class 22: Data Exception
    if matched is not None:
        head = f"{matched.sqlstate} {matched.condition or ''}: {head}".replace(" :", ":")
    if not explanation.sure:
        head = f"closest: {head}"
    out = [head]
    classes = matched.classes if matched is not None else tuple(alembic_exceptions(row))
    if classes:
        out.append("  " + ", ".join(classes))
    out += ["", *textwrap.wrap(explanation.meaning, width), "", "Resolution:"]
    for step in explanation.steps:
        indent = " " * (len(step) - len(step.lstrip()) + 2)
        out += textwrap.wrap(step.strip(), width, initial_indent=indent, subsequent_indent=indent + "  ")
    if rules := prevention(row):
        out += ["", "Prevented by (migration-rollback lint):", *(f"  {rule}" for rule in rules)]
    if not explanation.sure:
        out += ["", "The message did not say which page: this is the code's class page. Its own pages:"]
        out += [f"  {other.address()} (when the message reads: {'; '.join(other.shapes)})"
                for other in explanation.others]
    out += ["", f"SEE: {explanation.address}" if explanation.address else "SEE: (no page in the guide yet)"]
    return out


UNKNOWN = (
    "nothing in the guide matches {text!r}; give a SQLSTATE (23505), a condition name "
    "(unique_violation), an exception class (UniqueViolation) or a whole error line."
)
#: What to do about the Alembic messages teams meet that no page of their own covers (the opening words -> the fix).
ALEMBIC_FIXES = {
    "Path doesn't exist": "`script_location` in alembic.ini names a folder that is not there from where alembic "
    "runs: run it from the folder of alembic.ini (or `-c PATH`), or write `script_location = %(here)s/alembic`.",
    "No config file": "alembic found no alembic.ini in the current folder: `cd` to it, or give `-c PATH` "
    "(`ALEMBIC_CONFIG`).",
    "No 'script_location' key": "the file read has no `[alembic]` `script_location`: the wrong ini file, or a packaged "
    "application whose wheel left alembic.ini out.",
    "File contains no section headers": "alembic.ini is not an ini file at its first line (a stray line or a byte "
    "order mark before `[alembic]`).",
    "Source contains parsing errors": "alembic.ini has a line configparser cannot read: fix the line the message names "
    "(a `%` must be written `%%`).",
    "KeyError: 'formatters'": "env.py's `fileConfig(config.config_file_name)` reads logging sections this alembic.ini "
    "lacks: add `[loggers]`, `[handlers]`, `[formatters]`, or call fileConfig only when they are there.",
    "Can't proceed with --autogenerate": "env.py gives `target_metadata = None`: set it to your models' `MetaData`.",
    "Requested revision": "two of the targets given are on one branch (one is the other's ancestor): name the newest "
    "of each branch only.",
    "No current revisions": "alembic_version is empty: stamp the revision the schema is (`migration-rollback identify` "
    "tells which).",
    "Version table": "alembic_version holds several rows: `alembic current` lists them; stamp the right ones.",
    "Online migration expected to match one row": "alembic_version changed under the run (another migration, or a "
    "hand edit): look at it, then stamp what the schema is.",
    "New upgrade operations detected": "`alembic check`: the models differ from the database at head; write the "
    "revision (`alembic revision --autogenerate`).",
    "revision identifier": "the driver returned version_num as bytes (a SQL_ASCII database): use a UTF8 database.",
    "Revision <x> is not a head revision": "`--head` must name a head; `--splice` starts a branch from another.",
    "Directory <x> already exists": "`alembic init` will not write into a folder with files: name a new one.",
}
ALEMBIC_TITLE = "Any other Alembic failure"  # not "errors": a pasted class name's word ranks titles first
ALEMBIC_MEANING = (
    "Alembic stopped on an error of its own, not PostgreSQL's: a revision it cannot find or choose, a path or "
    "option it cannot use, a configuration it cannot read. Alembic's message says which."
)


# --- the errors index -------------------------------------------------------------------------------------------


def title_of(row: Category) -> str:
    """The title of a row's page (its class page's for a row without a page of its own)."""
    return explain_row(row).title


def _link(row: Category, from_page: str, page: str | None = None) -> str:
    page = page or row.own_page()
    if page is None:
        return "no page yet: the diagnosis's NEXT line"
    target = page_path(page) + ".md"
    anchor = page.partition("#")[2]
    href = posixpath.relpath(target, posixpath.dirname(from_page) or ".") + (f"#{anchor}" if anchor else "")
    return f"[{title_of(row)}]({href})"


def pages_markdown(from_page: str) -> str:
    """A Markdown list of every failure page in the catalog, linked from ``docs/<from_page>``."""
    seen: dict[str, str] = {}
    for row in covered():
        if row.page is not None and (row.key in matcher.data()["rows"] or row is ALEMBIC):
            seen.setdefault(page_path(row.page), _link(row, from_page, page_path(row.page) + "/"))
    return "".join(f"- {link}\n" for link in seen.values())


def _rules_cell(row: Category, from_page: str) -> str:
    target = posixpath.relpath("safe-migrations.md", posixpath.dirname(from_page) or ".")
    return ", ".join(f"[{rule}]({target}#{rule.lower()})" for rule in row.prevented_by)


def _cell(text: str) -> str:
    return text.replace("|", chr(92) + "|").replace("`", chr(39))


def index_markdown(from_page: str = "failures/index.md") -> str:
    """The errors index's tables: every SQLSTATE (or Alembic exception) the catalog files, and every message.

    The messages are each row's shapes and symptoms, an Alembic row's opening words and what the failing runs on
    each page printed. A code several rows share is one line per row, the message telling them apart.
    """
    out = [
        "| SQLSTATE | condition name | exception class (psycopg 3, psycopg2, asyncpg; or Alembic's) | failure "
        "| when the message reads | page | prevented by |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in covered():
        link = _link(row, from_page)
        rules = _rules_cell(row, from_page)
        when = "<br>".join(f"`{_cell(shape)}`" for shape in row.shapes) or "anything"
        for found in codes(row):
            classes = "<br>".join(f"`{name}`" for name in found.classes)
            out.append(f"| `{found.sqlstate}` | `{found.condition}` | {classes} | {row.label} | {when} | {link} "
                       f"| {rules} |")
        if not codes(row) and (exceptions := alembic_exceptions(row)):
            classes = "<br>".join(f"`{name}`" for name in exceptions)
            out.append(f"| none: Alembic's own | | {classes} | {row.label} | | {link} | {rules} |")
    out += ["", "Every other code is its class's: [the SQLSTATE classes](#every-sqlstate-class).", "",
            "| what the terminal shows (`ERROR - Migration failed due to ...`, or Alembic's words) | page |",
            "| --- | --- |"]
    printed = matcher.data()["rows"]
    for row in covered():
        link = _link(row, from_page)
        shown = [f"{row.label}: {message}" for message in printed.get(row.key, {}).get("printed", ())]
        shown += [f"{words.strip()} ..." for words in opening_words(row) if not any(words in m for m in shown)]
        for message in shown:
            out.append(f"| `{_cell(message)}` | {link} |")
    return "\n".join(out) + "\n"


def classes_markdown(from_page: str = "failures/index.md") -> str:
    """A list of every SQLSTATE class page (and Alembic's), linked from ``docs/<from_page>``."""
    out = []
    for cls in CLASSES:
        target = posixpath.relpath(page_path(class_page(cls.code)) + ".md", posixpath.dirname(from_page) or ".")
        out.append(f"- [`{cls.code}` {cls.name}]({target})")
    target = posixpath.relpath(page_path(class_page("alembic")) + ".md", posixpath.dirname(from_page) or ".")
    out.append(f"- [{ALEMBIC_TITLE}]({target})")
    return "\n".join(out) + "\n"


# --- the class pages --------------------------------------------------------------------------------------------

#: A class page is the catch-all of its codes: a dedicated page that shares its words ranks above it in the word
#: search (Material's ``search.boost``, as the errors index has).
_LOW_IN_SEARCH = ("---", "search:", "  boost: 0.3", "---", "")


def class_page_markdown(sqlstate_class: str) -> str:
    """``docs/failures/classes/<class>.md``: what the class means, finding the object, rolled back or not, the
    generic recovery, and a table of the class's codes (each major's list) with the row and page each goes to."""
    if sqlstate_class == "alembic":
        return alembic_page_markdown()
    text = CLASS_TEXT[sqlstate_class]
    from_page = page_path(class_page(sqlstate_class)) + ".md"
    majors = matcher.data()["majors"]
    out = [
        *_LOW_IN_SEARCH,
        "<!-- Made from helpers/sqlstate_classes.py, helpers/failures.py and helpers/failures.json by",
        "     helpers.tools.explain.class_page_markdown; tests/docs/failures/classes/test_index.py holds it equal. -->",
        "",
        f"# Class {text.code}: {text.name}",
        "",
        text.means,
        "",
        "## Finding the object the message names",
        "",
        text.find,
        "",
        "## Did the migration's transaction roll back?",
        "",
        text.rolled_back,
        "",
        "## Recovery",
        "",
        text.recovery,
        "",
        "## The codes",
        "",
        f"Every code of class `{text.code}` in PostgreSQL {', '.join(map(str, majors))} (`helpers/errcodes/`), "
        "and where `migration-rollback explain`, the diagnosis's SEE line and the errors index send it.",
        "",
        "| SQLSTATE | condition name | majors | page |",
        "| --- | --- | --- | --- |",
    ]
    data_codes = matcher.data()["codes"]
    for found, row in class_codes(sqlstate_class):
        shaped = [r for r in CATALOG if r.shapes and found.sqlstate in r.sqlstates]
        where = "this page" if row.own_page() == class_page(sqlstate_class) else _link(row, from_page)
        where += "".join(f"; {_link(r, from_page)} when the message reads "
                         + ", ".join(f"`{_cell(s)}`" for s in r.shapes) for r in shaped)
        have = data_codes[found.sqlstate]["majors"]
        shown = "all" if have == majors else ", ".join(map(str, have))
        condition = f"`{found.condition}`" if found.condition else ""
        out.append(f"| `{found.sqlstate}` | {condition} | {shown} | {where} |")
    return "\n".join(out) + "\n"


def alembic_page_markdown() -> str:
    """``docs/failures/classes/alembic.md``: every message Alembic's command layer raises, and its page."""
    from_page = page_path(class_page("alembic")) + ".md"
    data = matcher.data()
    out = [
        *_LOW_IN_SEARCH,
        "<!-- Made from Alembic's source (helpers/failures.json) by helpers.tools.explain.alembic_page_markdown;",
        "     tests/docs/failures/classes/test_index.py holds it equal. -->",
        "",
        f"# {ALEMBIC_TITLE}",
        "",
        ALEMBIC_MEANING,
        "",
        "## Did the migration's transaction roll back?",
        "",
        ALEMBIC.rollback,
        "",
        "## Recovery",
        "",
        ALEMBIC.next_step,
        "",
        "## The messages",
        "",
        f"Every message Alembic {data['alembic']}'s command layer raises (read from its source: `CommandError`, "
        "`RevisionError` and their kin), and three that come from reading `alembic.ini`: what to do, or the page "
        "that says it. `<x>` stands for what changes from run to run.",
        "",
        "| message | exception | raised in | what to do |",
        "| --- | --- | --- | --- |",
    ]
    for message in data["alembic_messages"]:
        row = matcher.row_by_key(message["row"]) or ALEMBIC
        fix = next((text for words, text in ALEMBIC_FIXES.items() if message["message"].startswith(words)), "")
        unknown = "read the message: it names what Alembic could not use"
        where = (fix or unknown) if row is ALEMBIC else _link(row, from_page)
        out.append(f"| `{_cell(message['message'])}` | `{message['exception']}` | `{message['source']}` | {where} |")
    return "\n".join(out) + "\n"


def all_rows() -> tuple[Category, ...]:
    """Every row, the catalog's and the classes'."""
    return ROWS


def class_rows() -> dict[str, Category]:
    return CLASS_ROWS
