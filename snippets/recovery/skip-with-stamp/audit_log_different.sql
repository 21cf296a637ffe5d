-- Someone created audit_log by hand while revision 0006 was current, but not as 0007 does:
-- no foreign key to users, and action limited to 100 characters.
CREATE TABLE audit_log (
    id SERIAL PRIMARY KEY,
    user_id INTEGER,
    action VARCHAR(100) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL
);
