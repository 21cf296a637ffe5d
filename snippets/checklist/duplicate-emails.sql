-- At revision 0003, production has what staging lacks: two accounts with the same email.
INSERT INTO users (id, email, name) VALUES
    (1, 'ann@example.com', 'Ann'),
    (2, 'bob@example.com', 'Bob'),
    (3, 'ann@example.com', 'Ann Lee');
