"""Pre-commit hook: fail when the Alembic history has more than one head (two branches merged badly).

Usage: python check_single_head.py [PATH/TO/alembic.ini]   (default: ./alembic.ini)
Reads the revision files only; needs no database.
"""

from __future__ import annotations

import sys

from alembic.config import Config
from alembic.script import ScriptDirectory


def main(argv: list[str]) -> int:
    config = Config(argv[1] if len(argv) > 1 else "alembic.ini")
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) == 1:
        return 0
    print(
        f"Alembic has {len(heads)} heads ({', '.join(sorted(heads))}); "
        "run `alembic merge heads` or rebase your revision onto the current head.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
