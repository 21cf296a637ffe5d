"""The rules of ``migration-rollback lint``: one row per rule, which the checks, the output and the page read.

A rule has an id (``ML003``, what ``# noqa:``, ``--select`` and ``--ignore`` name), a short name (the folder
of its dangerous and safe revisions under ``snippets/safe-migrations/``), the one-line message a finding
prints, why it matters on a live table, the safe way, and its section of the "Writing safe migrations" page.
squawk's findings keep squawk's own rule names (``prefer-identity``) and link squawk's page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ...failures import GUIDE_URL

SQUAWK_DOCS = "https://squawkhq.com/docs/"


def page_address() -> str:
    """The guide's page of the rules, writing safe migrations (``HELPERS_GUIDE_URL``, else the served guide)."""
    base = os.environ.get("HELPERS_GUIDE_URL") or GUIDE_URL
    return f"{base.rstrip('/')}/safe-migrations/"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    message: str
    why: str
    safe: str

    def address(self) -> str:
        """The rule's section of the guide (``HELPERS_GUIDE_URL``, else the served guide)."""
        return f"{page_address()}#{self.id.lower()}"


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "ML000", "sql-unparsed",
            "SQL that PostgreSQL's grammar cannot parse",
            "It fails with 42601 when the revision runs, and none of the other rules can read it.",
            "Fix the SQL; build SQL that changes per run with SQLAlchemy constructs, not string formatting.",
        ),
        Rule(
            "ML001", "not-null-without-default",
            "NOT NULL column added to an existing table without a server default",
            "The ALTER fails with 23502 as soon as the table has a row, and code still running without the "
            "column cannot insert into it.",
            "Add it nullable (or with a server_default), backfill, then make it NOT NULL.",
        ),
        Rule(
            "ML002", "set-not-null",
            "SET NOT NULL on an existing table scans it under ACCESS EXCLUSIVE",
            "Every read and write of the table waits while PostgreSQL checks each row.",
            "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (no scan since 12): "
            "ctx.set_not_null(table, column).",
        ),
        Rule(
            "ML003", "index-not-concurrent",
            "index built without CONCURRENTLY on an existing table blocks its writes",
            "CREATE INDEX holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE waits.",
            "postgresql_concurrently=True inside op.get_context().autocommit_block(), or "
            "ctx.create_index_concurrently(...).",
        ),
        Rule(
            "ML004", "concurrently-in-transaction",
            "statement that cannot run in a transaction block is outside autocommit_block()",
            "Alembic runs the revision in a transaction; CREATE INDEX CONCURRENTLY, REINDEX CONCURRENTLY and "
            "VACUUM fail there with 25001 and the whole run rolls back.",
            "Put it in `with op.get_context().autocommit_block():`, or use ctx.create_index_concurrently(...).",
        ),
        Rule(
            "ML005", "constraint-not-valid",
            "foreign key or check constraint added without NOT VALID",
            "Adding it validates every row while holding a lock that blocks writes (both tables for a foreign key).",
            "Add it with postgresql_not_valid=True (NOT VALID), then VALIDATE CONSTRAINT in a later step: "
            "ctx.add_foreign_key(...), ctx.add_check(...).",
        ),
        Rule(
            "ML006", "unique-constraint-direct",
            "unique or primary key constraint added without an index built concurrently first",
            "The constraint builds its index under ACCESS EXCLUSIVE: reads and writes wait for the whole build.",
            "Build a unique index CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX.",
        ),
        Rule(
            "ML007", "type-change-rewrite",
            "column type change rewrites the table under ACCESS EXCLUSIVE",
            "Every row is rewritten (and every index rebuilt) while reads and writes wait; only varchar(n) to "
            "text or to a larger n (and numeric to a larger precision) skip the rewrite.",
            "Add a new column, backfill it in batches, switch the code, then drop the old one.",
        ),
        Rule(
            "ML008", "rename-or-drop",
            "renames or drops a column or table that running code may still read",
            "The old release keeps running during a deploy: its queries fail with 42703/42P01 as soon as the "
            "revision commits.",
            "Release code that no longer uses it first, then drop it in a later revision (rename: add, copy, "
            "switch, drop).",
        ),
        Rule(
            "ML009", "volatile-default",
            "column added to an existing table with a volatile default rewrites it",
            "A volatile default (gen_random_uuid(), clock_timestamp(), random()) is computed per row: the "
            "table is rewritten under ACCESS EXCLUSIVE. A constant or now() is stored once since PostgreSQL 11.",
            "Add the column without a default (or with a constant), set the default, backfill in batches.",
        ),
        Rule(
            "ML010", "enum-value-used",
            "enum value added and used in the same transaction",
            "PostgreSQL refuses a value added to an existing type until the transaction that added it commits "
            "(55P04 unsafe use of new value).",
            "Add the value inside op.get_context().autocommit_block(), or in a revision of its own.",
        ),
        Rule(
            "ML011", "enum-type-recreated",
            "sa.Enum creates a type an earlier revision already created",
            "SQLAlchemy emits CREATE TYPE for the Enum with the table: 42710 type already exists.",
            "Refer to the type with postgresql.ENUM(..., name=..., create_type=False).",
        ),
        Rule(
            "ML012", "data-and-schema",
            "data and schema changed in one revision without savepoints",
            "A failure in the data step rolls back the schema change too, after holding its locks for the "
            "whole data step.",
            "One revision for the schema, one for the data; or savepoints around the data step "
            "(ensure_transaction_savepoint / release_savepoint).",
        ),
        Rule(
            "ML013", "downgrade-unsaid",
            "downgrade() is missing, empty or raises without saying why",
            "A rollback during an incident then does nothing, or stops, and nobody knows whether that was meant.",
            "Write the downgrade; when it cannot undo everything, say so in a comment or the exception's message.",
        ),
        Rule(
            "ML014", "table-rewrite-maintenance",
            "VACUUM FULL, CLUSTER or REINDEX without CONCURRENTLY locks the table for the whole rewrite",
            "They rewrite the table or its indexes under ACCESS EXCLUSIVE (REINDEX: SHARE and the index's "
            "ACCESS EXCLUSIVE): the application waits.",
            "REINDEX ... CONCURRENTLY (since 12) in an autocommit_block(); for a table, REPACK (CONCURRENTLY) "
            "(since 19) in an autocommit_block(), pg_repack before; never in a deploy's migration.",
        ),
        Rule(
            "ML015", "no-lock-timeout",
            "lock_timeout is set neither in env.py nor in the revision",
            "A lock request waits behind any long transaction, and every query on the table queues behind it.",
            "SET lock_timeout in env.py for every run (SET LOCAL / set_config), or in the revision.",
        ),
        Rule(
            "ML016", "not-rerunnable",
            "statement in an autocommit block fails when it runs a second time",
            "It commits on its own: when a later statement fails or the process dies, alembic_version still names "
            "the revision before, and the retry runs it again and fails (42P07 already exists).",
            "IF NOT EXISTS (op.create_index(..., if_not_exists=True), ADD VALUE IF NOT EXISTS); a revision left "
            "half-applied is finished by migration-rollback resume (recovery/failed-midway).",
        ),
    )
}

