-- Realtime's read probe, step 2 (as the subscriber, under RLS): the probe rows it may see are
-- the extensions it may receive.
SELECT m.extension
FROM realtime.messages AS m
WHERE m.id = ANY(%(ids)s::uuid [])
