-- Someone already created accounts by hand: the rename must refuse, not guess.
CREATE TABLE accounts (id INTEGER PRIMARY KEY);
