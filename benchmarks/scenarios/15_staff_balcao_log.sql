-- title: staff: the log of a long Balcão session of their office
-- persona: long_session_staff_user
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
