"""``python -m helpers``: see ``helpers.tools.cli`` (rehearse, compare, stamp, history, identify, explain, lint)."""

from .tools.cli import main

raise SystemExit(main())
