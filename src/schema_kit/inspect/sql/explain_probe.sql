-- The row Supabase Realtime inserts to probe a private channel: the topic, extension
-- broadcast, private, everything else left to the table's defaults.
INSERT INTO realtime.messages (topic, extension, private)
VALUES (%s, 'broadcast', true)
RETURNING id::text
