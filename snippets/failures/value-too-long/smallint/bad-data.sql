-- At revision 0009: a busy camera with 40,000 motion events, a quiet one with two.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Attic');
INSERT INTO events (camera_id, kind) SELECT 1, 'motion' FROM generate_series(1, 40000);
INSERT INTO events (camera_id, kind) VALUES (2, 'motion'), (2, 'tamper');
