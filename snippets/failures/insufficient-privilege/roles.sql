-- The two roles of this example, made once per server by whoever administers it:
-- migrator runs the migrations and owns what they create; app is the application's role.
CREATE ROLE migrator LOGIN PASSWORD 'migrator';
CREATE ROLE app LOGIN PASSWORD 'app';
