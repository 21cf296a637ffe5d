-- At revision 0006: someone ran revision 0007's SQL by hand (from alembic upgrade 0006:0007 --sql)
-- but not its UPDATE alembic_version, and the application has started writing to the table.
CREATE TABLE audit_log (
    id SERIAL NOT NULL,
    user_id INTEGER,
    action TEXT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_audit_log_user_id FOREIGN KEY(user_id) REFERENCES users (id)
);
INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO audit_log (user_id, action) VALUES (1, 'login'), (1, 'camera.added');
