-- Everything that depends on cameras.firmware_version: views (through their rewrite rules), and other
-- objects (constraints, indexes, defaults) recorded against the column directly.
SELECT coalesce(view.relname, pg_describe_object(d.classid, d.objid, d.objsubid)) AS dependent,
       CASE WHEN view.oid IS NOT NULL THEN 'view' ELSE d.deptype::text END AS kind
FROM pg_depend d
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_class view ON view.oid = r.ev_class
WHERE d.refobjid = 'cameras'::regclass AND a.attname = 'firmware_version'
  AND d.deptype = 'n'
ORDER BY 1;
