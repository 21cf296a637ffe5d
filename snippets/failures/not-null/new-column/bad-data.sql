-- At revision 0009: cameras has rows (two of them without a location, which this case does not touch).
INSERT INTO users (id, email, name) VALUES
    (1, 'ann@example.com', 'Ann'),
    (2, 'bob@example.com', 'Bob');
INSERT INTO cameras (id, owner_id, name, location) VALUES
    (1, 1, 'Front door', 'entrance'),
    (2, 1, 'Garage',     NULL),
    (3, 2, 'Porch',      NULL);
