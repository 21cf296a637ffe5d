-- Which emails are duplicated, how often, and which rows carry them (oldest first).
SELECT email, count(*), array_agg(id ORDER BY created_at, id) AS ids
FROM users
GROUP BY email
HAVING count(*) > 1;
