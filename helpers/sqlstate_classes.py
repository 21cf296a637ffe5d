"""PostgreSQL's SQLSTATE classes (a code's first two characters), each with what a migration that meets it does.

Every code of every major the guide checks is in one of these classes (``helpers/errcodes/``;
tests/test_sqlstate_classes.py checks each list against this table and against real servers). The failure
catalog makes a row of each class (``failures.CLASS_ROWS``) for the codes no row of its own names; the class's
page (``docs/failures/classes/<class>.md``) is made from the same text (``explain.class_page_markdown``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SqlstateClass:
    """One SQLSTATE class: its name (errcodes.txt's ``Section:`` line), and four paragraphs for the on-call reader.

    ``means``: what the class is about; ``find``: how to find the object the message names; ``rolled_back``: how to
    tell whether the migration's transaction rolled back; ``recovery``: the generic way out.
    """

    code: str
    name: str
    means: str
    find: str
    rolled_back: str
    recovery: str


#: An ERROR inside the migration's transaction: what is true of every class below unless it says otherwise.
ROLLED_BACK = (
    "An ERROR aborts the transaction it happens in, and Alembic's env.py rolls it back: `alembic current` still "
    "shows the revision before, and nothing of this run is kept. The exception is work done outside that "
    "transaction (inside `op.get_context().autocommit_block()`, or earlier revisions under "
    "`transaction_per_migration = True`): compare `alembic current` with the revisions you ran, and look for "
    "their objects."
)
_FIND_NAMED = (
    'The message quotes the object (`relation "users"`, `constraint "fk_x"`); DETAIL and HINT say more. '
    "Look it up where the migration ran: `\\d+ users` in psql, or `pg_class`, `pg_constraint`, `pg_type` by name."
)
_NOT_AN_ERROR = (
    "Nothing to roll back: this code is not an error. A migration that printed it went on; if it failed, the "
    "ERROR line after it is the failure to look up."
)
_SERVER_SIDE = (
    "Rolled back: the server aborted the statement and the transaction with it (after a crash or restart, "
    "every transaction that had not committed is gone when the server comes back). `alembic current` shows "
    "the revision before."
)

CLASSES: tuple[SqlstateClass, ...] = (
    SqlstateClass(
        "00",
        "Successful Completion",
        "Success: PostgreSQL reports 00000 for a statement that worked. It never comes with an exception.",
        "Nothing failed; there is no object to find.",
        _NOT_AN_ERROR,
        "None needed. If a tool printed 00000 beside an error, the error came from the client side (the driver, "
        "the network, Alembic): look at the exception's class.",
    ),
    SqlstateClass(
        "01",
        "Warning",
        "A WARNING: the statement worked, and PostgreSQL tells you something about it (a privilege not granted, "
        "a deprecated feature, a string truncated on purpose).",
        "The warning names what it is about; psql prints it as `WARNING:`, SQLAlchemy as a Python warning.",
        _NOT_AN_ERROR,
        "Read it and decide; a migration does not fail on it. To make warnings fail a test run, run pytest with "
        "`-W error`.",
    ),
    SqlstateClass(
        "02",
        "No Data",
        "No data: a statement found no row where the SQL standard says that is worth a warning (a FETCH past the "
        "end, a PL/pgSQL `GET DIAGNOSTICS`). It is a warning, not an error.",
        "The statement that found nothing: usually a PL/pgSQL block in the revision.",
        _NOT_AN_ERROR,
        "None needed, unless the revision expected rows: then check the data it runs on.",
    ),
    SqlstateClass(
        "03",
        "SQL Statement Not Yet Complete",
        "A statement sent before the one before it had finished; PostgreSQL itself does not raise it.",
        "The statement in the traceback.",
        ROLLED_BACK,
        "Check the driver and how the migration sends its statements (one at a time), then retry.",
    ),
    SqlstateClass(
        "08",
        "Connection Exception",
        "The connection between the migration and the server failed or was refused: a network cut, a server "
        "that went away, a protocol error, a server that refused the login.",
        "The host and port in the message are the server it tried; `pg_stat_activity` on that server shows whether "
        "the migration's session is still there (`application_name`, `state`).",
        "The connection was lost before COMMIT: nothing was committed, and PostgreSQL rolls the transaction back "
        "when it notices the session is gone (after a network cut that can take a while: the session may still "
        "hold its locks until then).",
        "End the migration's leftover session if it is still there (`pg_terminate_backend`), check `alembic "
        "current`, then retry; break long data migrations into batches.",
    ),
    SqlstateClass(
        "09",
        "Triggered Action Exception",
        "A trigger's action failed in a way the SQL standard files here; PostgreSQL raises a trigger's own error "
        "with that error's code instead, so this class is rare.",
        "The trigger named in CONTEXT: `SELECT tgname, tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal`.",
        ROLLED_BACK,
        "Fix the trigger function or the data it rejects, then retry.",
    ),
    SqlstateClass(
        "0A",
        "Feature Not Supported",
        "The statement asks for something this server does not do: a feature of a newer major (a syntax or "
        "option), a combination PostgreSQL refuses (altering a column a view or rule uses, ...), or one an "
        "extension lacks.",
        "The message names the feature; compare `SHOW server_version` with the release notes of the feature, and "
        "check views or rules that use the column (`pg_depend`).",
        ROLLED_BACK,
        "Write the revision for the oldest server it must run on (`migration-rollback lint --target-version`), or "
        "drop and recreate what depends on the column around the change, then retry.",
    ),
    SqlstateClass(
        "0B",
        "Invalid Transaction Initiation",
        "A transaction was started where one cannot be (a BEGIN inside a function, a transaction command in the "
        "wrong place).",
        "The statement in the traceback, usually a COMMIT or BEGIN written into the revision.",
        ROLLED_BACK,
        "Take transaction control out of the revision's SQL; use `autocommit_block()` for what must run outside "
        "a transaction, then retry.",
    ),
    SqlstateClass(
        "0F",
        "Locator Exception",
        "An invalid large-object locator. Migrations rarely meet it.",
        "The large object named in the message: `SELECT oid FROM pg_largeobject_metadata`.",
        ROLLED_BACK,
        "Check the large objects the revision reads or writes, then retry.",
    ),
    SqlstateClass(
        "0L",
        "Invalid Grantor",
        "A GRANT or REVOKE names a grantor that cannot grant what it grants.",
        "The role in the message; `\\du` in psql lists roles and their memberships.",
        ROLLED_BACK,
        "Run the GRANT as the object's owner (or a role with GRANT OPTION), then retry.",
    ),
    SqlstateClass(
        "0P",
        "Invalid Role Specification",
        "A role given where it cannot be (SET ROLE to a role you are not a member of, a reserved role name).",
        "The role in the message: `SELECT rolname FROM pg_roles`.",
        ROLLED_BACK,
        "Grant the migration's role membership of that role, or name another, then retry.",
    ),
    SqlstateClass(
        "0Z",
        "Diagnostics Exception",
        "PL/pgSQL's `GET STACKED DIAGNOSTICS` outside an exception handler.",
        "The PL/pgSQL block in the revision (CONTEXT gives its line).",
        ROLLED_BACK,
        "Move the GET STACKED DIAGNOSTICS into the block's EXCEPTION section, then retry.",
    ),
    SqlstateClass(
        "10",
        "XQuery Error",
        "An XML function (XMLTABLE, xpath) got an argument it cannot use (PostgreSQL 18 and later).",
        "The XML expression in the statement.",
        ROLLED_BACK,
        "Fix the XPath expression or the document, then retry.",
    ),
    SqlstateClass(
        "20",
        "Case Not Found",
        "A PL/pgSQL CASE with no ELSE found no branch for its value.",
        "The CASE in the PL/pgSQL block named by CONTEXT, and the value the data gave it.",
        ROLLED_BACK,
        "Add an ELSE (or a branch for the value), then retry.",
    ),
    SqlstateClass(
        "21",
        "Cardinality Violation",
        "A statement got more rows than it can take: a subquery used as a value returned two, or an INSERT ... "
        "ON CONFLICT DO UPDATE would change the same row twice.",
        "The subquery or the ON CONFLICT key in the statement; find the keys that repeat (`GROUP BY key HAVING "
        "count(*) > 1`).",
        ROLLED_BACK,
        "Make the subquery return one row (a key, LIMIT 1 with ORDER BY, an aggregate) or remove the repeats "
        "from the data the statement reads, then retry.",
    ),
    SqlstateClass(
        "22",
        "Data Exception",
        "A value does not fit where it goes: text that is not a number, a date or an enum's label, a string longer "
        "than the column, a number out of range, a division by zero, bad JSON. In a migration it comes from a "
        "backfill, a type change or a default meeting the real data.",
        'The message quotes the value (`invalid input syntax for type integer: "v1044"`) or the type (`value too '
        "long for type character varying(50)`); find its rows with the same cast or test in a SELECT "
        "(`WHERE col !~ '^[0-9]+$'`, `WHERE length(col) > 50`).",
        ROLLED_BACK,
        "Find the rows, fix them (or the expression: a USING clause, a CASE, a wider type), then retry; "
        "rehearse the revision on a copy of production data first (`migration-rollback rehearse`).",
    ),
    SqlstateClass(
        "23",
        "Integrity Constraint Violation",
        "Rows break a constraint: a duplicate key, a foreign key with no parent (or a parent still referenced), a "
        "NULL in a NOT NULL column, a row failing a CHECK or an exclusion constraint. Either the data was already "
        "there when the migration added the constraint, or the migration's own data change breaks one.",
        "The message names the constraint and the table; DETAIL names the key (`Key (email)=(a@x) already "
        "exists.`). `\\d table` shows the constraint's definition.",
        ROLLED_BACK,
        "Find the rows DETAIL points at, fix or remove them (or the migration's data change), then retry.",
    ),
    SqlstateClass(
        "24",
        "Invalid Cursor State",
        "A cursor used in a state where it cannot be (fetched after it closed, or not open).",
        "The cursor in the PL/pgSQL block or the server-side cursor of the driver.",
        ROLLED_BACK,
        "Open the cursor before using it, then retry.",
    ),
    SqlstateClass(
        "25",
        "Invalid Transaction State",
        "A statement that the transaction's state forbids: one that cannot run inside a transaction block "
        "(CREATE INDEX CONCURRENTLY, VACUUM), any statement after an earlier one failed (25P02), a write in a "
        "read-only transaction, an idle-in-transaction timeout.",
        "The statement in the message (`CREATE INDEX CONCURRENTLY cannot run inside a transaction block`); for "
        "25P02 the real error is an earlier one, in the log lines above.",
        ROLLED_BACK,
        "Run what cannot be in a transaction inside `op.get_context().autocommit_block()`; for an aborted "
        "transaction find and fix the first error; then retry.",
    ),
    SqlstateClass(
        "26",
        "Invalid SQL Statement Name",
        "A prepared statement that does not exist (a driver's statement cache after the server or a pooler "
        "changed under it).",
        "The statement name in the message; PgBouncer in transaction mode is the usual cause.",
        ROLLED_BACK,
        "Connect the migration straight to the server (not through a transaction-mode pooler), or turn off the "
        "driver's prepared statements, then retry.",
    ),
    SqlstateClass(
        "27",
        "Triggered Data Change Violation",
        "A trigger changed a row that the same statement changes too, or a row of a table being changed by a "
        "foreign key action.",
        "The trigger named in CONTEXT.",
        ROLLED_BACK,
        "Change the trigger (or disable it for the backfill with `ALTER TABLE ... DISABLE TRIGGER`), then retry.",
    ),
    SqlstateClass(
        "28",
        "Invalid Authorization Specification",
        "The login was refused: a wrong password, no pg_hba.conf line for this host and user, a role that cannot "
        "log in.",
        "The user, database and host in the message; the server's log says which pg_hba.conf line refused it.",
        "Nothing ran: the migration never got a session.",
        "Fix the URL (`sqlalchemy.url`, `DATABASE_URL`), the password or pg_hba.conf, then run the migration.",
    ),
    SqlstateClass(
        "2B",
        "Dependent Privilege Descriptors Still Exist",
        "A REVOKE or DROP ROLE that other grants still depend on.",
        "The role in the message: `SELECT * FROM information_schema.role_table_grants WHERE grantor = 'role'`.",
        ROLLED_BACK,
        "REVOKE ... CASCADE, or REASSIGN OWNED BY / DROP OWNED BY the role first, then retry.",
    ),
    SqlstateClass(
        "2D",
        "Invalid Transaction Termination",
        "A COMMIT or ROLLBACK where it cannot be (inside a function, or a procedure called inside a transaction "
        "block).",
        "The COMMIT in the revision's SQL or the procedure it calls.",
        ROLLED_BACK,
        "Leave commits to Alembic (or `autocommit_block()`), then retry.",
    ),
    SqlstateClass(
        "2F",
        "SQL Routine Exception",
        "A function ended without RETURN, or did what it was declared not to (modify data in a read-only function).",
        "The function named in CONTEXT: `\\sf function_name` in psql.",
        ROLLED_BACK,
        "Fix the function the migration creates or calls, then retry.",
    ),
    SqlstateClass(
        "34",
        "Invalid Cursor Name",
        "A cursor name that does not exist.",
        "The cursor name in the message.",
        ROLLED_BACK,
        "Declare the cursor before using it, then retry.",
    ),
    SqlstateClass(
        "38",
        "External Routine Exception",
        "A function in another language (PL/Python, PL/Perl, C) failed, or did what it may not.",
        "The function named in CONTEXT.",
        ROLLED_BACK,
        "Fix the function or its input, then retry.",
    ),
    SqlstateClass(
        "39",
        "External Routine Invocation Exception",
        "Calling a function in another language failed: it returned NULL where it may not, a trigger protocol "
        "was broken.",
        "The function named in CONTEXT.",
        ROLLED_BACK,
        "Fix the function, then retry.",
    ),
    SqlstateClass(
        "3B",
        "Savepoint Exception",
        "A savepoint used that does not exist (ROLLBACK TO or RELEASE of a name never set, or already released).",
        "The savepoint name in the message, against the migration's SAVEPOINT statements.",
        ROLLED_BACK,
        "Set the savepoint before rolling back to it (`helpers.ensure_transaction_savepoint`), then retry.",
    ),
    SqlstateClass(
        "3D",
        "Invalid Catalog Name",
        'The database named does not exist (`database "x" does not exist`): a wrong URL, or a CREATE DATABASE '
        "not done yet.",
        "`\\l` in psql lists the databases; compare with the URL's path.",
        "Nothing ran: the migration never got a session.",
        "Fix the URL or create the database, then run the migration.",
    ),
    SqlstateClass(
        "3F",
        "Invalid Schema Name",
        'The schema named does not exist (`schema "x" does not exist`), or a CREATE in no schema because '
        "`search_path` names none that exists.",
        "`\\dn` in psql lists schemas; `SHOW search_path` the ones unqualified names go to.",
        ROLLED_BACK,
        "Create the schema in an earlier revision (or fix search_path or the name), then retry.",
    ),
    SqlstateClass(
        "40",
        "Transaction Rollback",
        "The server rolled the transaction back to keep others consistent: a deadlock (40P01), a serialization "
        "failure under REPEATABLE READ or SERIALIZABLE (40001), a standby's conflict.",
        "DETAIL names the processes and the locks each waited for (deadlock); `pg_stat_activity` shows who else "
        "was working on the same tables.",
        "Rolled back by the server itself: nothing of this attempt was kept. `alembic current` shows the revision "
        "before.",
        "Retry: these errors are what a retry is for. If it recurs, take the locks in the application's order or "
        "run the migration when the traffic that collides with it is paused.",
    ),
    SqlstateClass(
        "42",
        "Syntax Error or Access Rule Violation",
        "The statement does not fit the schema or the rules: SQL that does not parse, a table, column, type, "
        "constraint or index that does not exist (42P01, 42703, 42704) or already exists (42P07, 42701, 42710), "
        "a type mismatch, a missing privilege (42501), an invalid definition (two primary keys).",
        "The message quotes the name; look for it where the migration ran: `\\d` in psql, `pg_class`, "
        "`pg_constraint`, `pg_type`, `pg_indexes`. A name that differs between the database and the revision "
        "(an autogenerated constraint name) is the usual cause on a downgrade.",
        ROLLED_BACK,
        "Compare the schema with what the revision expects (`migration-rollback compare REV`, `alembic current`), "
        "fix the revision or the schema, then retry.",
    ),
    SqlstateClass(
        "44",
        "WITH CHECK OPTION Violation",
        "A row written through a view with CHECK OPTION falls outside the view.",
        "The view named in the message: `\\d+ view_name`.",
        ROLLED_BACK,
        "Write through the table, or fix the row, then retry.",
    ),
    SqlstateClass(
        "53",
        "Insufficient Resources",
        "The server ran short of something: disk (53100), memory (53200), connection slots (53300, `too many "
        "clients already`, `remaining connection slots are reserved`), configuration limits (53400).",
        "The server's log and its host: `df` on the data directory, memory, `SELECT count(*) FROM "
        "pg_stat_activity` against `max_connections`.",
        _SERVER_SIDE,
        "Free what ran out (disk space, idle connections, a smaller batch or `work_mem`), then retry.",
    ),
    SqlstateClass(
        "54",
        "Program Limit Exceeded",
        "A limit of PostgreSQL itself: too many columns (1600), a row or index entry too big, a statement too "
        "complex, an identifier too long.",
        "The table or index in the message; `SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass` "
        "counts columns dropped ones included.",
        ROLLED_BACK,
        "Change the design (fewer columns, an index on a hash of the value, a smaller statement); for 1600 "
        "columns, rebuild the table, then retry.",
    ),
    SqlstateClass(
        "55",
        "Object Not In Prerequisite State",
        "An object is not ready for what the statement asks: a lock not available under lock_timeout (55P03), "
        "an object in use (pending trigger events, a database with other sessions: 55006), an enum value not "
        "committed yet (55P04).",
        "The object in the message; `pg_locks` joined with `pg_stat_activity` (and `pg_blocking_pids`) shows who "
        "holds it.",
        ROLLED_BACK,
        "Wait for or end the session in the way, or split the work across transactions, then retry.",
    ),
    SqlstateClass(
        "57",
        "Operator Intervention",
        "Someone or something stopped the statement or the session: a statement timeout or cancel (57014), an "
        "administrator's pg_terminate_backend or a shutdown (57P01, 57P02), a server still starting (57P03), a "
        "dropped database.",
        "The server's log at that time, and `pg_settings` for timeouts (`SELECT name, setting, source FROM "
        "pg_settings WHERE name LIKE '%timeout'`).",
        _SERVER_SIDE,
        "Find who or what stopped it (a timeout, a person, a restart), give the migration the time or the window "
        "it needs, then retry.",
    ),
    SqlstateClass(
        "58",
        "System Error",
        "An error outside PostgreSQL: the operating system refused a file operation, a file is missing or its "
        "name too long.",
        "The file and the OS error in the message; the server's log and host (`dmesg`, disk health).",
        _SERVER_SIDE,
        "Fix the host's problem (permissions, disk), then retry; check the database's integrity if files went missing.",
    ),
    SqlstateClass(
        "72",
        "Snapshot Failure",
        "`snapshot too old`: with old_snapshot_threshold set, a long query read data already cleaned up "
        "(PostgreSQL 16 and older; 17 removed the setting).",
        "The long statement, and `SHOW old_snapshot_threshold`.",
        ROLLED_BACK,
        "Make the statement shorter (batches) or raise the threshold, then retry.",
    ),
    SqlstateClass(
        "F0",
        "Configuration File Error",
        "The server's configuration file has an error; seen when reloading or at start.",
        "The file and line in the message (`postgresql.conf`, `postgresql.auto.conf`); `SELECT * FROM "
        "pg_file_settings WHERE error IS NOT NULL`.",
        "Nothing of the migration was involved: the server could not (re)load its configuration.",
        "Fix the file (or `ALTER SYSTEM RESET` the setting), reload, then run the migration.",
    ),
    SqlstateClass(
        "HV",
        "Foreign Data Wrapper Error",
        "A foreign table (postgres_fdw, file_fdw ...) failed: the remote server, its options or its data.",
        "The foreign server and table in the message: `\\des+`, `\\det+` in psql.",
        ROLLED_BACK,
        "Fix the foreign server's options or reachability, then retry.",
    ),
    SqlstateClass(
        "P0",
        "PL/pgSQL Error",
        "A PL/pgSQL block raised an exception (RAISE EXCEPTION without a code is P0001), an ASSERT failed (P0004), "
        "or a SELECT INTO STRICT found no row or several (P0002, P0003). A migration's DO block that checks the "
        "data before changing it fails this way on purpose.",
        "The message is the block's own text; CONTEXT names the function or DO block and its line.",
        ROLLED_BACK,
        "Do what the block's message asks (it is the revision's own check), or fix the block, then retry.",
    ),
    SqlstateClass(
        "XX",
        "Internal Error",
        "Something PostgreSQL believes cannot happen: a corrupted page or index (XX001, XX002), a bug.",
        "The object in the message, and the server's log; `amcheck` (`bt_index_check`) checks indexes.",
        _SERVER_SIDE,
        "Stop and look before retrying: check the server's log, the storage, and the object (REINDEX a corrupted "
        "index); restore from backup if data is damaged.",
    ),
)

BY_CODE = {cls.code: cls for cls in CLASSES}


def class_of(sqlstate: str) -> SqlstateClass | None:
    """The class of a SQLSTATE (``23505`` -> Integrity Constraint Violation), or None for one no class has."""
    return BY_CODE.get(sqlstate[:2].upper())


#: PostgreSQL's words for codes teams meet, for a pasted message that comes without its code or exception class
#: (a psql line, a log line): the message's shape (``<x>``: any text) -> its SQLSTATE. The matcher then chooses
#: among the code's rows by the same message.
MESSAGES: tuple[tuple[str, str], ...] = (
    ('relation "<x>" does not exist', "42P01"),
    ('table "<x>" does not exist', "42P01"),
    ('column "<x>" of relation "<x>" does not exist', "42703"),
    ('column "<x>" does not exist', "42703"),
    ('constraint "<x>" of relation "<x>" does not exist', "42704"),
    ('constraint "<x>" for table "<x>" does not exist', "42704"),
    ('index "<x>" does not exist', "42704"),
    ('type "<x>" does not exist', "42704"),
    ('role "<x>" does not exist', "42704"),
    ('extension "<x>" does not exist', "42704"),
    ('sequence "<x>" does not exist', "42P01"),
    ('schema "<x>" does not exist', "3F000"),
    ('database "<x>" does not exist', "3D000"),
    ("function <x> does not exist", "42883"),
    ("operator does not exist", "42883"),
    ('relation "<x>" already exists', "42P07"),
    ('column "<x>" of relation "<x>" already exists', "42701"),
    ('constraint "<x>" for relation "<x>" already exists', "42710"),
    ("value too long for type <x>", "22001"),
    ("numeric field overflow", "22003"),
    ("integer out of range", "22003"),
    ("smallint out of range", "22003"),
    ("bigint out of range", "22003"),
    ("invalid input syntax for type <x>", "22P02"),
    ("invalid input value for enum <x>", "22P02"),
    ("division by zero", "22012"),
    ("date/time field value out of range", "22008"),
    ("null value in column <x> violates not-null constraint", "23502"),
    ('column "<x>" of relation "<x>" contains null values', "23502"),
    ('column "<x>" contains null values', "23502"),  # PostgreSQL 11 and older
    ("duplicate key value violates unique constraint", "23505"),
    ("could not create unique index", "23505"),
    ("violates foreign key constraint", "23503"),
    ("violates check constraint", "23514"),
    ("is violated by some row", "23514"),
    ("conflicting key value violates exclusion constraint", "23P01"),
    ("cannot drop <x> because other objects depend on it", "2BP01"),
    ("multiple primary keys for table <x> are not allowed", "42P16"),
    ("there is no unique constraint matching given keys for referenced table", "42830"),
    ("cannot be cast automatically to type", "42804"),
    ("is of type <x> but expression is of type", "42804"),
    ("cannot be implemented", "42804"),
    ("syntax error at or near", "42601"),
    ("permission denied for", "42501"),
    ("must be owner of", "42501"),
    ("could not serialize access due to", "40001"),
    ("deadlock detected", "40P01"),
    ("canceling statement due to lock timeout", "55P03"),
    ("could not obtain lock on", "55P03"),
    ("canceling statement due to statement timeout", "57014"),
    ("canceling statement due to user request", "57014"),
    ("terminating connection due to idle-in-transaction timeout", "25P03"),
    ("terminating connection due to idle-session timeout", "57P05"),
    ("terminating connection due to administrator command", "57P01"),
    ("the database system is starting up", "57P03"),
    ("the database system is shutting down", "57P03"),
    ("the database system is not yet accepting connections", "57P03"),
    ("remaining connection slots are reserved", "53300"),
    ("too many clients already", "53300"),
    ("too many connections for role", "53300"),
    ("too many connections for database", "53300"),
    ("No space left on device", "53100"),
    ("out of shared memory", "53200"),
    ("password authentication failed for user", "28P01"),
    ("no pg_hba.conf entry for", "28000"),
    ("cannot run inside a transaction block", "25001"),
    ("current transaction is aborted", "25P02"),
    ("cannot execute <x> in a read-only transaction", "25006"),
    ("because it has pending trigger events", "55006"),
    ("is being accessed by other users", "55006"),
    ("unsafe use of new value", "55P04"),
    ("cannot alter type of a column used by a view or rule", "0A000"),
    ("tables can have at most 1600 columns", "54011"),
    ("index row size <x> exceeds", "54000"),
    ("snapshot too old", "72000"),
)
