-- At revision 0009: real addresses, one of them longer than 50 characters.
INSERT INTO users (id, email, name) VALUES
    (1, 'ann@example.com', 'Ann'),
    (2, 'bartholomew.featherstonehaugh@facilities.example.org', 'Bartholomew');
