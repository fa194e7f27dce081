-- Realtime's read probe, step 1 (as the server's own role): one row per extension for the
-- topic being joined. Always rolled back.
INSERT INTO realtime.messages (topic, extension, private)
SELECT %(topic)s, e.extension, true
FROM pg_catalog.unnest(%(extensions)s::text []) AS e (extension)
RETURNING id
