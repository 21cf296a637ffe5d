-- A hotfix added the column by hand before the migration ran, with the type it declares.
ALTER TABLE cameras ADD COLUMN serial_number VARCHAR(255);
