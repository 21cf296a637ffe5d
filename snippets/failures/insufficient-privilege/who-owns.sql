-- Who this session is, who owns each table, and what it may do in schema public.
SELECT current_user,
       has_schema_privilege('public', 'USAGE') AS use_public,
       has_schema_privilege('public', 'CREATE') AS create_in_public;

SELECT c.relname AS "table",
       pg_get_userbyid(c.relowner) AS owner,
       pg_has_role(c.relowner, 'USAGE') AS you_act_as_owner
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
ORDER BY c.relname;
