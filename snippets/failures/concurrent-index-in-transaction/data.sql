-- At revision 0008: a camera and the events it recorded.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door');
INSERT INTO events (id, camera_id, kind) VALUES (1, 1, 'motion'), (2, 1, 'doorbell'), (3, 1, 'motion');
