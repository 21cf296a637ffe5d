-- The idle limits a new session of this role on this database gets, and where each comes from.
SELECT name, setting, unit, source
FROM pg_settings
WHERE name IN ('idle_in_transaction_session_timeout', 'idle_session_timeout')
ORDER BY name;
