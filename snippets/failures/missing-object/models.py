"""The models' MetaData with a naming convention: every constraint and index is named from its table and columns."""

import sqlalchemy as sa

# Alembic's documented convention, with every column of a unique constraint in its name (column_0_N_name).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

cameras = sa.Table(
    "cameras",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("location", sa.Text),
    sa.Column("status", sa.String(20), nullable=False, server_default="active"),
    sa.Column("firmware_version", sa.String(64)),
    sa.UniqueConstraint("owner_id", "name"),  # no name here: the convention gives uq_cameras_owner_id_name
)
