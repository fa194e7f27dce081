-- Rollback of 0002_crm: drop the CRM tables, reverse creation order.
--
-- CASCADE because repeatable units built on these tables (functions whose signatures use
-- their row types, policies on other tables that query them) would otherwise block the drop:
-- they are re-created by the next apply. Later migrations (0003..0006) have already been
-- rolled back (rollbacks run newest first), so no other migration's table is affected.
-- Indexes, constraints, comments, grants and RLS go with their tables.

DROP TABLE crm.clientes CASCADE;

DROP TABLE crm.equipe CASCADE;

DROP TABLE crm.escritorios CASCADE;
