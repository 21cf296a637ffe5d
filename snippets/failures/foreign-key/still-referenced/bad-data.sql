-- At revision 0005: two cameras were retired; events recorded by one of them remain.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name, location, status) VALUES
    (1, 1, 'Front door',       'entrance', 'active'),
    (2, 1, 'Front door (old)', 'entrance', 'retired'),
    (3, 1, 'Back yard (old)',  'yard',     'retired');
INSERT INTO events (camera_id, kind) VALUES
    (1, 'motion'), (2, 'motion'), (2, 'doorbell');
