-- A migration whose client has gone may still be running on the server, holding its locks.
-- Its session is the one holding a lock on alembic_version.
SELECT pid, state, wait_event_type, date_trunc('second', xact_start) AS xact_start, query
FROM pg_stat_activity
WHERE pid IN (SELECT pid FROM pg_locks WHERE relation = 'alembic_version'::regclass)
  AND pid <> pg_backend_pid();
