-- Rollback of the Supabase compatibility layer, part 4: role settings and owner roles.
--
-- Deliberately a no-op, for the reason given in 0001_roles.rollback.sql: roles, their
-- attributes and their cluster-wide settings are shared by every database of the cluster that
-- received the layer, and are not part of this database's catalog. Reverting them here would
-- change the other databases. Remove them by hand, cluster-wide, once no database uses them.
DO $$
BEGIN
    NULL;  -- roles, attributes and settings are kept on purpose, see above
END
$$;
