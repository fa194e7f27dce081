-- title: client: reading realtime.messages of its ticket topic (15k rows in the table)
-- persona: big_client_user
-- goal: ratio 2.0
-- product
SELECT r.id, r.event, r.payload
FROM realtime.messages AS r
WHERE r.topic = 'ticket:' || {chat_ticket};
-- baseline
SELECT r.id, r.event, r.payload
FROM realtime.messages AS r
WHERE r.topic = 'ticket:' || {chat_ticket};
