-- At revision 0009: someone "stamped" 0008 by hand with an INSERT, where an UPDATE was meant.
INSERT INTO alembic_version (version_num) VALUES ('0008');
