-- Which timeouts a new session of this role on this database gets, and where each comes from.
SELECT name, setting, unit, source
FROM pg_settings
WHERE name IN ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'transaction_timeout')
ORDER BY name;

-- The defaults set for this role or this database (ALTER ROLE / ALTER DATABASE ... SET).
SELECT CASE WHEN s.setrole = 0 THEN '(every role)' ELSE current_user END AS role,
       CASE WHEN s.setdatabase = 0 THEN '(every database)' ELSE '(this database)' END AS database,
       s.setconfig
FROM pg_db_role_setting AS s
WHERE s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user))
  AND s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()));
