-- The values integer's input would refuse: anything but optional blanks, a sign and digits.
-- (PostgreSQL 16 and later can ask the type itself: WHERE NOT pg_input_is_valid(firmware_version, 'integer').)
SELECT id, name, firmware_version
FROM cameras
WHERE firmware_version !~ '^\s*[+-]?[0-9]+\s*$'
ORDER BY id;
