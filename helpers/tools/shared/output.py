"""Where a command's output goes: its report to stdout (or ``--output FILE``), everything else to stderr.

A CI job reads ``rehearse --json`` (or any command's report) from stdout. A project's ``env.py`` and revisions run
inside the command, and many configure logging at import (``logging.basicConfig(stream=sys.stdout)``, structlog's
``PrintLogger``), print, or start programs that inherit the process's stdout. While the command runs, all of that
goes to stderr: ``sys.stdout`` is stderr for Python code, and file descriptor 1 is a copy of 2 for code that kept
the old ``sys.stdout`` object or writes to the descriptor (C libraries, child processes). The report is written
afterwards, to the real stdout or to the file. Every command uses it (``cli.main``), so a command added later does
too.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..errors import BadInputError


def _descriptor(stream: TextIO) -> int | None:
    """The file descriptor behind ``stream``, or None (a StringIO, as tests pass)."""
    try:
        return stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


@contextlib.contextmanager
def report_only(out: TextIO) -> Iterator[None]:
    """While inside: whatever is printed or logged to stdout goes to stderr; ``out`` (the report's stream) is
    written to afterwards (``deliver``).

    Python's ``sys.stdout`` points at stderr, and when ``out`` is the process's own stdout (descriptor 1), so does
    descriptor 1: output buffered by a handler that holds the original ``sys.stdout`` is flushed to stderr on the
    way out, before descriptor 1 is given back.
    """
    fd = _descriptor(out)
    saved: int | None = None
    if fd is not None and sys.__stdout__ is not None and fd == _descriptor(sys.__stdout__):
        with contextlib.suppress(OSError, ValueError):
            out.flush()
            saved = os.dup(fd)
            os.dup2(sys.stderr.fileno(), fd)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        if saved is not None and fd is not None:
            for stream in {id(s): s for s in (sys.stdout, sys.__stdout__, out) if s is not None}.values():
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
            os.dup2(saved, fd)
            os.close(saved)


def deliver(report: str, out: TextIO, path: str | None) -> None:
    """Write the ``report`` to ``out``, or to the file ``path`` (``--output FILE``) whole, once the command is done
    (a half-written report is never left for a CI step to read)."""
    if path is None:
        out.write(report)
        out.flush()
        return
    try:
        Path(path).write_text(report, encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"--output {path}: cannot write it ({exc.strerror}); name a file you may write") from None


def check_writable(path: str | None) -> None:
    """Bad input before anything runs: ``--output`` in a folder that does not exist."""
    if path is not None and not Path(path).resolve().parent.is_dir():
        raise BadInputError(f"--output {path}: its folder does not exist; name a file in an existing folder")


def note(line: str) -> None:
    """A ``note:`` line on stderr: something the reader should know that is not the command's report."""
    print(f"note: {line}", file=sys.stderr)
