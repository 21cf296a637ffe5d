-- Two users share a phone number: the unique index on users.phone cannot be built.
INSERT INTO users (email, name, phone) VALUES
    ('ann@example.com', 'Ann', '+1 555 0100'),
    ('bob@example.com', 'Bob', '+1 555 0100');
