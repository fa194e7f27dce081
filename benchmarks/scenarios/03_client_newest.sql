-- title: client (3,000 tickets): newest 50 of its tickets
-- persona: big_client_user
-- goal: ratio 1.3
-- product
SELECT t.id, t.numero, t.titulo, t.status, t.created_at
FROM tickets.tickets AS t
ORDER BY t.created_at DESC
LIMIT 50;
-- baseline
SELECT t.id, t.numero, t.titulo, t.status, t.created_at
FROM tickets.tickets AS t
WHERE t.cliente_id = {big_client}
ORDER BY t.created_at DESC
LIMIT 50;
