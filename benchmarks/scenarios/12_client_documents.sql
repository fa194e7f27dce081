-- title: client: newest 50 of its documents
-- persona: big_client_user
-- goal: ratio 1.3
-- product
SELECT d.id, d.nome_arquivo, d.created_at
FROM crm.documentos AS d
ORDER BY d.created_at DESC
LIMIT 50;
-- baseline
SELECT d.id, d.nome_arquivo, d.created_at
FROM crm.documentos AS d
WHERE d.cliente_id = {big_client}
ORDER BY d.created_at DESC
LIMIT 50;
