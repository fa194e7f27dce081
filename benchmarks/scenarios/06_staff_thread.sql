-- title: staff: comments of a typical ticket of their office
-- persona: big_office_staff
-- goal: ratio 1.3
-- product
SELECT c.id, c.autor_tipo, c.conteudo, c.interno, c.created_at
FROM tickets.ticket_comments AS c
WHERE c.ticket_id = {typical_ticket}
ORDER BY c.created_at, c.id;
-- baseline
SELECT c.id, c.autor_tipo, c.conteudo, c.interno, c.created_at
FROM tickets.ticket_comments AS c
WHERE c.ticket_id = {typical_ticket}
ORDER BY c.created_at, c.id;
