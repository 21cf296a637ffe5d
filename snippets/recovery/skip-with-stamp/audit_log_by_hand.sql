-- Someone created audit_log by hand (as revision 0007 would) while revision 0006 was current.
CREATE TABLE audit_log (
    id SERIAL PRIMARY KEY,
    user_id INTEGER CONSTRAINT fk_audit_log_user_id REFERENCES users (id),
    action TEXT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL
);
