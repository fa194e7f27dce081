-- title: client: crm.historico_cliente of itself (~1,000 events)
-- persona: history_client_user
-- goal: p95_ms 3
-- product
SELECT h.ocorrido_em, h.tipo, h.ticket_id, h.referencia_id, h.resumo
FROM crm.historico_cliente({history_client}) AS h;
-- baseline
SELECT e.ocorrido_em, e.tipo, e.ticket_id, e.referencia_id, e.resumo
FROM private.eventos_do_cliente({history_client}, NULL, NULL, 101, false) AS e
ORDER BY e.ocorrido_em DESC
LIMIT 100;
