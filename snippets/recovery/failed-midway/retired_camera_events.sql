-- A retired camera that still has events: revision 0006 deletes retired cameras, and
-- revision 0005's foreign key (events.camera_id -> cameras.id) then refuses the delete.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name, location, status) VALUES
    (1, 1, 'Front door', 'porch', 'active'),
    (2, 1, 'Old garage cam', 'garage', 'retired');
INSERT INTO events (camera_id, kind) VALUES (1, 'motion'), (2, 'motion'), (2, 'offline');
