-- The values the backfill would write, against the largest a smallint holds (32767).
SELECT camera_id, count(*) AS events
FROM events
GROUP BY camera_id
HAVING count(*) > 32767
ORDER BY count(*) DESC;
