-- Rollback of 0008_equipe_nome_exibicao.

ALTER TABLE crm.equipe DROP COLUMN nome_exibicao;
