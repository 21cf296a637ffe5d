"""Which row of the failure catalog an error is: the one matcher behind the diagnosis's SEE line, ``explain``, the
errors index and the site's search.

Two ways in. :func:`match_error` takes what a raised exception carries (its SQLSTATE and PostgreSQL's message);
:func:`match_text` takes what a reader pastes (a code, a condition name, an exception class of psycopg 3, psycopg2,
asyncpg or SQLAlchemy, a whole error line, the example env.py's ``ERROR - Migration failed due to ...`` line, an
Alembic message). Both go by SQLSTATE first and by the message's shape only to choose between the rows of one code
(42704 is a type, a constraint or an index): a code alone never picks a row whose ``shapes`` the message lacks.
When the message does not say which, the answer is the code's class page, marked not sure ("closest").

What a pasted line needs beyond the rows (each driver's class names, condition names, Alembic's messages, what the
guide's pages printed) is package data, ``failures.json`` beside this module, generated from the pages, the
drivers and Alembic's source (``helpers.tools.failure_data``) and held equal to them by a test: an installed wheel
or a vendored copy answers as a checkout does. :func:`search_rules` gives the same rules as data (patterns a browser
can run) for the site's search box; a test runs the box's script on them and holds its answers equal to
:func:`match_text`'s.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .failures import ALEMBIC, CATALOG, CLASS_ROWS, OTHER, REVISION_FILE, ROWS, Category, rows_of
from .sqlstate_classes import MESSAGES

DATA = Path(__file__).with_name("failures.json")

_PLACEHOLDER = re.compile(r"<[A-Za-z_ -]+>")
_CODE = re.compile(r"^[0-9A-Z]{5}$")
_SQLSTATE_IN_TEXT = re.compile(
    r"(?:SQLSTATE|sqlstate|pgcode|sql_state|code)\W{0,4}([0-9A-Z]{5})\b|^\s*ERROR:\s+([0-9A-Z]{5}):", re.M
)
_DIAGNOSIS = re.compile(r"Migration failed due to (?P<label>.+?): (?P<message>.+)$", re.M)
_WORDS = re.compile(r"[A-Za-z_][\w.]*")
#: Alembic's catch-all when nothing else says (its exception classes, the alembic command's ``FAILED:`` line), and
#: a revision file that fails to import.
_ALEMBIC_LINE = re.compile(r"\b(?:CommandError|RevisionError)\b|^FAILED: ", re.M)
_IMPORT_ERROR = re.compile(r"\b(?:SyntaxError|ModuleNotFoundError|ImportError)\b")
#: Python's own exceptions an Alembic row may file (a revision file that fails to import), and Alembic's catch-all:
#: too common on their own to name a failure.
GENERIC = frozenset(
    {
        "SyntaxError",
        "ImportError",
        "NameError",
        "ModuleNotFoundError",
        "CommandError",
        "RevisionError",
        "Error",
        "Exception",
        "DBAPIError",
        "DatabaseError",
        "StatementError",
    }
)
#: SQLAlchemy's wrappers (``sqlalchemy.exc.IntegrityError``): PEP 249's classes, each spanning many SQLSTATEs.
SQLALCHEMY_WRAPPERS = (
    "IntegrityError",
    "ProgrammingError",
    "OperationalError",
    "DataError",
    "InternalError",
    "NotSupportedError",
)


@dataclass(frozen=True)
class Match:
    """A row an error is, the SQLSTATE that led there, and whether the message said which row (``sure``).

    Not sure: the row is the code's own row without a page of its own (its class page answers), and ``others``
    are the rows whose ``shapes`` the message might have had.
    """

    row: Category
    sqlstate: str | None
    sure: bool = True
    others: tuple[Category, ...] = field(default=())
    #: For one of Alembic's messages: the message as its source words it (``Path doesn't exist: <x>. ...``).
    message: str | None = None

    @property
    def page(self) -> str | None:
        """The page that answers (``failures/enums/#...``, or a class page ``failures/classes/42/``)."""
        return self.row.own_page() or (
            CLASS_ROWS[self.sqlstate[:2]].page if self.sqlstate and self.sqlstate[:2] in CLASS_ROWS else None
        )


@functools.cache
def _pattern(shape: str) -> re.Pattern[str]:
    """``type "<name>" does not exist`` -> a pattern: ``<...>`` any text, case and runs of spaces not counted."""
    parts = [re.escape(part) for part in _PLACEHOLDER.split(_squash(shape))]
    return re.compile(".+?".join(parts), re.I)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def has_shape(row: Category, text: str) -> bool:
    """True when ``text`` has one of the row's ``shapes`` or ``symptoms``."""
    squashed = _squash(text)
    return any(_pattern(shape).search(squashed) for shape in (*row.shapes, *row.symptoms))


def match_error(sqlstate: str | None, message: str | None) -> Match | None:
    """The row of an error with this SQLSTATE and message: a row with ``shapes`` when the message has one, else
    the code's own row (:func:`~.failures.by_sqlstate`); not sure when rows with shapes exist for the code and
    the message has none of them. None without a SQLSTATE."""
    if not sqlstate:
        return None
    code = sqlstate.upper()
    *shaped, default = rows_of(code)
    if message:
        for row in shaped:
            if has_shape(row, message):
                return Match(row, code)
    if default is OTHER:
        return None
    sure = not shaped or default.page is not None
    return Match(default, code, sure, () if sure else tuple(shaped))


def code_in_words(message: str | None) -> str | None:
    """The SQLSTATE whose words (:data:`~.sqlstate_classes.MESSAGES`) a message has, for an error that came
    without one: psycopg 3 and psycopg2 give none for a refused connection, whose ``FATAL:`` text is all there is
    (``too many connections for role "deployer"``: 53300)."""
    squashed = _squash(message or "")
    return next((sqlstate for shape, sqlstate in _BY_LENGTH if _pattern(shape).search(squashed)), None)


def see_address(sqlstate: str | None, message: str | None, category: Category) -> str | None:
    """The address the diagnosis's SEE line names: the matched row's page, else the category's."""
    found = match_error(sqlstate, message)
    if found is None or found.page is None:
        return category.address()
    from .failures import guide_address

    return guide_address(found.page)


# --- the package data -------------------------------------------------------------------------------------------


@functools.cache
def data() -> dict[str, Any]:
    """``failures.json``: codes (condition names, driver classes, majors), pages' words, Alembic's messages."""
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def row_by_key(key: str) -> Category | None:
    return next((row for row in ROWS if row.key == key), None)


@functools.cache
def _names() -> dict[str, str]:
    """Exception class (dotted and bare) and condition name -> SQLSTATE."""
    names: dict[str, str] = {}
    codes = data()["codes"]
    for code, info in sorted(codes.items(), key=lambda item: item[1]["kind"] != "E"):  # an error's name first
        for qualified in info["classes"]:
            names.setdefault(qualified, code)
            names.setdefault(qualified.rsplit(".", 1)[1], code)
        for condition in info["conditions"]:
            names.setdefault(condition, code)
    return names


@functools.cache
def _alembic_names() -> dict[str, Category]:
    names: dict[str, Category] = {}
    for key, classes in data()["alembic_classes"].items():
        row = row_by_key(key)
        if row is None:
            continue
        for qualified in classes:
            names.setdefault(qualified, row)
            names.setdefault(qualified.rsplit(".", 1)[-1], row)
    return names


def _shape_of(text: str) -> str:
    """A message with what changes from run to run left out: quoted names, numbers, placeholders."""
    text = re.sub(r'(?<!\w)"[^"]*"', '""', text)
    text = re.sub(r"(?<!\w)'[^']*'", "''", text)  # a quoted name, not the apostrophe of "Can't"
    text = re.sub(r"<[A-Z]+>|\d+", "0", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _quoted_in(quoted: str, shape: str) -> bool:
    """The quoted message's words in ``shape`` in order, its ``...`` standing for anything."""
    at = 0
    for part in (p.strip() for p in _shape_of(quoted).split("...")):
        found = shape.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def _code_in(pasted: str) -> str | None:
    """The SQLSTATE a pasted text names: the code itself, one written in it, or an exception class or condition."""
    if _CODE.match(pasted.upper()) and pasted.upper() in data()["codes"]:
        return pasted.upper()
    for match in _SQLSTATE_IN_TEXT.finditer(pasted):
        sqlstate = match[1] or match[2]
        if sqlstate in data()["codes"]:
            return sqlstate
    names = _names()
    for word in (w.rstrip(".") for w in _WORDS.findall(pasted)):
        for candidate in (word, word.lower(), word.rsplit(".", 1)[-1]):
            if candidate in names and candidate not in GENERIC and candidate not in SQLALCHEMY_WRAPPERS:
                return names[candidate]
    return None


def _by_message(pasted: str) -> Match | None:
    """A row whose shapes, symptoms, printed or quoted messages the text has (specific rows before catch-alls)."""
    for row in CATALOG:
        if row.shapes and has_shape(row, pasted):
            return Match(row, row.sqlstates[0] if row.sqlstates else None)
    for row in CATALOG:
        if row.symptoms and has_shape(row, pasted):
            return Match(row, row.sqlstates[0] if row.sqlstates else None)
    shape = _shape_of(pasted)
    pages = data()["rows"]
    for row in CATALOG:
        if any(_shape_of(message) in shape for message in pages.get(row.key, {}).get("printed", ())):
            return Match(row, row.sqlstates[0] if row.sqlstates else None)
    for row in CATALOG:
        if any(words in pasted for words in row.messages):
            return Match(row, None)
    for row in CATALOG:
        title = pages.get(row.key, {}).get("title", "")
        if len(title.split()) >= 3 and "..." not in title and _shape_of(title) in shape:
            return Match(row, None)
    for row in CATALOG:
        if any(_quoted_in(quoted, shape) for quoted in pages.get(row.key, {}).get("quoted", ())):
            return Match(row, row.sqlstates[0] if row.sqlstates else None)
    return None


def _by_alembic(pasted: str) -> Match | None:
    """An Alembic row from an exception class in the text, or one of the messages Alembic's source raises."""
    alembic = _alembic_names()
    for word in (w.rstrip(".") for w in _WORDS.findall(pasted)):
        for candidate in (word, word.rsplit(".", 1)[-1]):
            if candidate in alembic and candidate.rsplit(".", 1)[-1] not in GENERIC:
                return Match(alembic[candidate], None)
    squashed = _squash(pasted)
    for message in data()["alembic_messages"]:
        if _pattern(message["message"]).search(squashed):
            row = row_by_key(message["row"]) or ALEMBIC
            return Match(row, None, message=message["message"])
    return None


#: :data:`~.sqlstate_classes.MESSAGES`, the longest first (``constraint "<x>" of relation "<x>" does not exist``
#: before ``relation "<x>" does not exist``).
_BY_LENGTH = sorted(MESSAGES, key=lambda item: -len(_PLACEHOLDER.sub("", item[0])))


def example(line: str) -> str:
    """A symptom with its placeholders filled (``<rev>`` -> ``abc123``): a line a reader could have pasted."""
    return _PLACEHOLDER.sub("abc123", line)


def wordings(row: Category) -> list[str]:
    """Each of the row's symptoms as each driver, SQLAlchemy, psql, a stock traceback and the example env.py word it.

    For a row of SQLSTATEs: psycopg 3's, psycopg2's and asyncpg's exception line, SQLAlchemy's wrapper (the stock
    env.py's traceback ends with it), psql's ``ERROR:`` line and env.py's diagnosis line. For an Alembic row:
    ``FAILED:`` (the alembic command's own line), the ``CommandError`` of a traceback, and env.py's line.
    """
    from .failures import by_sqlstate

    out: list[str] = []
    for symptom in (example(s) for s in row.symptoms):
        if row.sqlstates:
            info = data()["codes"].get(row.sqlstates[0], {})
            classes = info.get("classes", [])
            out += [f"{cls}: {symptom}" for cls in classes]
            if classes:
                out.append(f"sqlalchemy.exc.{info.get('wrapper', 'DatabaseError')}: ({classes[0]}) {symptom}")
            out += [
                f"ERROR:  {symptom}",
                f"ERROR - Migration failed due to {by_sqlstate(row.sqlstates[0]).label}: {symptom}",
            ]
        else:
            out += [
                f"FAILED: {symptom}",
                f"alembic.util.exc.CommandError: {symptom}",
                f"ERROR - Migration failed due to {row.label}: {symptom}",
            ]
    return out


def match_text(text: str) -> Match | None:
    """The row a SQLSTATE, condition name, exception class or pasted error line is; None when nothing says."""
    pasted = text.strip()
    if not pasted:
        return None
    diagnosis = _DIAGNOSIS.search(pasted)
    code = _code_in(pasted)
    if code is not None:
        return match_error(code, pasted)
    found = _by_message(pasted) or _by_alembic(pasted)
    if found is not None:
        return found
    squashed = _squash(pasted)
    for shape, sqlstate in _BY_LENGTH:  # PostgreSQL's words without their code: the code, then its rows
        if _pattern(shape).search(squashed):
            return match_error(sqlstate, pasted)
    if diagnosis is not None:  # the example env.py's line: its label names the rows, its message may choose
        rows = [row for row in CATALOG if row.label == diagnosis["label"]]
        codes = sorted({code for row in rows for code in row.sqlstates})
        if len(codes) == 1:
            return match_error(codes[0], diagnosis["message"])
        classes = {code[:2] for code in codes}
        if len(classes) == 1:
            return Match(CLASS_ROWS[classes.pop()], None, sure=False, others=tuple(rows))
        if len(rows) == 1:
            return Match(rows[0], None)
        label = diagnosis["label"]
        for row in CLASS_ROWS.values():
            if row.label == label:
                return Match(row, None)
    for row in CATALOG:
        if row.page and f"/{row.page}" in pasted:
            return Match(row, None)
    if _ALEMBIC_LINE.search(pasted):
        return Match(ALEMBIC, None, sure=False)
    if _IMPORT_ERROR.search(pasted) and "revision" in pasted.lower():
        return Match(REVISION_FILE, None, sure=False)
    return None


# --- the same rules as data, for the site's search box ------------------------------------------------------------


def _regex(text: str) -> str:
    """A message as a pattern that ignores what changes from run to run, as :func:`_shape_of` does: quoted names,
    numbers, ``<PLACEHOLDERS>``."""
    parts = re.split(r'((?<!\w)"[^"]*"|(?<!\w)\'[^\']*\'|<[A-Z]+>|\d+)', _squash(text))
    out = []
    for part in parts:
        if part.startswith('"') and part.endswith('"') and len(part) > 1:
            out.append('"[^"]*"')
        elif part.startswith("'") and part.endswith("'") and len(part) > 1:
            out.append("'[^']*'")
        elif re.fullmatch(r"<[A-Z]+>|\d+", part):
            out.append(r"\S+")
        else:
            out.append(re.escape(part))
    return "".join(out)


# --- the same rules for the site's search -----------------------------------------------------------------------
#
# The site's search box and its "paste your error" boxes recognise a pasted line in the browser, offline, with the
# rules above written out as data (``docs/javascripts/error-search.json``, made by ``helpers.tools.search_rules``)
# that ``docs/javascripts/error-search.js`` interprets step by step: the steps below are :func:`match_text`'s, in
# its order, each regex the one this module uses. tests/tools/test_search_rules.py runs the script with node on
# every row's symptoms in every wording, every code, name and Alembic message and the real lines, and holds its
# answers equal to :func:`match_text`'s.

#: Python's ``\w`` and ``\d`` are Unicode's; JavaScript's only with the ``u`` flag and these classes.
_JS_WORD_CHAR = r"[\p{L}\p{N}_]"
Regex = list[str]  # [source, flags]: a JavaScript RegExp's


def _js(pattern: re.Pattern[str] | str, flags: str = "") -> Regex:
    """A compiled pattern (re.I -> ``i``, re.M -> ``m``) or a literal, as JavaScript's ``new RegExp(source, flags)``."""
    if isinstance(pattern, str):
        return [re.escape(pattern), flags]
    flags += "i" if pattern.flags & re.I else ""
    flags += "m" if pattern.flags & re.M else ""
    return [pattern.pattern.replace("(?P<", "(?<"), flags]


def _unicode(pattern: re.Pattern[str]) -> Regex:
    """A pattern with ``\\w`` and ``\\W`` (Unicode's in Python) as JavaScript's ``u`` flag spells them."""
    source, flags = _js(pattern)
    source = source.replace(r"[\w.]", r"[\p{L}\p{N}_.]").replace(r"\W", r"[^\p{L}\p{N}_]")
    return [source, flags + "gu"]


def _quoted_pattern(quoted: str) -> Regex:
    """:func:`_quoted_in` as a pattern over a text's shape: the quoted words in order, ``...`` anything between."""
    return [r"[\s\S]*?".join(re.escape(part.strip()) for part in _shape_of(quoted).split("...")), ""]


def _distinct(patterns: Iterable[Regex]) -> list[Regex]:
    return [list(pattern) for pattern in dict.fromkeys(tuple(pattern) for pattern in patterns)]


def _code_entry(code: str) -> dict[str, Any]:
    """:func:`match_error`'s answer for a code: the rows its message may choose by shape, else the default."""
    *shaped, default = rows_of(code)
    entry: dict[str, Any] = {}
    names = data()["codes"].get(code, {}).get("conditions", [])
    if names:
        entry["name"] = names[-1]
    if default is not OTHER:
        entry["row"] = default.key
    if shaped:
        entry["shaped"] = [row.key for row in shaped]
        if default.page is None:
            entry["closest"] = True
    return entry


def _names_table() -> dict[str, str]:
    """:func:`_code_in`'s names, less those it never answers with and dotted names whose last part says the same."""
    table = {name: code for name, code in _names().items() if name not in GENERIC and name not in SQLALCHEMY_WRAPPERS}
    return {name: code for name, code in table.items() if "." not in name or table.get(name.rsplit(".", 1)[-1]) != code}


def _alembic_table() -> dict[str, str]:
    return {name: row.key for name, row in _alembic_names().items() if name.rsplit(".", 1)[-1] not in GENERIC}


def _steps() -> list[dict[str, Any]]:
    """:func:`match_text`'s steps after the code (``_code_in``): each a test and the answer it gives."""
    pages = data()["rows"]
    steps: list[dict[str, Any]] = [
        {"rows": [row.key for row in CATALOG if row.shapes]},
        {"rows": [row.key for row in CATALOG if row.symptoms]},
    ]

    def code_of(row: Category) -> str | None:
        return row.sqlstates[0] if row.sqlstates else None

    for row in CATALOG:
        printed = _distinct(_js(_shape_of(message)) for message in pages.get(row.key, {}).get("printed", ()))
        if printed:
            steps.append({"on": "shape", "any": printed, "row": row.key, "code": code_of(row)})
    for row in CATALOG:
        if row.messages:
            steps.append({"on": "raw", "any": [_js(words) for words in row.messages], "row": row.key})
    for row in CATALOG:
        title = pages.get(row.key, {}).get("title", "")
        if len(title.split()) >= 3 and "..." not in title:
            steps.append({"on": "shape", "any": [_js(_shape_of(title))], "row": row.key})
    for row in CATALOG:
        quoted = _distinct(_quoted_pattern(q) for q in pages.get(row.key, {}).get("quoted", ()))
        if quoted:
            steps.append({"on": "shape", "any": quoted, "row": row.key, "code": code_of(row)})
    steps.append({"words": "alembic_names"})
    for message in data()["alembic_messages"]:
        row = row_by_key(message["row"]) or ALEMBIC
        test = _js(_pattern(message["message"]))
        if steps[-1].get("row") == row.key and steps[-1].get("on") == "squashed":
            steps[-1]["any"] = _distinct([*steps[-1]["any"], test])  # the same answer as the step before: one step
        else:
            steps.append({"on": "squashed", "any": [test], "row": row.key})
    for shape, sqlstate in _BY_LENGTH:
        steps.append({"on": "squashed", "any": [_js(_pattern(shape))], "code_of": sqlstate})
    steps.append({"diagnosis": _js(_DIAGNOSIS), "labels": _diagnosis_answers()})
    for row in CATALOG:
        if row.page:
            steps.append({"on": "raw", "any": [_js(f"/{row.page}")], "row": row.key})
    steps.append({"on": "raw", "any": [_js(_ALEMBIC_LINE)], "row": ALEMBIC.key, "closest": True})
    steps.append(
        {"on": "raw", "all": [_js(_IMPORT_ERROR), _js("revision", "i")], "row": REVISION_FILE.key, "closest": True}
    )
    return steps


def _diagnosis_answers() -> dict[str, dict[str, Any]]:
    """The example env.py's line: what :func:`match_text` answers for each label the diagnosis prints."""
    answers: dict[str, dict[str, Any]] = {}
    for label in dict.fromkeys(row.label for row in (*CATALOG, *CLASS_ROWS.values())):
        rows = [row for row in CATALOG if row.label == label]
        codes = sorted({code for row in rows for code in row.sqlstates})
        classes = {code[:2] for code in codes}
        if len(codes) == 1:
            answers[label] = {"code_of": codes[0]}
        elif len(classes) == 1:
            answers[label] = {"row": CLASS_ROWS[classes.pop()].key, "closest": True}
        elif len(rows) == 1:
            answers[label] = {"row": rows[0].key}
        elif found := [row for row in CLASS_ROWS.values() if row.label == label]:
            answers[label] = {"row": found[0].key}
    return answers


def search_rules() -> dict[str, Any]:
    """:func:`match_text` as data for the site's search (``docs/javascripts/error-search.js`` interprets it).

    ``forms``: the text each test reads (``raw`` stripped, ``squashed`` as :func:`has_shape` reads it, ``shape``
    as :func:`_shape_of` makes it). ``code``: how a code is found (the whole text, a pattern, a word that is a
    name) and ``codes``: each code's answer (:func:`match_error`: the rows whose ``shapes`` its message may have,
    else its row, ``closest`` when unsure). ``shapes``: each row's patterns (:func:`has_shape`). ``steps``: the
    rest of :func:`match_text` in order; the first that holds answers.
    """
    space = [r"\s+", "g", " "]
    return {
        "forms": {
            "squashed": {"replace": [space], "lower": False},
            "shape": {
                "replace": [
                    [rf'(?<!{_JS_WORD_CHAR})"[^"]*"', "gu", '""'],
                    [rf"(?<!{_JS_WORD_CHAR})'[^']*'", "gu", "''"],
                    [r"<[A-Z]+>|\p{Nd}+", "gu", "0"],
                    space,
                ],
                "lower": True,
            },
        },
        "code": {"whole": _js(_CODE), "written": _unicode(_SQLSTATE_IN_TEXT), "words": _unicode(_WORDS)},
        "codes": {code: _code_entry(code) for code in sorted(data()["codes"])},
        "names": _names_table(),
        "alembic_names": _alembic_table(),
        "shapes": {
            row.key: _distinct(_js(_pattern(s)) for s in (*row.shapes, *row.symptoms))
            for row in CATALOG
            if row.shapes or row.symptoms
        },
        "steps": _steps(),
    }
