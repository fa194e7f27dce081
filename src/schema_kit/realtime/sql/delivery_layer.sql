-- Whether this database has the local delivery layer the hub reads through (compat 0005's
-- announcements and 0010's realtime.read_as_subscribers): absent on Supabase and on a
-- database the compat layer was never applied to.
SELECT pg_catalog.to_regprocedure('realtime.read_as_subscribers(jsonb)') IS NOT NULL
