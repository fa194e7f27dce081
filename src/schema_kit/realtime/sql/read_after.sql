-- The topic's broadcasts after a position, in (inserted_at, id) order. Run as the subscriber
-- on private channels, so RLS decides what it receives; as the server on public channels,
-- which only carry rows with private = false.
SELECT m.id, m.topic, m.event, m.payload, m.inserted_at
FROM realtime.messages AS m
WHERE
    m.topic = %(topic)s
    AND m.extension = 'broadcast'
    AND m.private = %(private)s
    AND (m.inserted_at, m.id) > (%(after_at)s::timestamp, %(after_id)s::uuid)
ORDER BY m.inserted_at, m.id
LIMIT %(limit)s
