-- The application writes to events in a transaction that stays open: CREATE INDEX CONCURRENTLY
-- waits for every transaction that was writing to the table when the build began.
BEGIN;
UPDATE events SET kind = 'motion' WHERE id = 1;
