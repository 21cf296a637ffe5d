"""The shop's models, as its revisions build them; env.py hands ``metadata`` to autogenerate.

In env.py: ``from models import metadata`` and ``target_metadata = metadata``.
"""

import sqlalchemy as sa

metadata = sa.MetaData()

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
)
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("amount", sa.Numeric(12, 2), nullable=False),
)
