-- Rollback of 0001_schemas: drop the domain schemas, newest first.
--
-- Rollbacks run newest first, so 0002..0006 have already dropped their tables. CASCADE takes
-- what the repeatable units (functions/, triggers/, policies/) built inside these schemas,
-- e.g. the SECURITY DEFINER helpers in private; the next apply re-creates them. Dropping a
-- schema also drops its ACL, so the grants of the forward file need no separate REVOKE.

DROP SCHEMA private CASCADE;

DROP SCHEMA audit CASCADE;

DROP SCHEMA balcao_virtual CASCADE;

DROP SCHEMA tickets CASCADE;

DROP SCHEMA crm CASCADE;
