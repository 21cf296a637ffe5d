-- The index is there and valid (a failed concurrent build leaves one with indisvalid = false).
SELECT c.relname AS index, i.indisvalid AS valid
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relname = 'ix_events_kind';
