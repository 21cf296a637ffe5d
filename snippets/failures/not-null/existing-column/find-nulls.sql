-- The rows the new NOT NULL would refuse.
SELECT id, name, owner_id FROM cameras WHERE location IS NULL ORDER BY id;
