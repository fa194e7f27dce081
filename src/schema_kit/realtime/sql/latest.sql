-- Where a new subscription starts (as the server): the newest row of the topic. Rows are
-- ordered at commit (compat 0005, 0010), so anything committed later sorts after it.
SELECT m.inserted_at, m.id
FROM realtime.messages AS m
WHERE m.topic = %(topic)s
ORDER BY m.inserted_at DESC, m.id DESC
LIMIT 1
