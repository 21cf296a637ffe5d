-- At revision 0012: the application still offers "night", and a schedule was saved with it.
INSERT INTO camera_schedules (id, camera_id, mode) VALUES (5, 2, 'night');
