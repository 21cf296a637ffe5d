-- End the role's idle sessions, waiting up to 5 s for each to go (the pool opens new ones when it needs them).
SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) AS ended
FROM pg_stat_activity
WHERE usename = 'deployer' AND state = 'idle' AND pid <> pg_backend_pid();
