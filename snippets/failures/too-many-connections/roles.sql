-- The example's role for deploys, made once per server by whoever administers it: the migrations and the
-- application's workers log in as deployer, which may hold at most 2 sessions at once. It owns the database.
CREATE ROLE deployer LOGIN PASSWORD 'deployer' CONNECTION LIMIT 2;
ALTER DATABASE :"DBNAME" OWNER TO deployer;
