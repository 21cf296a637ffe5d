-- The revision's first statement, by hand, in a transaction that is rolled back whatever happens.
BEGIN;
CREATE UNIQUE INDEX ux_cameras_owner_name ON cameras (owner_id, name);
ROLLBACK;
