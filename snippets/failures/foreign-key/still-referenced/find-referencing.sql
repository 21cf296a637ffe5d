-- Retired cameras that events still point at, and the active camera at the same location.
SELECT old.id AS retired_camera, old.location, count(*) AS events, new.id AS replacement
FROM cameras old
JOIN events e ON e.camera_id = old.id
LEFT JOIN cameras new ON new.location = old.location AND new.status = 'active'
WHERE old.status = 'retired'
GROUP BY old.id, old.location, new.id
ORDER BY old.id;
