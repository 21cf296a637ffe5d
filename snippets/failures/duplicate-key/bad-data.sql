-- At revision 0003: users signed up twice with the same email before email was unique.
INSERT INTO users (id, email, name, created_at) VALUES
    (1, 'ann@example.com', 'Ann',        '2026-01-05 09:00+00'),
    (2, 'bob@example.com', 'Bob',        '2026-01-06 09:00+00'),
    (3, 'ann@example.com', 'Ann Lee',    '2026-02-11 17:30+00'),
    (4, 'cy@example.com',  'Cy',         '2026-02-12 08:15+00'),
    (5, 'ann@example.com', 'Ann (work)', '2026-03-01 12:00+00');

-- Ann's second account owns a camera: deleting that account would break fk_cameras_owner_id.
INSERT INTO cameras (id, owner_id, name, location) VALUES
    (1, 1, 'Front door', 'entrance'),
    (2, 3, 'Garage',     'garage');
