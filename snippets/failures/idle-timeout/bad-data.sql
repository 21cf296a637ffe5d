-- At revision 0009: two cameras, and the limit the DBA set on this database (ALTER DATABASE ... SET):
-- a session idle inside a transaction for more than a second is ended.
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO cameras (id, owner_id, name, location) VALUES (1, 1, 'Front door', 'Lyon'), (2, 1, 'Attic', NULL);
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = %L', current_database(), '1s');
END $$;
