-- A public topic's broadcasts after a position, in (inserted_at, id) order, read as the
-- server: public channels only carry rows with private = false. The plain range on
-- inserted_at skips the partitions before the position.
SELECT m.id, m.topic, m.event, m.payload, m.inserted_at
FROM realtime.messages AS m
WHERE
    m.topic = %(topic)s
    AND m.extension = 'broadcast'
    AND m.private IS false
    AND m.inserted_at >= %(after_at)s::timestamp
    AND (m.inserted_at, m.id) > (%(after_at)s::timestamp, %(after_id)s::uuid)
ORDER BY m.inserted_at, m.id
LIMIT %(limit)s
