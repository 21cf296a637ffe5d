-- Two users whose emails differ only in case: unique on email, not on lower(email).
INSERT INTO users (id, email, name) VALUES
    (1, 'ann@example.com', 'Ann'),
    (2, 'Ann@Example.com', 'Ann (old account)'),
    (3, 'bob@example.com', 'Bob');
