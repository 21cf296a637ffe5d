"""The commands' error: bad input to ``python -m helpers`` (exit status 2), and the one-sentence form of an error.

The core's own errors (a pre-flight or verification check that failed) stay in ``helpers.errors``.
"""


class BadInputError(Exception):
    """``python -m helpers`` was given something it cannot use (a file, URL, revision, server); exit status 2.

    The message is one sentence naming the bad value and what would be accepted. Nothing was
    written to the reader's database.
    """


def first_line(exc: object) -> str:
    """The first line of an exception's message (its class name when it has none), for one-sentence errors."""
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__
