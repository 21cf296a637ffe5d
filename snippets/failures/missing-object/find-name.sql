-- The unique constraints of cameras, with their columns: the name PostgreSQL gave is the one to drop.
SELECT con.conname AS name, pg_get_constraintdef(con.oid) AS definition
FROM pg_constraint con
WHERE con.conrelid = 'cameras'::regclass AND con.contype = 'u'
ORDER BY con.conname;
