-- Drop the hand-made column, so that revision 0008 can add it as it defines it.
-- If it holds values you need, copy them first, e.g. to a column named phone_old.
ALTER TABLE users DROP COLUMN phone;
