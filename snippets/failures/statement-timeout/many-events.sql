-- At revision 0009: two cameras and 1,000,000 events.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Garage');
INSERT INTO events (camera_id, kind, created_at)
SELECT 1 + g % 2, 'motion', now() - g * interval '1 second' FROM generate_series(1, 1000000) AS g;
-- What the application's database has set for every session, the migration's too.
ALTER DATABASE :"DBNAME" SET statement_timeout = '250ms';
