-- Move the events of each retired camera to the active camera at the same location.
BEGIN;
UPDATE events SET camera_id = new.id
FROM cameras old
JOIN cameras new ON new.location = old.location AND new.status = 'active'
WHERE events.camera_id = old.id AND old.status = 'retired';
COMMIT;
