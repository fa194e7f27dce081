-- Rollback of 0001_schemas: drop the domain schemas, newest first.
--
-- Rollbacks run newest first, so 0002..0006 have already dropped their tables. CASCADE takes
-- what the repeatable units (functions/, triggers/, policies/) built inside these schemas,
-- e.g. the SECURITY DEFINER helpers in private; the next apply re-creates them. Dropping a
-- schema also drops its ACL, so the grants of the forward file need no separate REVOKE.

drop schema private cascade;

drop schema audit cascade;

drop schema balcao_virtual cascade;

drop schema tickets cascade;

drop schema crm cascade;
