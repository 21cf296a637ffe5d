-- The primary key events already has: its name, its columns, and the foreign keys that point at it.
SELECT conname AS name, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE conrelid = 'events'::regclass AND contype = 'p';
SELECT conrelid::regclass AS referencing_table, conname AS foreign_key
FROM pg_constraint
WHERE confrelid = 'events'::regclass AND contype = 'f';
