-- The rows the check refuses: the constraint's condition, negated. (A NULL passes a check, and
-- NOT (NULL) is NULL, so this finds exactly the rows PostgreSQL refuses.)
SELECT status, count(*), array_agg(id ORDER BY id) AS ids
FROM cameras
WHERE NOT (status IN ('active', 'maintenance', 'retired'))
GROUP BY status
ORDER BY status;
