-- Each role with a connection limit: its limit, its sessions now, the idle ones, and what they are.
SELECT r.rolname AS role,
       r.rolconnlimit AS connection_limit,
       count(a.pid) AS sessions,
       count(a.pid) FILTER (WHERE a.state = 'idle') AS idle,
       string_agg(DISTINCT a.application_name, ', ') AS applications
FROM pg_roles AS r
LEFT JOIN pg_stat_activity AS a ON a.usename = r.rolname AND a.backend_type = 'client backend'
WHERE r.rolconnlimit >= 0
GROUP BY r.rolname, r.rolconnlimit
ORDER BY r.rolname;
