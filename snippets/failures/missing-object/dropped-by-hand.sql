-- At revision 0004: someone dropped the unique index by hand during an incident, and never told Alembic.
DROP INDEX ix_users_email;
