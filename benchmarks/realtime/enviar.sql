-- The `enviar` writer of benchmarks/realtime/bench.py (pgbench): tickets.enviar_mensagem in
-- one transaction per message, as PostgREST runs an RPC (claims and role transaction-local).
-- Connection 0 is the demo staff member, connection 1 the client. -D ticket, staff_claims,
-- client_claims. The message's payload carries enviado_em (the database clock at the write).
\set staff 1 - :client_id % 2
BEGIN;
SELECT
    pg_catalog.set_config(
        'request.jwt.claims', CASE WHEN :staff::integer = 1 THEN :staff_claims::text ELSE :client_claims::text END, true
    ),
    pg_catalog.set_config('role', 'authenticated', true);
SELECT tickets.enviar_mensagem(:ticket::uuid, 'Mensagem de carga');
COMMIT;
