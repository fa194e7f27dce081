-- Rollback of the Supabase compatibility layer, part 1 of 3: the API roles.
--
-- Deliberately a no-op. Roles are cluster-wide, and every other database of this cluster that
-- received the compatibility layer (test databases cloned from a template, other environments)
-- still owns objects granted to anon, authenticated, service_role and authenticator; dropping
-- them here would fail or, worse, break those databases. Roles are not part of a database's
-- catalog (pg_dump --schema-only never shows them), so keeping them still restores this
-- database exactly. Drop them by hand, cluster-wide, once no database uses them.
DO $$
BEGIN
    NULL;  -- roles are kept on purpose, see above
END
$$;
