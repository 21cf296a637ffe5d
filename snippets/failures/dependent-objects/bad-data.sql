-- At revision 0009: the reporting team's view over the column 0009 added, made by hand.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name, firmware_version) VALUES (1, 1, 'Front door', '2.4.1');
CREATE VIEW camera_firmware AS SELECT id, name, firmware_version FROM cameras;
