-- A hotfix added the column by hand, with another type than the migration declares.
ALTER TABLE cameras ADD COLUMN serial_number INTEGER NOT NULL DEFAULT 0;
