-- At revision 0009: a camera and two of its events (the key change must keep them).
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door');
INSERT INTO events (id, camera_id, kind, created_at) VALUES
    (1, 1, 'motion', '2026-12-01 10:00+00'),
    (2, 1, 'tamper', '2026-12-01 10:05+00');
