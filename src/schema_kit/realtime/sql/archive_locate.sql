-- A resume point no longer in realtime.messages (Supabase drops partitions after 72 hours):
-- its place in the durable chat archive, read as the subscriber.
SELECT a.enviado_em, a.id
FROM tickets.chat_mensagens AS a
WHERE a.id = %(id)s AND a.ticket_id = %(ticket_id)s
