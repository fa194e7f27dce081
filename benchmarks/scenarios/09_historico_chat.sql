-- title: client: tickets.historico_chat newest page (100k messages)
-- persona: big_client_user
-- goal: ratio 1.3
-- product
SELECT h.id, h.autor_id, h.autor_tipo, h.conteudo, h.enviado_em
FROM tickets.historico_chat({chat_ticket}) AS h;
-- baseline
SELECT p.id, p.autor_id, p.autor_tipo, p.conteudo, p.enviado_em
FROM (
    SELECT m.id, m.autor_id, m.autor_tipo, m.conteudo, m.enviado_em
    FROM tickets.chat_mensagens AS m
    WHERE m.ticket_id = {chat_ticket}
    ORDER BY m.enviado_em DESC, m.id
    LIMIT 50
) AS p
ORDER BY p.enviado_em, p.id;
