-- At revision 0007: someone added users.phone by hand, as an integer, for a quick import.
ALTER TABLE users ADD COLUMN phone integer;
INSERT INTO users (id, email, name) VALUES
    (1, 'ann@example.com', 'Ann'),
    (2, 'bob@example.com', 'Bob');
