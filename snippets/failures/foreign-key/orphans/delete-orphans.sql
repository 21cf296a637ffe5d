-- Delete the events whose camera no longer exists (copy them elsewhere first if they matter).
BEGIN;
DELETE FROM events e
WHERE NOT EXISTS (SELECT 1 FROM cameras c WHERE c.id = e.camera_id);
COMMIT;
