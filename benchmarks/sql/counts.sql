-- Row counts of the generated data set, for the report.
SELECT 'crm.escritorios' AS tabela, count(*) AS n FROM crm.escritorios
UNION ALL SELECT 'crm.equipe', count(*) FROM crm.equipe
UNION ALL SELECT 'crm.clientes', count(*) FROM crm.clientes
UNION ALL SELECT 'crm.documentos', count(*) FROM crm.documentos
UNION ALL SELECT 'tickets.tickets', count(*) FROM tickets.tickets
UNION ALL SELECT 'tickets.ticket_comments', count(*) FROM tickets.ticket_comments
UNION ALL SELECT 'tickets.chat_mensagens', count(*) FROM tickets.chat_mensagens
UNION ALL SELECT 'balcao_virtual.sessoes_ativas', count(*) FROM balcao_virtual.sessoes_ativas
UNION ALL SELECT 'balcao_virtual.logs_conversas', count(*) FROM balcao_virtual.logs_conversas
UNION ALL SELECT 'realtime.messages', count(*) FROM realtime.messages;
