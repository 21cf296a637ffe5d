-- Three million users, and maintenance_work_mem raised for fast index builds: the unique index
-- revision 0004 builds on users.email then sorts every address in memory (up to 1GB of it).
INSERT INTO users (id, email, name)
SELECT g, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 3000000) AS g;
ALTER DATABASE security SET maintenance_work_mem = '1GB';
