-- Rows in every table of revision 0007 (and so of the head, 0009): the backup drill, the table sizes.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann'), (2, 'bob@example.com', 'Bob');
INSERT INTO cameras (id, owner_id, name, location, status) VALUES
    (1, 1, 'Front door', 'porch', 'active'),
    (2, 2, 'Back yard', 'garden', 'active');
INSERT INTO events (camera_id, kind) SELECT 1 + i % 2, 'motion' FROM generate_series(1, 500) AS i;
INSERT INTO audit_log (user_id, action) VALUES (1, 'login'), (2, 'camera.added');
SELECT setval(pg_get_serial_sequence('users', 'id'), 2);
SELECT setval(pg_get_serial_sequence('cameras', 'id'), 2);
