-- Another session (a nightly report) reads cameras in a transaction and leaves it open:
-- its ACCESS SHARE lock on cameras stays until the transaction ends.
BEGIN;
SELECT count(*) FROM cameras;
