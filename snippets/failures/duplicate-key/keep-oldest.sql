-- Keep the oldest row per email; move what the newer rows own over to it; delete the newer rows.
BEGIN;

CREATE TEMP TABLE duplicate_users ON COMMIT DROP AS
SELECT id, first_value(id) OVER (PARTITION BY email ORDER BY created_at, id) AS keep_id
FROM users;
DELETE FROM duplicate_users WHERE id = keep_id;

UPDATE cameras SET owner_id = d.keep_id
FROM duplicate_users d WHERE cameras.owner_id = d.id;

DELETE FROM users USING duplicate_users d WHERE users.id = d.id;

COMMIT;
