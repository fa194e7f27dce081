-- Rollback of 0009_balcao_id_externo_indice.

DROP INDEX balcao_virtual.logs_conversas_sessao_id_externo_key;
