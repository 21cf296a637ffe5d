-- The other process of the DETAIL (-v pid=...): which application, doing what, since when.
SELECT pid, application_name, state, xact_start, query
FROM pg_stat_activity
WHERE pid = :pid;
