-- title: client: the log of one of its long Balcão sessions
-- persona: long_session_client_user
-- goal: ratio 1.3
-- product
SELECT l.id, l.autor_tipo, l.mensagem, l.enviado_em
FROM balcao_virtual.logs_conversas AS l
WHERE l.sessao_id = {long_session}
ORDER BY l.id;
-- baseline
SELECT l.id, l.autor_tipo, l.mensagem, l.enviado_em
FROM balcao_virtual.logs_conversas AS l
WHERE l.sessao_id = {long_session}
ORDER BY l.id;
