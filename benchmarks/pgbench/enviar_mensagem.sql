-- tickets.enviar_mensagem as PostgREST would call it: one transaction per message, the
-- sender's JWT claims and role set transaction-locally. Senders: bench.remetentes (a client
-- and staff members on 100 open tickets).
\set n random(1, 200)
BEGIN;
SELECT set_config('request.jwt.claims', json_build_object('sub', r.user_id, 'role', 'authenticated')::text, true)
FROM bench.remetentes AS r WHERE r.n = :n;
SET LOCAL ROLE authenticated;
SELECT tickets.enviar_mensagem(r.ticket_id, 'Mensagem de carga') FROM bench.remetentes AS r WHERE r.n = :n;
COMMIT;
