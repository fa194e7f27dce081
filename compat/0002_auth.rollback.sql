-- Rollback of the Supabase compatibility layer, part 2 of 3: the `auth` schema.
--
-- Drops exactly what 0002_auth.sql created, in reverse order and without CASCADE: if a
-- domain object still depends on auth (a foreign key to auth.users, a policy calling
-- auth.uid()), the rollback fails loudly instead of silently dropping it. Grants and comments
-- disappear with their objects.

-- =============================================================================================
-- JWT claim helpers
-- =============================================================================================

DROP FUNCTION auth.jwt();

DROP FUNCTION auth.email();

DROP FUNCTION auth.role();

DROP FUNCTION auth.uid();

-- =============================================================================================
-- Users
-- =============================================================================================

DROP TABLE auth.users;

-- =============================================================================================
-- Schema
-- =============================================================================================

DROP SCHEMA auth;
