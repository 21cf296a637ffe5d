-- At revision 0004: events.camera_id is not yet a foreign key, and camera 7 was deleted by hand.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name, location) VALUES
    (1, 1, 'Front door', 'entrance'),
    (2, 1, 'Garage',     'garage');
INSERT INTO events (camera_id, kind) VALUES
    (1, 'motion'), (1, 'doorbell'), (2, 'motion'),
    (7, 'motion'), (7, 'offline');
