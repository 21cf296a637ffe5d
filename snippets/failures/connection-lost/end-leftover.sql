-- End session :pid (the pid from find-leftover.sql); its transaction is rolled back.
SELECT pg_terminate_backend(:pid);
