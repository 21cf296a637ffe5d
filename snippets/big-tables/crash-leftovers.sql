-- What a crash (or any failure) left behind outside the migration's transaction: indexes that a
-- concurrent build left INVALID, and constraints added NOT VALID that were never validated.
SELECT 'index' AS kind, c.relname AS name, t.relname AS on_table
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
WHERE NOT i.indisvalid
UNION ALL
SELECT 'constraint', con.conname, t.relname
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
WHERE NOT con.convalidated
ORDER BY 1, 2;
