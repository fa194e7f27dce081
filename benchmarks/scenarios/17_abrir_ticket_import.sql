-- title: client: tickets.abrir_ticket with a 200-line Balcão import
-- persona: import_client_user
-- goal: ratio 2.0
-- rows: differ
-- product
SELECT (tickets.abrir_ticket('Chamado de carga', 'Aberto durante a sessão do Balcão')).id;
-- baseline
WITH novo AS (
    INSERT INTO bench.tickets_plain (id, escritorio_id, cliente_id, numero, titulo, descricao, criado_por)
    SELECT gen_random_uuid(), s.escritorio_id, s.cliente_id, 1000000000, 'Chamado de carga',
           'Aberto durante a sessão do Balcão', c.user_id
    FROM balcao_virtual.sessoes_ativas AS s
    INNER JOIN crm.clientes AS c ON c.id = s.cliente_id
    WHERE s.id = {import_session}
    RETURNING id, escritorio_id, criado_por
)
INSERT INTO bench.comments_plain (
    ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, interno, origem, balcao_log_id, created_at
)
SELECT n.id, n.escritorio_id,
       CASE WHEN l.autor_tipo = 'cliente' THEN n.criado_por END,
       CASE l.autor_tipo WHEN 'cliente' THEN 'cliente' WHEN 'atendente' THEN 'equipe' ELSE 'sistema' END,
       l.mensagem, false, 'balcao_virtual', l.id, l.enviado_em
FROM novo AS n
INNER JOIN balcao_virtual.logs_conversas AS l ON l.sessao_id = {import_session}
ORDER BY l.id;
