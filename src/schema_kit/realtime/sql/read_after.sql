-- A private topic's broadcasts after a position, in (inserted_at, id) order, run as the
-- subscriber: RLS decides what it receives. The plain range on inserted_at (implied by the
-- row comparison) lets the read walk Supabase's own index on (inserted_at DESC, topic) for
-- private broadcasts from the position on, instead of every row of the partition.
SELECT m.id, m.topic, m.event, m.payload, m.inserted_at
FROM realtime.messages AS m
WHERE
    m.topic = %(topic)s
    AND m.extension = 'broadcast'
    AND m.private IS true
    AND m.inserted_at >= %(after_at)s::timestamp
    AND (m.inserted_at, m.id) > (%(after_at)s::timestamp, %(after_id)s::uuid)
ORDER BY m.inserted_at, m.id
LIMIT %(limit)s
