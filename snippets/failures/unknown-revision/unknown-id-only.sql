-- alembic_version names a revision no file has, and the schema is exactly 0009's:
-- the unknown revision changed only data, or an id was written into alembic_version by hand.
UPDATE alembic_version SET version_num = '3f2a9c1d7b4e';
