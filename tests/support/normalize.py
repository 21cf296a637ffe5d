"""Make captured command output comparable between runs: what varies becomes a placeholder.

Shared by every check that compares a page's output with a fresh run (console blocks,
scenario captures). Add a rule here rather than in a caller.
"""

from __future__ import annotations

import re

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d(?::?\d\d)?|Z)?"), "<TIMESTAMP>"),
    (re.compile(r"\b\d+\.\d{3}s\b"), "<DURATION>"),
    (re.compile(r"\bpid \d+\b|\bPID \d+\b"), "pid <PID>"),
    (re.compile(r"\bt\d+_\d+\b"), "<DATABASE>"),
    (re.compile(r"/tmp/mrp-[\w./-]+"), "<SOCKET_DIR>"),
    # psql pads table cells with spaces; editors strip them, so trailing blanks never count.
    (re.compile(r"[ \t]+$", re.MULTILINE), ""),
    # A pid in a psql column named *pid (expanded output: "blocking_pid | 4711") or in "-v pid=4711".
    (re.compile(r"^(\w*pid\s*\|\s)\d+$", re.MULTILINE), r"\1<PID>"),
    (re.compile(r"\bpid=\d+\b"), "pid=<PID>"),
    # Who ran a migration, in `python -m helpers history`: the role and client host differ by server.
    (re.compile(r"\bby [\w.-]+@[\w.:-]+"), "by <USER>@<HOST>"),
    # Where libpq connected (a throwaway server's socket, a container's published port: the same page runs on
    # both), a relation's file (database and file OIDs), a WAL temp file (a pid).
    (
        re.compile(r'connection to server (?:on socket "[^"]*"|at "[^"]*", port \d+)'),
        "connection to server at <SERVER>",
    ),
    (re.compile(r"\bbase/\d+/\d+(?:\.\d+)?"), "base/<OID>/<FILENODE>"),
    (re.compile(r"\bxlogtemp\.\d+"), "xlogtemp.<PID>"),
    # The last line of a SQLAlchemy error names its major.minor version: /e/20/ for 2.0, /e/21/ for 2.1.
    (re.compile(r"(https://sqlalche\.me/e/)\d+/"), r"\1<SQLALCHEMY>/"),
    # SQLAlchemy 2.0.0's asyncpg adapter puts asyncpg's exception class before the server's message; later
    # ones print the message alone (what the pages show), so the oldest versions' run compares too.
    (re.compile(r"(\(sqlalchemy\.dialects\.postgresql\.asyncpg\.Error\) )<class 'asyncpg\.exceptions\.\w+'>: "), r"\1"),
]


def normalize(text: str) -> str:
    """Replace timestamps, durations, pids, throwaway database names, socket paths, ports and file OIDs."""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return text
