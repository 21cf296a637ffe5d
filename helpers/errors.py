"""Exceptions raised by the helpers before anything reaches the database (the commands' own: ``tools/errors.py``)."""


class MigrationHelperError(Exception):
    """A pre-flight or verification check failed; the helper changed nothing."""


class InvalidIdentifierError(MigrationHelperError, ValueError):
    """A table, column, schema or savepoint name that cannot be used safely."""


class InvalidColumnTypeError(MigrationHelperError, ValueError):
    """A column type string outside the accepted PostgreSQL types."""
