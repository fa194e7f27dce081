-- Rollback of 0005_crm_documentos: drop crm.documentos.
--
-- CASCADE because repeatable units built on it (e.g. crm.historico_cliente, policies) would
-- otherwise block the drop; the next apply re-creates them. Indexes, constraints, comments,
-- grants and RLS go with the table.

DROP TABLE crm.documentos CASCADE;
