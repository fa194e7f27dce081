-- Every re-read of one wake-up in one statement (compat 0010): each element of %(reads)s is a
-- topic after a position, read as the server (public) or as its subscriber (private, under
-- RLS); read_no says which element a row answers, rows in (inserted_at, id) order per read.
SELECT r.read_no, r.id, r.topic, r.event, r.payload, r.inserted_at
FROM realtime.read_as_subscribers(%(reads)s) AS r
