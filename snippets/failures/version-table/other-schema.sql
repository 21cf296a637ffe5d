-- At revision 0009: the version table lives in schema ops, where a deploy configured with
-- version_table_schema="ops" keeps it; this env.py does not say so.
CREATE SCHEMA ops;
ALTER TABLE alembic_version SET SCHEMA ops;
