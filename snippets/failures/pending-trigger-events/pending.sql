-- The constraints whose checks may wait for COMMIT: each row changed under one leaves a pending trigger event.
SELECT conrelid::regclass AS "table", conname, condeferred AS initially_deferred
FROM pg_constraint
WHERE condeferrable
ORDER BY 1, 2;
