"""``python -m helpers``: see ``helpers.cli``."""

from .tools.cli import main

raise SystemExit(main())
