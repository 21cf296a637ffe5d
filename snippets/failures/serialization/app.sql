-- The application, while the migration runs: a camera goes into maintenance.
BEGIN;
UPDATE cameras SET status = 'maintenance' WHERE id = 1;
