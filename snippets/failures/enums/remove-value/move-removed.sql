-- Move them to a value that stays (agreed with the data's owner).
UPDATE camera_schedules SET mode = 'infrared' WHERE mode = 'night';
