"""The failure catalog: one row per kind of failure, which everything else derives from.

A row says how the failure is recognised (its SQLSTATEs, or a whole SQLSTATE class), how the
diagnosis names it (the first line's label, the ROLLBACK and NEXT lines) and the guide's page that
resolves it (the diagnosis prints its address on a ``SEE:`` line). The errors index, ``python -m
helpers explain``, the site's search and the lint rules read the same rows. Adding a failure is adding
a row here and its page.

A code has at most one row without ``shapes`` (the diagnosis files it there, by SQLSTATE alone); a code
no row names is its class's row (``CLASS_ROWS``, one per SQLSTATE class, each with a page under
``failures/classes/``), so every SQLSTATE resolves to a page. A row for a kind that shares its code with
others (42704: a type, a constraint, an index) has ``shapes`` and a page of its own; a row for a whole
code takes the code out of the generic row that files it today (``MISSING``, ``INVALID_VALUE`` ...).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .sqlstate_classes import CLASSES, ROLLED_BACK, class_of

#: Where the guide is served: ``nox -s serve`` (README). A team that hosts a copy sets ``HELPERS_GUIDE_URL``.
GUIDE_URL = "http://127.0.0.1:8000/"

_ROLLED_BACK = "Transaction has been rolled back."
_INTEGRITY = f"{_ROLLED_BACK} Check for duplicate keys, foreign key violations, or constraint conflicts."
_SCHEMA = f"{_ROLLED_BACK} Check whether an earlier migration was partially applied (alembic current)."
#: "Of the failed transaction": under transaction_per_migration (or after an autocommit block) the revisions
#: committed before it stay applied.
_KEPT = "nothing of the failed transaction was kept; alembic current says what committed before it."
_CONCURRENCY = f"{_ROLLED_BACK} Another session got in the way; {_KEPT}"
_RESOURCES = f"{_ROLLED_BACK} The server ran short of a resource; {_KEPT}"


@dataclass(frozen=True)
class Category:
    """One kind of failure: how it is recognised, how the diagnosis names it, and the page that resolves it.

    ``sqlstates`` are the codes filed under it; ``classes`` whole SQLSTATE classes (``"08"``) for codes
    no row names. ``page`` is the guide's page, relative to its root (``failures/duplicate-key/``).

    Alembic's own failures have no SQLSTATE: ``exceptions`` are the names of the exception classes
    filed under the row (Alembic's ``CommandError`` is raised *from* the one that says what happened,
    ``ResolutionError``, ``MultipleHeads`` ...: the whole chain counts, and each class's bases).
    ``raised_in`` narrows a generic class (``SyntaxError``) to one raised through these modules
    (Alembic loading or running a revision file). ``messages`` are the opening words of an Alembic
    error that carries nothing but its text (``Target database is not up to date.``).

    ``shapes`` tell apart the kinds one SQLSTATE spans (42704 for a type, a constraint or an index): a row with
    shapes is chosen for its codes only when the message has one of them (``type "<name>" does not exist``:
    ``<...>`` stands for any text, case and spacing do not count), and never by the diagnosis's category, which
    goes by SQLSTATE alone (``BY_SQLSTATE`` holds only rows without shapes); the SEE line, ``explain``, the errors
    index and the site's search use them (``helpers.matcher``). ``symptoms`` are whole lines a reader sees
    (``FAILED: ...``, PostgreSQL's message; placeholders as in shapes): the matcher recognises them as it does
    shapes, and the tests paste each in every driver's wording (``matcher.wordings``); like shapes, they never
    change the diagnosis's category. ``prevented_by`` names the lint rules (``ML010``) that catch the failure
    before it happens: the page, ``explain``, the errors index and the rule's section show them.
    """

    key: str
    label: str
    rollback: str
    next_step: str
    sqlstates: tuple[str, ...] = ()
    page: str | None = None
    classes: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    raised_in: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    shapes: tuple[str, ...] = ()
    prevented_by: tuple[str, ...] = ()

    def own_page(self) -> str | None:
        """The row's page, else its SQLSTATE class's page (``failures/classes/42/``), else None."""
        if self.page is not None:
            return self.page
        classes = {code[:2] for code in self.sqlstates} | set(self.classes)
        return class_page(classes.pop()) if len(classes) == 1 else None

    def address(self) -> str | None:
        """The page's address on the guide (``HELPERS_GUIDE_URL``, else :data:`GUIDE_URL`), or None."""
        page = self.own_page()
        return None if page is None else guide_address(page)


def guide_address(page: str) -> str:
    """A page of the guide (``failures/duplicate-key/``) at ``HELPERS_GUIDE_URL``, else :data:`GUIDE_URL`."""
    base = os.environ.get("HELPERS_GUIDE_URL") or GUIDE_URL
    return base.rstrip("/") + "/" + page


def class_page(sqlstate_class: str) -> str:
    """The page of a SQLSTATE class (``23`` -> ``failures/classes/23/``), or of Alembic's own errors (``alembic``)."""
    return f"failures/classes/{sqlstate_class}/"


UNIQUE = Category(
    "unique_violation",
    "integrity constraint",
    _INTEGRITY,
    "Find the duplicates (SELECT key, COUNT(*) ... GROUP BY key HAVING COUNT(*) > 1), "
    "keep one row per key, then retry.",
    sqlstates=("23505",),
    page="failures/duplicate-key/",
    symptoms=(
        'could not create unique index "ix_users_email"',
        'duplicate key value violates unique constraint "users_email_key"',
    ),
)
FOREIGN_KEY = Category(
    "foreign_key_violation",
    "integrity constraint",
    _INTEGRITY,
    "Find the orphaned or still-referenced rows named in DETAIL, delete them or repoint "
    "their foreign keys, then retry.",
    sqlstates=("23503",),
    page="failures/foreign-key/",
    symptoms=(
        'insert or update on table "events" violates foreign key constraint "fk_events_camera_id"',
        'update or delete on table "cameras" violates foreign key constraint "fk_events_camera_id" on table "events"',
    ),
)
NOT_NULL = Category(
    "not_null_violation",
    "NULLs in a NOT NULL column",
    _ROLLED_BACK,
    "Backfill the NULLs (UPDATE ... WHERE col IS NULL), or give the new column a server_default, "
    "before making it NOT NULL; then retry.",
    sqlstates=("23502",),
    page="failures/not-null/",
    symptoms=('column "location" of relation "cameras" contains null values',),
    prevented_by=("ML001",),
)
CHECK = Category(
    "check_violation",
    "rows that break a check constraint",
    _ROLLED_BACK,
    "Find the rows that fail the check (SELECT ... WHERE NOT (condition)), fix them or the condition, then retry.",
    sqlstates=("23514",),
    page="failures/check-violation/",
    symptoms=('check constraint "ck_cameras_status" of relation "cameras" is violated by some row',),
)
TYPE_MISMATCH = Category(
    "datatype_mismatch",
    "a type change without a cast",
    _ROLLED_BACK,
    "Give alter_column a postgresql_using= cast (the HINT shows one), after finding the rows it "
    "cannot convert; then retry.",
    sqlstates=("42804",),
)
#: 42804 from ALTER COLUMN ... TYPE (42804 is also an INSERT's "is of type integer but expression is of type
#: text", a foreign key between columns of different types: not this page's).
TYPE_CHANGE_CAST = Category(
    "type_change_without_cast",
    "a type change without a cast",
    _ROLLED_BACK,
    TYPE_MISMATCH.next_step,
    sqlstates=("42804",),
    page="failures/type-change/",
    shapes=("cannot be cast automatically to type",),
    symptoms=('column "firmware_version" cannot be cast automatically to type integer',),
    prevented_by=("ML007",),
)
INVALID_VALUE = Category(
    "invalid_value",
    "a value the new type cannot hold",
    _ROLLED_BACK,
    "Find the rows the cast cannot convert (the value is quoted above), fix them or the USING expression, then retry.",
    sqlstates=("22P02", "22007", "22008"),
    page="failures/type-change/",
    symptoms=('invalid input syntax for type integer: "v1044"',),
    prevented_by=("ML007",),
)
ENUM_VALUE_INVALID = Category(
    "invalid_enum_value",
    "a value the new type cannot hold",
    _ROLLED_BACK,
    "Rows still hold the label being removed or renamed: move them to a label that stays, then retry.",
    sqlstates=("22P02",),
    page="failures/enums/#removing-or-renaming-a-value",
    shapes=("invalid input value for enum <type>",),
    symptoms=('invalid input value for enum camera_mode: "night"',),
)
TOO_BIG = Category(
    "value_too_big",
    "a value too big for its type",
    _ROLLED_BACK,
    "A stored or computed value does not fit the column's type (a varchar's length, a smallint's or numeric's "
    "range): find the largest (max(length(col)), max(col)), then give the revision a type that holds it, or fix "
    "the values on purpose; then retry.",
    sqlstates=("22001", "22003"),
    page="failures/value-too-long/",
    symptoms=("value too long for type character varying(50)",),
)
ENUM_VALUE_TOO_EARLY = Category(
    "unsafe_new_enum_value_usage",
    "an enum value used before it was committed",
    _ROLLED_BACK,
    "Add the value in a revision of its own, inside op.get_context().autocommit_block(), "
    "and use it in the next revision; then retry.",
    sqlstates=("55P04",),
    page="failures/enums/#a-new-value-used-in-the-same-transaction-55p04",
    symptoms=('unsafe use of new value "infrared" of enum type camera_mode',),
    prevented_by=("ML010",),
)
ALREADY_EXISTS = Category(
    "already_exists",
    "schema conflict",
    _SCHEMA,
    "If the existing object is what this migration creates, run alembic stamp <revision>; otherwise drop it and retry.",
    sqlstates=("42P07", "42701", "42710"),
    page="failures/already-exists/",
    symptoms=('relation "audit_log" already exists', 'column "phone" of relation "users" already exists'),
    # The retry of a revision whose autocommit block had committed a CREATE without IF NOT EXISTS.
    prevented_by=("ML016",),
)
ENUM_TYPE_EXISTS = Category(
    "enum_type_exists",
    "schema conflict",
    _SCHEMA,
    "An Enum's CREATE TYPE ran again (sa.Enum on a second table, or a type a failed run left behind): refer to it "
    "with postgresql.ENUM(..., create_type=False), or drop the leftover; then retry.",
    sqlstates=("42710",),
    page="failures/enums/#the-type-already-exists-42710",
    shapes=('type "<name>" already exists',),
    symptoms=('type "camera_mode" already exists',),
    prevented_by=("ML011",),
)
MISSING = Category(
    "missing_object",
    "a missing object",
    _ROLLED_BACK,
    "The table, column, constraint, index or type named above does not exist under that name. On a downgrade, "
    "find the name the database has (\\d TABLE) and drop that one; if it is gone already, migration-rollback "
    "compare REV, then alembic stamp REV. A type: create it first (op.add_column does not). Then retry.",
    sqlstates=("42P01", "42703", "42704"),
    page="failures/missing-object/",
    symptoms=('relation "accounts" does not exist',),
    prevented_by=("ML008",),
)
SYNTAX = Category(
    "syntax_error",
    "SQL PostgreSQL cannot parse",
    _ROLLED_BACK,
    "Fix the SQL at the position the message gives; build SQL that changes per run with SQLAlchemy constructs, "
    "then retry.",
    sqlstates=("42601",),
    prevented_by=("ML000",),
)
UNDEFINED_TYPE = Category(
    "undefined_type",
    "a missing object",
    _ROLLED_BACK,
    MISSING.next_step,
    sqlstates=("42704",),
    page="failures/enums/#add_column-does-not-create-the-type-42704",
    shapes=('type "<name>" does not exist',),
    symptoms=('type "camera_mode" does not exist',),
)
DEPENDENT_OBJECTS = Category(
    "dependent_objects_still_exist",
    "dependent objects",
    _ROLLED_BACK,
    "DETAIL names what uses the object this migration drops (a view, a foreign key, a default...): save its "
    "definition (pg_dump --schema-only -t NAME), drop it first, by hand or in the revision, then retry. "
    "CASCADE would drop it without naming it.",
    sqlstates=("2BP01",),
    page="failures/dependent-objects/",
    symptoms=("cannot drop column location of table cameras because other objects depend on it",),
)
INVALID_DEFINITION = Category(
    "invalid_table_definition",
    "an invalid table definition",
    _ROLLED_BACK,
    "The table cannot be what the revision says: a second primary key (a table has one; drop the old one first, "
    "in the same revision, by the name \\d TABLE shows), or another impossible definition named above. "
    "Fix the revision, then retry.",
    sqlstates=("42P16",),
    page="failures/multiple-primary-keys/",
    symptoms=('multiple primary keys for table "cameras" are not allowed',),
)
LOCK_TIMEOUT = Category(
    "lock_not_available",
    "lock timeout",
    _CONCURRENCY,
    "Find the blocking session (pg_blocking_pids, pg_stat_activity), wait for it or end it, then retry.",
    sqlstates=("55P03",),
    page="failures/lock-timeout/",
    symptoms=("canceling statement due to lock timeout",),
)
IN_TRANSACTION = Category(
    "active_sql_transaction",
    "a statement that cannot run inside a transaction",
    _ROLLED_BACK,
    "CREATE INDEX CONCURRENTLY (like DROP INDEX CONCURRENTLY, VACUUM and CREATE DATABASE) refuses a "
    "transaction block: run it inside op.get_context().autocommit_block(), then retry.",
    sqlstates=("25001",),
    page="failures/concurrent-index-in-transaction/",
    symptoms=("CREATE INDEX CONCURRENTLY cannot run inside a transaction block",),
    prevented_by=("ML004",),
)
ABORTED_TRANSACTION = Category(
    "in_failed_sql_transaction",
    "an aborted transaction",
    _ROLLED_BACK,
    "This is not the real error: an earlier statement failed and the migration caught it and went on. "
    "Find that first error (the log lines above, or the revision's statements run by hand between BEGIN and "
    "ROLLBACK), fix it, and catch a failure only around a savepoint, then retry.",
    sqlstates=("25P02",),
    page="failures/aborted-transaction/",
    symptoms=("current transaction is aborted, commands ignored until end of transaction block",),
    prevented_by=("ML012",),
)
PENDING_TRIGGER_EVENTS = Category(
    "object_in_use",
    "an object in use",
    _ROLLED_BACK,
    "For pending trigger events: rows of this table changed earlier in the same transaction under a deferred "
    "constraint or trigger; run SET CONSTRAINTS ALL IMMEDIATE after the data change (or commit it first), "
    "then retry. Otherwise (a database being accessed by other users) end the other sessions or wait, then retry.",
    sqlstates=("55006",),
    page="failures/pending-trigger-events/",
    symptoms=('cannot ALTER TABLE "cameras" because it has pending trigger events',),
    prevented_by=("ML012",),
)
STATEMENT_TIMEOUT = Category(
    "query_canceled",
    "statement timeout",
    _ROLLED_BACK + " The statement was canceled.",
    "The statement ran or waited past statement_timeout (lock_timeout's failure is 55P03), or someone canceled it "
    "(user request): find where the timeout is set (pg_settings.source), then batch the work or give this run "
    "more time (PGOPTIONS), then retry.",
    sqlstates=("57014",),
    page="failures/statement-timeout/",
    symptoms=("canceling statement due to statement timeout",),
)
DEADLOCK = Category(
    "deadlock",
    "deadlock",
    _CONCURRENCY,
    "Another session locked these tables in the other order: DETAIL names both processes and the lock each "
    "waits for. Retry; if it recurs, take the locks in the application's order, or pause that traffic.",
    sqlstates=("40P01",),
    page="failures/deadlock/",
    symptoms=("deadlock detected",),
)
SERIALIZATION = Category(
    "serialization_failure",
    "serialization failure",
    _CONCURRENCY,
    "The migration ran at REPEATABLE READ or SERIALIZABLE and met a row another session changed after its "
    "snapshot: retry, nothing from this attempt was kept. If it recurs, run the migration at READ COMMITTED "
    "(PGOPTIONS='-c default_transaction_isolation=read\\ committed').",
    sqlstates=("40001",),
    page="failures/serialization/",
    symptoms=("could not serialize access due to concurrent update",),
)
IDLE_TIMEOUT = Category(
    "idle_session_timeout",
    "an idle session ended by the server",
    f"{_ROLLED_BACK} The server ended the session, and {_KEPT}",
    "The session sat idle past idle_in_transaction_session_timeout (or idle_session_timeout): find where it is set "
    "(pg_settings.source), take the slow work out of the migration's transaction, or give this run no limit "
    "(PGOPTIONS='-c idle_in_transaction_session_timeout=0'); then retry.",
    sqlstates=("25P03", "57P05"),
    page="failures/idle-timeout/",
    symptoms=("terminating connection due to idle-in-transaction timeout",),
)
TOO_MANY_CONNECTIONS = Category(
    "too_many_connections",
    "too many connections",
    "Nothing ran: the server refused the connection before the migration began, and the database is unchanged.",
    "Every slot the limit allows is taken: find who holds them (pg_stat_activity by role and database, beside "
    "rolconnlimit and datconnlimit), end the leftover sessions or wait for the application's pool to shrink, "
    "or raise the limit (ALTER ROLE ... CONNECTION LIMIT); then retry.",
    sqlstates=("53300",),
    page="failures/too-many-connections/",
    symptoms=(
        'too many connections for role "<role>"',
        'too many connections for database "<database>"',
        "sorry, too many clients already",
        "remaining connection slots are reserved for roles with the SUPERUSER attribute",
        'remaining connection slots are reserved for roles with privileges of the "pg_use_reserved_connections" role',
        "remaining connection slots are reserved for non-replication superuser connections",
    ),
)
CONNECTION_LOST = Category(
    "connection_lost",
    "lost connection",
    "The connection was lost before COMMIT: nothing was committed, and PostgreSQL rolls the "
    "transaction back when the session ends.",
    "After a network cut the server may not have noticed yet: end the migration's leftover session "
    "(pg_stat_activity), check alembic current, then retry; break large data migrations into batches.",
    sqlstates=("57P01", "57P02", "57P03"),
    page="failures/connection-lost/",
    classes=("08",),
    symptoms=("terminating connection due to administrator command", "server closed the connection unexpectedly"),
)
DISK_FULL = Category(
    "disk_full",
    "disk full",
    _RESOURCES,
    "Free disk space on the database server before retrying.",
    sqlstates=("53100",),
    page="failures/server-faults/",
    symptoms=('could not extend file "base/16384/24576": No space left on device',),
)
OUT_OF_MEMORY = Category(
    "out_of_memory",
    "out of memory",
    _RESOURCES,
    "Lower the memory this migration needs (smaller batches, lower work_mem) or retry when the server is quieter.",
    sqlstates=("53200",),
    page="failures/server-faults/",
    symptoms=("out of memory",),
)
PRIVILEGE = Category(
    "insufficient_privilege",
    "insufficient privilege",
    _ROLLED_BACK,
    "Run the migration as the role that owns these objects (must be owner of ...), or have their owner grant "
    "what is missing (permission denied for schema ...: GRANT CREATE ON SCHEMA), then retry.",
    sqlstates=("42501",),
    page="failures/insufficient-privilege/",
    symptoms=("must be owner of table cameras", "permission denied for schema public"),
)
_NOTHING_RAN = "Nothing ran: Alembic stopped before the first revision, and the database is unchanged."
UNKNOWN_REVISION = Category(
    "unknown_revision",
    "a revision this code does not have",
    _NOTHING_RAN,
    "If alembic_version holds it, get its file back from git (git log --all -- 'versions/*<rev>*') or find the "
    "revision the schema really is (migration-rollback compare REV) and alembic stamp --purge REV; "
    "if you typed it, check alembic history.",
    page="failures/unknown-revision/",
    exceptions=("ResolutionError",),
    symptoms=("Can't locate revision identified by '<rev>'", "No such revision or branch '<rev>'"),
)
MULTIPLE_HEADS = Category(
    "multiple_heads",
    "multiple heads",
    _NOTHING_RAN,
    "Two revisions share a parent (alembic heads lists both): alembic merge heads, or point one's "
    "down_revision at the other; alembic upgrade heads runs both branches as they are.",
    page="failures/multiple-heads/",
    exceptions=("MultipleHeads",),
    messages=("Ambiguous upgrade from multiple current revisions",),
    symptoms=(
        "Multiple head revisions are present for given argument 'head'",
        "Multiple heads are present; please specify the head revision on which the new revision should be based, "
        "or perform a merge.",
    ),
)
NOT_UP_TO_DATE = Category(
    "not_up_to_date",
    "a database behind the code",
    "Nothing was generated, compared or changed: the database was only read.",
    "Autogenerate and alembic check compare models with a database at head: alembic upgrade head "
    "(on a development database), then run it again.",
    page="failures/not-up-to-date/",
    exceptions=("DatabaseNotAtHead",),
    messages=("Target database is not up to date",),
    symptoms=("Target database is not up to date.", "Database is not on all head revisions"),
)
DOWNGRADE_TARGET = Category(
    "downgrade_target",
    "a bad downgrade target",
    _NOTHING_RAN,
    "Pick a target below alembic current on the same branch (alembic history -r REV:current); "
    "across a merge, name the revision, not -1.",
    page="failures/downgrade-target/",
    exceptions=("RangeNotAncestorError",),
    messages=("Relative revision ", "Ambiguous walk", "Walked too far", "Not a valid downgrade target"),
    symptoms=(
        "Destination <rev> is not a valid downgrade target from current head(s)",
        "Relative revision -<n> didn't produce <n> migrations",
        "Ambiguous walk",
    ),
)
REVISION_FILE = Category(
    "revision_file",
    "a broken revision file",
    f"{_ROLLED_BACK} Nothing from this run was kept (a file that does not import stops it before the first revision).",
    "Fix the file and line named above (python -m py_compile FILE checks a file's syntax), then retry.",
    page="failures/revision-file/",
    exceptions=("SyntaxError", "ImportError", "NameError"),
    raised_in=("alembic.util.pyfiles", "alembic.runtime.migration"),
    symptoms=("SyntaxError", "ModuleNotFoundError: No module named", "NameError: name '<name>' is not defined"),
)
OVERLAPPING_REVISIONS = Category(
    "overlapping_revisions",
    "overlapping revisions in alembic_version",
    _NOTHING_RAN,
    "alembic_version holds a revision and one of its ancestors (a row inserted by hand where one was updated): "
    "find the revision the schema is (migration-rollback compare REV), alembic stamp --purge REV, then retry.",
    page="failures/version-table/",
    messages=("Requested revision ",),
    symptoms=("Requested revision <rev> overlaps with other requested revisions <rev>",),
)
SCRIPT_LOCATION = Category(
    "script_location",
    "no migration scripts where alembic.ini points",
    "Nothing ran: Alembic stopped before reading the database.",
    "A relative script_location is read from the directory alembic runs in, not alembic.ini's: write "
    "script_location = %(here)s/FOLDER, or run from the directory it expects (or give -c the right alembic.ini).",
    page="failures/script-location/",
    messages=("Path doesn't exist", "No 'script_location' key", "No config file"),
    symptoms=(
        "Path doesn't exist: <folder>.  Please use the 'init' command to create a new scripts folder.",
        "No 'script_location' key found in configuration.",
        "No config file 'alembic.ini' found, or file has no '[alembic]' section",
    ),
)
#: Alembic's own errors that no row above files (its command layer's ``CommandError`` and ``RevisionError`` and
#: their kin): the Alembic errors page, which lists every message Alembic's source raises. Tried last.
ALEMBIC = Category(
    "alembic",
    "an Alembic error",
    "Alembic stopped on its own error, not PostgreSQL's: most come before the first revision runs (nothing "
    "changed); alembic current tells where the database is.",
    "Read Alembic's message: it names the revision, path or option it could not use (alembic history, "
    "alembic heads and alembic current show what it has); fix that, then retry.",
    page=class_page("alembic"),
    exceptions=("CommandError", "RevisionError", "AutogenerateDiffsDetected"),
)
HELPER_CHECK = Category(
    "helper_check",
    "a failed pre-flight check",
    _ROLLED_BACK,
    "Read the check's message above; the helper changed nothing.",
)
OTHER = Category(
    "other",
    "an unexpected error",
    _ROLLED_BACK,
    "Read PostgreSQL's message and the traceback, fix the migration script, then retry.",
)

#: Every row written here, in the order this module defines them (the errors index lists them so): a row defined
#: here is in the catalog, with nothing else to edit.
CATALOG: tuple[Category, ...] = tuple(value for value in dict(globals()).values() if isinstance(value, Category))
#: The rows of Alembic's own failures (no SQLSTATE), in the order the diagnosis tries them: Alembic's catch-all last.
ALEMBIC_ROWS = tuple(sorted((row for row in CATALOG if row.exceptions or row.messages), key=lambda row: row is ALEMBIC))


def _class_row(code: str, name: str, rolled_back: str, recovery: str) -> Category:
    return Category(
        f"class_{code}",
        f"{name} (SQLSTATE class {code})",
        rolled_back,
        recovery,
        page=class_page(code),
        classes=(code,),
    )


#: One row per SQLSTATE class (``helpers/sqlstate_classes.py``): a code that no row above files is its class's.
CLASS_ROWS: dict[str, Category] = {
    cls.code: _class_row(
        cls.code, cls.name, cls.rolled_back if cls.rolled_back != ROLLED_BACK else _ROLLED_BACK, cls.recovery
    )
    for cls in CLASSES
}
#: Every row: the catalog's, then the classes'.
ROWS: tuple[Category, ...] = (*CATALOG, *CLASS_ROWS.values())

#: A SQLSTATE -> the row that files it whatever the message says (rows with ``shapes`` are left out: they are
#: chosen by the message, never by the code alone).
BY_SQLSTATE = {code: row for row in CATALOG if not row.shapes for code in row.sqlstates}
BY_CLASS = {prefix: row for row in CATALOG for prefix in row.classes}


def by_sqlstate(code: str) -> Category:
    """The row a SQLSTATE is filed under: its own code, else a row that files its class, else its class's row.

    :data:`OTHER` for a code of no class PostgreSQL has.
    """
    code = code.upper()
    return BY_SQLSTATE.get(code) or BY_CLASS.get(code[:2]) or CLASS_ROWS.get(code[:2]) or OTHER


def rows_of(code: str) -> list[Category]:
    """Every row that may file a SQLSTATE: those whose ``shapes`` a message must have, then :func:`by_sqlstate`'s."""
    code = code.upper()
    shaped = [row for row in CATALOG if row.shapes and code in row.sqlstates]
    return [*shaped, by_sqlstate(code)]


def sqlstate_class_name(code: str) -> str | None:
    """The name of a SQLSTATE's class (``23505`` -> ``Integrity Constraint Violation``)."""
    found = class_of(code)
    return found.name if found else None
