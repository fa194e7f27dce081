-- Chat messages after the resume point that realtime.messages no longer holds, read as the
-- subscriber from the durable archive, in the shape tickets.enviar_mensagem broadcast them
-- (event mensagem, same id, same payload keys).
SELECT
    a.id,
    'ticket:' || a.ticket_id::text AS topic,
    'mensagem' AS event,
    pg_catalog.jsonb_build_object(
        'id', a.id,
        'ticket_id', a.ticket_id,
        'autor_id', a.autor_id,
        'autor_tipo', a.autor_tipo,
        'conteudo', a.conteudo,
        'enviado_em', a.enviado_em
    ) AS payload,
    pg_catalog.timezone('UTC', a.enviado_em) AS inserted_at
FROM tickets.chat_mensagens AS a
WHERE
    a.ticket_id = %(ticket_id)s
    AND (a.enviado_em, a.id) > (%(after_at)s::timestamptz, %(after_id)s::uuid)
    AND NOT EXISTS (
        SELECT FROM realtime.messages AS m
        WHERE m.id = a.id AND m.topic = 'ticket:' || a.ticket_id::text
    )
ORDER BY a.enviado_em, a.id
