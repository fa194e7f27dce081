-- Rollback of 0007_balcao_id_externo: the column and its unique index.

DROP INDEX balcao_virtual.logs_conversas_sessao_id_externo_key;
ALTER TABLE balcao_virtual.logs_conversas DROP COLUMN id_externo;
