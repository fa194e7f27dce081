-- Rollback of 0003_balcao_virtual: drop the front-desk tables, reverse creation order.
--
-- CASCADE because repeatable units built on these tables (functions, triggers, policies on
-- other tables that query them) would otherwise block the drop; the next apply re-creates
-- them. 0004 (which links tickets and comments here) has already been rolled back, as
-- rollbacks run newest first. Indexes, the identity sequence, constraints, comments, grants
-- and RLS go with their tables.

DROP TABLE balcao_virtual.logs_conversas CASCADE;

DROP TABLE balcao_virtual.sessoes_ativas CASCADE;
