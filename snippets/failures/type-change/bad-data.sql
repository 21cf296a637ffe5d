-- At revision 0009: firmware versions as the cameras reported them, one with a "v" in front.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name, firmware_version) VALUES
    (1, 1, 'Front door', '1042'),
    (2, 1, 'Garage',     'v1044'),
    (3, 1, 'Porch',      '1043'),
    (4, 1, 'Attic',      NULL);
