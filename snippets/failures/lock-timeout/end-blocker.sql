-- End session :pid (a blocking_pid from find-blocker.sql); its open transaction is rolled back.
-- pg_cancel_backend(:pid) would only stop a running statement: an idle transaction needs this.
SELECT pg_terminate_backend(:pid);
