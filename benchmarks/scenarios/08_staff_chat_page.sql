-- title: staff: newest 50 chat messages of a 100k-message ticket, via tickets.chat_mensagens
-- persona: big_office_staff
-- goal: ratio 1.3
-- product
SELECT m.id, m.autor_tipo, m.conteudo, m.enviado_em
FROM tickets.chat_mensagens AS m
WHERE m.ticket_id = {chat_ticket}
ORDER BY m.enviado_em DESC, m.id
LIMIT 50;
-- baseline
SELECT m.id, m.autor_tipo, m.conteudo, m.enviado_em
FROM tickets.chat_mensagens AS m
WHERE m.ticket_id = {chat_ticket}
ORDER BY m.enviado_em DESC, m.id
LIMIT 50;
