-- The values the new length cannot hold, longest first, and the length the column would need.
SELECT id, length(email) AS length, email
FROM users
WHERE length(email) > 50
ORDER BY length(email) DESC;
SELECT max(length(email)) AS longest FROM users;
