"""An ordinary Alembic project that no one on this project wrote, for the ``python -m helpers`` commands.

``alembic init`` with the generic template, its ``env.py`` changed only the way many are: the URL
comes from ``DATABASE_URL`` when it is set, else from ``sqlalchemy.url``. Its revisions use plain
``op.*`` with the hex ids ``alembic revision`` makes:

- ``3f1c2a9b7d10`` creates ``customers`` and ``orders`` (``amount integer``);
- ``8a4e6d2c1b05`` indexes ``orders.customer_id``;
- ``c7d93e4f0a21`` makes ``orders.amount`` a ``numeric(12, 2)``: a type change that rewrites the table;
- ``e52b8f1d6c34`` (with ``careless=True``) adds ``customers.nickname`` and its downgrade forgets to drop it.

With ``base_outside=True``, ``customers`` is made outside the revisions, as an application's
``metadata.create_all()`` makes its tables on first start: ``3f1c2a9b7d10`` adds its ``name`` column
and creates ``orders``. The base is in the project twice: ``base.sql`` (``BASE_SQL``) and the function
``base_schema:create_base`` (``BASE_FUNCTION``), which makes the same table with ``create_all()``.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from tests.support import drivers

#: The orders table, made by the first revision of both histories (REVISIONS, OUTSIDE_FIRST).
_CREATE_ORDERS = """op.create_table(
    "orders",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
)
"""

REVISIONS = {
    "3f1c2a9b7d10": (
        None,
        "create customers and orders",
        textwrap.dedent("""
        op.create_table(
            "customers",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(100), nullable=False),
        )
        """) + _CREATE_ORDERS,
        """
        op.drop_table("orders")
        op.drop_table("customers")
        """,
    ),
    "8a4e6d2c1b05": (
        "3f1c2a9b7d10",
        "index orders by customer",
        """
        op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
        """,
        """
        op.drop_index("ix_orders_customer_id", table_name="orders")
        """,
    ),
    "c7d93e4f0a21": (
        "8a4e6d2c1b05",
        "amounts in cents become decimal amounts",
        """
        op.alter_column("orders", "amount", type_=sa.Numeric(12, 2), existing_nullable=False)
        """,
        """
        op.alter_column("orders", "amount", type_=sa.Integer, existing_nullable=False)
        """,
    ),
}
CARELESS = {
    "e52b8f1d6c34": (
        "c7d93e4f0a21",
        "add customers.nickname",
        """
        op.add_column("customers", sa.Column("nickname", sa.String(50)))
        """,
        """
        pass  # forgot to drop customers.nickname
        """,
    ),
}
#: Two branches off c7d93e4f0a21 (two heads), as two feature branches merged without a merge revision.
BRANCHES = {
    "a1d5e0b7c9f2": (
        "c7d93e4f0a21",
        "add customers.email",
        """
        op.add_column("customers", sa.Column("email", sa.String(200)))
        """,
        """
        op.drop_column("customers", "email")
        """,
    ),
    "b4f8c2e6a0d3": (
        "c7d93e4f0a21",
        "add orders.note",
        """
        op.add_column("orders", sa.Column("note", sa.Text))
        """,
        """
        op.drop_column("orders", "note")
        """,
    ),
}
#: Outside a transaction, as many projects do it: a foreign key dropped and an index built concurrently.
AUTOCOMMIT = {
    "d0c4a7f3e8b1": (
        "c7d93e4f0a21",
        "drop the orders foreign key outside a transaction",
        """
        with op.get_context().autocommit_block():
            op.drop_constraint("orders_customer_id_fkey", "orders", type_="foreignkey")
            op.create_index("ix_orders_amount", "orders", ["amount"], postgresql_concurrently=True)
        """,
        """
        with op.get_context().autocommit_block():
            op.drop_index("ix_orders_amount", table_name="orders", postgresql_concurrently=True)
        op.create_foreign_key("orders_customer_id_fkey", "orders", "customers", ["customer_id"], ["id"])
        """,
    ),
}
#: The first revision of a project whose base (customers) is made outside the revisions: it ALTERs that table.
OUTSIDE_FIRST = {
    "3f1c2a9b7d10": (
        None,
        "name customers and create orders",
        'op.add_column("customers", sa.Column("name", sa.String(100), nullable=False))\n' + _CREATE_ORDERS,
        """
        op.drop_table("orders")
        op.drop_column("customers", "name")
        """,
    ),
}
BASE_SQL = "CREATE TABLE customers (id serial PRIMARY KEY);\n"
BASE_FUNCTION = "base_schema:create_base"
_BASE_SCHEMA = '''"""The tables the application makes on first start, before any revision."""
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("customers", metadata, sa.Column("id", sa.Integer, primary_key=True))


def create_base(connection):
    metadata.create_all(connection)
'''
AUTOCOMMIT_REVISION = "d0c4a7f3e8b1"
REWRITING = "c7d93e4f0a21"
CARELESS_REVISION = "e52b8f1d6c34"

_REVISION = '''"""{message}

