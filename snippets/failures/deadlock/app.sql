-- The application (camera-api) marks a camera offline, then reads its owner to notify them,
-- in one transaction: a lock on cameras first, then one on users.
BEGIN;
UPDATE cameras SET status = 'offline' WHERE id = 1;
SELECT email FROM users WHERE id = 1;
