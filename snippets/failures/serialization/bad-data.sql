-- At revision 0009: two cameras, on a database whose transactions run SERIALIZABLE by default
-- (ALTER DATABASE ... SET, as some teams set it for the application's consistency).
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Attic');
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = %L', current_database(), 'serializable');
END $$;
