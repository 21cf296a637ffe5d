-- Run as the database's owner (or a superuser): let migrator create objects in schema public.
GRANT CREATE ON SCHEMA public TO migrator;