#: squawk rules that say what one of ours says (ours knows Alembic): left out of squawk's run.
SQUAWK_COVERED = {
    "require-concurrent-index-creation": "ML003",
    "ban-concurrent-index-creation-in-transaction": "ML004",
    "constraint-missing-not-valid": "ML005",
    "adding-foreign-key-constraint": "ML005",
    "disallowed-unique-constraint": "ML006",
    "adding-required-field": "ML001",
    "adding-not-nullable-field": "ML002",
    "changing-column-type": "ML007",
    "renaming-column": "ML008",
    "renaming-table": "ML008",
    "ban-drop-column": "ML008",
    "ban-drop-table": "ML008",
    "adding-field-with-default": "ML009",
    "require-lock-timeout": "ML015",
    "require-timeout-settings": "ML015",
    "require-concurrent-reindex": "ML014",
}
#: squawk rules that do not fit an Alembic revision, and why.
SQUAWK_UNFIT = {
    "transaction-nesting": "Alembic writes the BEGIN and COMMIT of the offline SQL itself",
    "prefer-robust-stmts": "alembic_version already keeps a revision from running twice, in a transaction",
    "require-statement-timeout": "a migration's statements may rightly run long once they hold no lock",
}

#: squawk's rules about style rather than safety: left out unless named in select.
SQUAWK_STYLE = {
    "prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-identity",
    "prefer-text-field", "prefer-timestamptz", "ban-char-field",
}


#: squawk's rule names (2.70); a newer squawk's own are asked of the installed squawk (squawk.unknown).
SQUAWK_RULES = frozenset({
    "adding-field-with-default", "adding-foreign-key-constraint", "adding-not-nullable-field",
    "adding-required-field", "adding-serial-primary-key-field", "ban-add-column", "ban-add-composite-attribute",
    "ban-add-enum-value", "ban-alter-database-options", "ban-alter-domain-with-add-constraint", "ban-alter-extension",
    "ban-alter-function-options", "ban-alter-generated-expression", "ban-alter-identity",
    "ban-alter-policy-condition", "ban-alter-policy-roles", "ban-alter-role-options", "ban-alter-row-level-security",
    "ban-alter-sequence-values", "ban-alter-system-options", "ban-alter-view-options", "ban-char-field",
    "ban-concurrent-index-creation-in-transaction", "ban-create-domain-with-constraint", "ban-create-policy",
    "ban-detach-inheritance", "ban-disable-trigger", "ban-drop-column", "ban-drop-constraint", "ban-drop-database",
    "ban-drop-domain", "ban-drop-extension", "ban-drop-function", "ban-drop-generated-expression", "ban-drop-index",
    "ban-drop-not-null", "ban-drop-policy", "ban-drop-schema", "ban-drop-sequence", "ban-drop-table",
    "ban-drop-trigger", "ban-drop-type", "ban-drop-view", "ban-new-write-restriction", "ban-replace-view-function",
    "ban-replica-identity", "ban-revoke", "ban-set-default", "ban-set-schema", "ban-truncate-cascade",
    "ban-uncommitted-transaction", "changing-column-type", "constraint-missing-not-valid",
    "disallowed-unique-constraint", "identifier-too-long", "prefer-bigint-over-int", "prefer-bigint-over-smallint",
    "prefer-identity", "prefer-repack", "prefer-robust-stmts", "prefer-text-field", "prefer-timestamp-tz",
    "prefer-timestamptz", "renaming-column", "renaming-object", "renaming-table", "require-concurrent-index-creation",
    "require-concurrent-index-deletion", "require-concurrent-partition-detach", "require-concurrent-reindex",
    "require-enum-value-ordering", "require-lock-timeout", "require-statement-timeout", "require-table-schema",
    "require-timeout-settings", "transaction-nesting",
})


def squawk_address(name: str) -> str:
    return SQUAWK_DOCS + name
