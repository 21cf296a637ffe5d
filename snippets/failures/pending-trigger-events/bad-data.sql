-- At revision 0010: Ann's front-door camera was registered twice (ids 1 and 3), with events on both.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Garage'), (3, 1, 'Front door');
INSERT INTO events (id, camera_id, kind) VALUES (1, 1, 'motion'), (2, 2, 'motion'), (3, 3, 'doorbell');
