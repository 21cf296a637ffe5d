-- Every session waiting for a lock, and the sessions it waits for.
SELECT waiting.pid AS waiting_pid,
       waiting.query AS waiting_query,
       blocking.pid AS blocking_pid,
       blocking.application_name AS blocking_app,
       blocking.state AS blocking_state,
       date_trunc('second', blocking.xact_start) AS blocking_since,
       blocking.query AS blocking_query
FROM pg_stat_activity waiting
CROSS JOIN LATERAL unnest(pg_blocking_pids(waiting.pid)) AS b(pid)
JOIN pg_stat_activity blocking ON blocking.pid = b.pid;
