-- At revision 0009: statuses typed by hand before anything checked them.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name, status) VALUES
    (1, 1, 'Front door', 'active'),
    (2, 1, 'Garage',     'Active'),
    (3, 1, 'Porch',      'broken'),
    (4, 1, 'Attic',      'retired');
