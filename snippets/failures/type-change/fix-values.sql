-- Drop the "v" the old firmware reported; every row find-unconvertible.sql listed must be covered.
UPDATE cameras SET firmware_version = substr(firmware_version, 2) WHERE firmware_version ~ '^v[0-9]+$';
