"""``python -m helpers``: see ``helpers.cli``."""

from .cli import main

raise SystemExit(main())
