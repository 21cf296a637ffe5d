-- The enum type in the way: its values, and every column that uses it (none: it was left behind).
SELECT t.typname AS type, enum_range(NULL::camera_mode) AS "values",
       (SELECT string_agg(format('%s.%s', a.attrelid::regclass, a.attname), ', ')
          FROM pg_attribute a WHERE a.atttypid = t.oid AND NOT a.attisdropped) AS used_by
FROM pg_type t
WHERE t.typname = 'camera_mode';
