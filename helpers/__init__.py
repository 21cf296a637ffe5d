"""Safe Alembic operations for PostgreSQL, with pre-flight checks, verification and diagnosis.

Relative imports only: copy this folder into your project (say ``backend/alembic/helpers/``)
and import it from there.

Layers, each importing only those below it: ``context`` (``MigrationContext``, the step a
migration runs in) wraps the operations (``tables``, ``constraints``, ``indexes``, ``backfill``),
which need only a ``Step`` (``step``); below them ``autocommit``, ``locks``, ``advisory``,
``savepoints``, ``catalog`` (every look-up in PostgreSQL's catalog), ``column_types``,
``identifiers``, ``diagnosis`` and ``errors``.

``python -m helpers`` (``cli``, ``__main__``) is thin over the commands for a whole project:
``rehearse`` (with ``trace`` and ``report``), ``compare`` (with ``schema``) and ``history``; they
run the project through ``project`` and make their copies with ``scratch``.
"""

from .advisory import MigrationLockTimeoutError, migration_lock
from .backfill import backfill
from .compare import Comparison, checked_stamp, compare
from .constraints import add_check, add_foreign_key, set_not_null, validate_constraint
from .context import MigrationContext
from .diagnosis import Diagnosis, categorize, diagnose, log_failure
from .errors import BadInputError, InvalidColumnTypeError, InvalidIdentifierError, MigrationHelperError
from .history import Attempt, recorded
from .history import read as read_history
from .indexes import create_index_concurrently, drop_index_concurrently
from .locks import DEFAULT_SCHEDULE, LockRetriesExhaustedError, growing_schedule, with_lock_retries
from .rehearse import Rehearsal, rehearse
from .savepoints import ensure_transaction_savepoint, release_savepoint, rollback_to_savepoint
from .step import Step

__all__ = [
    "DEFAULT_SCHEDULE",
    "Attempt",
    "BadInputError",
    "Comparison",
    "Diagnosis",
    "InvalidColumnTypeError",
    "InvalidIdentifierError",
    "LockRetriesExhaustedError",
    "MigrationContext",
    "MigrationHelperError",
    "MigrationLockTimeoutError",
    "Rehearsal",
    "Step",
    "add_check",
    "add_foreign_key",
    "backfill",
    "categorize",
    "checked_stamp",
    "compare",
    "create_index_concurrently",
    "diagnose",
    "drop_index_concurrently",
    "ensure_transaction_savepoint",
    "growing_schedule",
    "log_failure",
    "migration_lock",
    "read_history",
    "recorded",
    "rehearse",
    "release_savepoint",
    "rollback_to_savepoint",
    "set_not_null",
    "validate_constraint",
    "with_lock_retries",
]
