-- title: staff: reading realtime.messages of a ticket topic of their office
-- persona: big_office_staff
-- goal: ratio 2.0
-- product
SELECT r.id, r.event, r.payload
FROM realtime.messages AS r
WHERE r.topic = 'ticket:' || {chat_ticket};
-- baseline
SELECT r.id, r.event, r.payload
FROM realtime.messages AS r
WHERE r.topic = 'ticket:' || {chat_ticket};
