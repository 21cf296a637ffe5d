-- A report reads audit_log in a transaction that is still open when the migration starts.
BEGIN;
SELECT count(*) FROM audit_log;
