-- Events that point at a camera that does not exist.
SELECT e.camera_id, count(*) AS events
FROM events e
LEFT JOIN cameras c ON c.id = e.camera_id
WHERE c.id IS NULL
GROUP BY e.camera_id
ORDER BY e.camera_id;
