-- The position of a message a subscriber saw last (as the server): a position only, never
-- delivered from here.
SELECT m.inserted_at, m.id
FROM realtime.messages AS m
WHERE m.id = %(id)s AND m.topic = %(topic)s
