-- The rows that still hold the value the new type leaves out.
SELECT mode, count(*), array_agg(id ORDER BY id) AS ids
FROM camera_schedules
WHERE mode::text NOT IN ('day', 'infrared')
GROUP BY mode;
