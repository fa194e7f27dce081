-- Realtime's write probe (as the subscriber, under RLS, inside a savepoint): an insufficient
-- privilege error means it may not send on the topic. Always rolled back.
INSERT INTO realtime.messages (topic, extension, private)
VALUES (%(topic)s, 'broadcast', true)
