"""The tables the application makes on first start, before any revision."""
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("customers", metadata, sa.Column("id", sa.Integer, primary_key=True))


def create_base(connection):
    metadata.create_all(connection)
