-- title: client (3,000 tickets): count(*) of its tickets
-- persona: big_client_user
-- goal: ratio 1.3
-- product
SELECT count(*) FROM tickets.tickets;
-- baseline
SELECT count(*) FROM tickets.tickets AS t WHERE t.cliente_id = {big_client};
