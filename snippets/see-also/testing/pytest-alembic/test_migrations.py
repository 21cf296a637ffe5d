"""pytest-alembic's built-in tests, run on your project by importing them."""

from pytest_alembic.tests import (  # noqa: F401  (imported to be collected)
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

# Experimental: every downgrade must leave the schema as it was before its upgrade. It hands env.py
# a stand-in for an Engine whose connect() yields its open connection; an env.py that hands that
# object straight to context.configure() fails inside Alembic (Dialect.has_table refuses it), so
# call connect() on whatever config.attributes["connection"] holds, as the guide's env.py does.
from pytest_alembic.tests.experimental import test_downgrade_leaves_no_trace  # noqa: F401
