"""Exceptions raised by the helpers before anything reaches the database."""


class MigrationHelperError(Exception):
    """A pre-flight or verification check failed; the helper changed nothing."""


class InvalidIdentifierError(MigrationHelperError, ValueError):
    """A table, column, schema or savepoint name that cannot be used safely."""


class InvalidColumnTypeError(MigrationHelperError, ValueError):
    """A column type string outside the accepted PostgreSQL types."""


class BadInputError(Exception):
    """``python -m helpers`` was given something it cannot use (a file, URL, revision, server); exit status 2.

    The message is one sentence naming the bad value and what would be accepted. Nothing was
    written to the reader's database.
    """


def first_line(exc: object) -> str:
    """The first line of an exception's message (its class name when it has none), for one-sentence errors."""
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__
