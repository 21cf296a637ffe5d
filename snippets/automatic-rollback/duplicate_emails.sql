-- Two users with the same email: revision 0004's unique index cannot be built.
INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('ann@example.com', 'Ann B');
