-- title: staff: open tickets of their office, newest 50
-- persona: big_office_staff
-- goal: ratio 1.3
-- product
SELECT t.id, t.numero, t.titulo, t.created_at
FROM tickets.tickets AS t
WHERE t.status = 'aberto'
ORDER BY t.created_at DESC
LIMIT 50;
-- baseline
SELECT t.id, t.numero, t.titulo, t.created_at
FROM tickets.tickets AS t
WHERE t.escritorio_id = {big_office} AND t.status = 'aberto'
ORDER BY t.created_at DESC
LIMIT 50;
