-- Baseline of enviar_mensagem: the same two rows (broadcast + archive, same id) inserted
-- directly into trigger-free copies of realtime.messages and tickets.chat_mensagens, with the
-- same per-transaction claims setting.
\set n random(1, 200)
BEGIN;
SELECT set_config('request.jwt.claims', json_build_object('sub', r.user_id, 'role', 'authenticated')::text, true)
FROM bench.remetentes AS r WHERE r.n = :n;
WITH r AS (
    SELECT gen_random_uuid() AS id, clock_timestamp() AS em, r.* FROM bench.remetentes AS r WHERE r.n = :n
), m AS (
    INSERT INTO bench.messages_plain (id, topic, extension, event, payload, private)
    SELECT r.id, 'ticket:' || r.ticket_id, 'broadcast', 'mensagem',
           jsonb_build_object('id', r.id, 'ticket_id', r.ticket_id, 'autor_id', r.user_id,
                              'conteudo', 'Mensagem de carga', 'enviado_em', r.em), true
    FROM r
)
INSERT INTO bench.chat_plain (id, ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, enviado_em)
SELECT r.id, r.ticket_id, r.escritorio_id, r.user_id, 'cliente', 'Mensagem de carga', r.em FROM r;
COMMIT;
