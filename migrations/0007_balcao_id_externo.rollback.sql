-- Rollback of 0007_balcao_id_externo: the column.

ALTER TABLE balcao_virtual.logs_conversas DROP COLUMN id_externo;
