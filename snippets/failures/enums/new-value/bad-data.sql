-- At revision 0010: two cameras, a day and a night schedule each.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Garage');
INSERT INTO camera_schedules (id, camera_id, mode) VALUES (1, 1, 'day'), (2, 1, 'night'), (3, 2, 'day'), (4, 2, 'night');
