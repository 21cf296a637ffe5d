"""Safe Alembic operations for PostgreSQL, with pre-flight checks, verification and diagnosis.

Relative imports only: copy this folder into your project (say ``backend/alembic/helpers/``)
and import it from there.

Layers, each importing only those below it: ``context`` (``MigrationContext``, the step a
migration runs in) wraps the operations (``tables``, ``constraints``, ``indexes``, ``backfill``),
which need only a ``Step`` (``step``); below them ``autocommit``, ``locks``, ``advisory``,
``savepoints``, ``preflight`` (every pre-flight look-up in PostgreSQL's catalog), ``column_types``,
``identifiers``, ``diagnosis`` and ``errors``.

The commands that run around migrations (``python -m helpers``: rehearse, compare, stamp,
history, identify, explain, lint) live in ``helpers.tools``, which imports this package and is never
imported by it: ``import helpers`` loads the core only. ``helpers.rehearse``, ``helpers.compare``,
``helpers.checked_stamp``, ``helpers.read_history`` and ``helpers.BadInputError`` still work, loaded on
first use.
"""

import importlib
from typing import Any

from .advisory import MigrationLockTimeoutError, migration_lock
from .backfill import backfill
from .column_types import parse_column_type
from .constraints import add_check, add_foreign_key, set_not_null, validate_constraint
from .context import MigrationContext
from .diagnosis import Diagnosis, categorize, diagnose, log_failure
from .errors import InvalidColumnTypeError, InvalidIdentifierError, MigrationHelperError
from .history import recorded
from .indexes import create_index_concurrently, drop_index_concurrently
from .locks import DEFAULT_SCHEDULE, LockRetriesExhaustedError, growing_schedule, with_lock_retries
from .savepoints import ensure_transaction_savepoint, release_savepoint, rollback_to_savepoint
from .step import Step

__all__ = [
    "DEFAULT_SCHEDULE",
    "Diagnosis",
    "InvalidColumnTypeError",
    "InvalidIdentifierError",
    "LockRetriesExhaustedError",
    "MigrationContext",
    "MigrationHelperError",
    "MigrationLockTimeoutError",
    "Step",
    "add_check",
    "add_foreign_key",
    "backfill",
    "categorize",
    "create_index_concurrently",
    "diagnose",
    "drop_index_concurrently",
    "ensure_transaction_savepoint",
    "growing_schedule",
    "log_failure",
    "migration_lock",
    "parse_column_type",
    "recorded",
    "release_savepoint",
    "rollback_to_savepoint",
    "set_not_null",
    "validate_constraint",
    "with_lock_retries",
]

#: The commands' Python API, by the names it had here: loaded from ``helpers.tools`` on first use.
_COMMANDS_API = {
    "Attempt": ("history", "Attempt"),
    "BadInputError": ("errors", "BadInputError"),
    "Comparison": ("schema.compare", "Comparison"),
    "Rehearsal": ("rehearse.run", "Rehearsal"),
    "checked_stamp": ("schema.compare", "checked_stamp"),
    "compare": ("schema.compare", "compare"),
    "read_history": ("history", "read"),
    "rehearse": ("rehearse.run", "rehearse"),
}


def __getattr__(name: str) -> Any:
    if name not in _COMMANDS_API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _COMMANDS_API[name]
    return getattr(importlib.import_module(f"{__name__}.tools.{module}"), attribute)
