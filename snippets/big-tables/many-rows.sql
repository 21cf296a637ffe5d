-- At revision 0009: 10,000 users and 50,000 events, enough for a table-wide lock to show.
INSERT INTO users (id, email, name)
SELECT g, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 10000) AS g;
INSERT INTO cameras (id, owner_id, name, status) VALUES (1, 1, 'Front door', 'active'), (2, 2, 'Back yard', 'active');
INSERT INTO events (camera_id, kind) SELECT 1 + g % 2, 'motion' FROM generate_series(1, 50000) AS g;
INSERT INTO audit_log (user_id, action) SELECT 1 + g % 10000, 'login' FROM generate_series(1, 1000) AS g;
