-- The source text's advice, tried: the data change inside a savepoint, released before the ALTER TABLE.
BEGIN;
SAVEPOINT merge;
UPDATE events SET camera_id = 1 WHERE camera_id = 3;
DELETE FROM cameras WHERE id = 3;
RELEASE SAVEPOINT merge;
ALTER TABLE cameras ADD CONSTRAINT uq_cameras_owner_name UNIQUE (owner_id, name);
ROLLBACK;
