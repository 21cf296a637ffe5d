-- Only when find-type.sql shows no used_by: nothing depends on it (DROP TYPE refuses otherwise).
DROP TYPE camera_mode;
