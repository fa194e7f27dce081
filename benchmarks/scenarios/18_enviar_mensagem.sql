-- title: client: one tickets.enviar_mensagem call (latency; throughput: pgbench below)
-- persona: history_client_user
-- goal: none
-- rows: differ
-- product
SELECT tickets.enviar_mensagem({history_ticket}, 'Mensagem de carga');
-- baseline
WITH m AS (
    INSERT INTO bench.messages_plain (id, topic, extension, event, payload, private)
    VALUES (gen_random_uuid(), 'ticket:' || {history_ticket}, 'broadcast', 'mensagem',
            jsonb_build_object('conteudo', 'Mensagem de carga'), true)
    RETURNING id
)
INSERT INTO bench.chat_plain (id, ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, enviado_em)
SELECT m.id, {history_ticket}, {big_office}, {history_client_user}, 'cliente', 'Mensagem de carga', clock_timestamp()
FROM m;
