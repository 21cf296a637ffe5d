"""Safe Alembic operations for PostgreSQL, with pre-flight checks, verification and diagnosis.

Relative imports only: copy this folder into your project (say ``backend/alembic/helpers/``)
and import it from there.
"""

from .context import MigrationContext
from .diagnosis import Diagnosis, categorize, diagnose, log_failure
from .errors import InvalidColumnTypeError, InvalidIdentifierError, MigrationHelperError
from .savepoints import ensure_transaction_savepoint, release_savepoint, rollback_to_savepoint

__all__ = [
    "Diagnosis",
    "InvalidColumnTypeError",
    "InvalidIdentifierError",
    "MigrationContext",
    "MigrationHelperError",
    "categorize",
    "diagnose",
    "ensure_transaction_savepoint",
    "log_failure",
    "release_savepoint",
    "rollback_to_savepoint",
]
