-- title: staff: documents attached to a ticket of their office
-- persona: big_office_staff
-- goal: ratio 1.3
-- product
SELECT d.id, d.nome_arquivo, d.created_at
FROM crm.documentos AS d
WHERE d.ticket_id = {big_thread_ticket};
-- baseline
SELECT d.id, d.nome_arquivo, d.created_at
FROM crm.documentos AS d
WHERE d.ticket_id = {big_thread_ticket};