Revision ID: {revision}
Revises: {down}
Create Date: 2026-11-20 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = {revision!r}
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade():
{upgrade}

def downgrade():
{downgrade}
'''

#: The generic template's env.py takes the URL from alembic.ini; this is the line many projects add.
_URL_FROM_ENVIRONMENT = """
url = os.environ.get("{variable}")
if url:
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
"""


def url_from_environment(env_py: str, variable: str = "DATABASE_URL") -> str:
    """The generic template's ``env.py`` text, changed to take the URL from ``variable`` when it is set."""
    assert "from alembic import context" in env_py
    text = env_py.replace("from alembic import context\n", "import os\n\nfrom alembic import context\n", 1)
    return text.replace(
        "config = context.config\n", "config = context.config\n" + _URL_FROM_ENVIRONMENT.format(variable=variable), 1
    )


def stock_env(workdir: Path, template: str = "generic") -> Path:
    """Replace ``workdir``'s env.py with the one ``alembic init -t TEMPLATE`` writes, URL from DATABASE_URL.

    What most readers run: a failure ends in a plain traceback, no diagnosis.
    """
    stock = Path(command.__file__).parent / "templates" / template / "env.py"
    (workdir / "env.py").write_text(url_from_environment(stock.read_text()))
    return workdir


def ordinary_project(
    tmp_path: Path,
    *,
    careless: bool = False,
    branched: bool = False,
    autocommit: bool = False,
    per_revision: bool = False,
    base_outside: bool = False,
    variable: str = "DATABASE_URL",
) -> Path:
    """Make the project in ``tmp_path/shop`` and return its folder (where alembic.ini is).

    ``branched``: with the two ``BRANCHES`` heads; ``autocommit``: with the ``AUTOCOMMIT`` revision.
    ``per_revision``: env.py runs each revision in its own transaction (``transaction_per_migration``).
    ``base_outside``: ``customers`` is made outside the revisions (``BASE_SQL``, ``BASE_FUNCTION``).
    ``variable``: the environment variable its env.py reads the URL from.
    """
    if drivers.is_async():
        pytest.skip(
            "the ordinary project's env.py is alembic init's generic one, synchronous: an asyncpg project has "
            "an async env.py (tests/test_project_drivers.py runs the example's)"
        )
    root = tmp_path / "shop"
    root.mkdir()
    # `alembic init -t generic migrations`, run from root (in this process: same files, no interpreter start-up)
    config = Config(str(root / "alembic.ini"), stdout=io.StringIO())
    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
        command.init(config, "migrations", template="generic")
    # Alembic before 1.16 writes the folder relative to where it ran; later ones as %(here)s/migrations.
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("script_location = migrations\n", "script_location = %(here)s/migrations\n"))
    env_py = root / "migrations" / "env.py"
    text = url_from_environment(env_py.read_text(), variable)
    if per_revision:
        online = "connection=connection, target_metadata=target_metadata"
        assert online in text
        text = text.replace(online, online + ", transaction_per_migration=True", 1)
    env_py.write_text(text)
    if base_outside:
        (root / "base.sql").write_text(BASE_SQL)
        (root / "base_schema.py").write_text(_BASE_SCHEMA)
    revisions = {**REVISIONS, **(OUTSIDE_FIRST if base_outside else {}), **(CARELESS if careless else {}),
                 **(BRANCHES if branched else {}), **(AUTOCOMMIT if autocommit else {})}
    for revision, (down, message, upgrade, downgrade) in revisions.items():
        body = {
            "upgrade": textwrap.indent(textwrap.dedent(upgrade).strip("\n"), "    ") + "\n",
            "downgrade": textwrap.indent(textwrap.dedent(downgrade).strip("\n"), "    "),
        }
        slug = message.replace(" ", "_").replace(".", "_")
        (root / "migrations" / "versions" / f"{revision}_{slug}.py").write_text(
            _REVISION.format(message=message, revision=revision, down=down or "", down_revision=down, **body)
        )
    return root


def from_last_exception(command: str) -> str:
    """``command`` as a page shows a stock env.py's failure: its output from SQLAlchemy's exception line on."""
    return f"{command} 2>&1 | sed -n '/^sqlalchemy.exc/,$p'"
