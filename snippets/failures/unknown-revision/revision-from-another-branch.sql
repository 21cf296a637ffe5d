-- What a deploy of branch feature/camera-serial left: its revision 3f2a9c1d7b4e ran (cameras.serial),
-- then the code was rolled back to main, which has no such revision.
ALTER TABLE cameras ADD COLUMN serial character varying(64);
UPDATE alembic_version SET version_num = '3f2a9c1d7b4e';
