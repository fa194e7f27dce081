-- Supabase compatibility layer, part 4: a search_path that closes temp-schema shadowing.
--
-- Why: 0003 pinned `search_path = ''` on the realtime functions that carry a SET clause. That
-- does not protect them: when pg_temp is not named in search_path, PostgreSQL looks in the
-- caller's temporary schema FIRST for relations and types, so a caller's `pg_temp.text` or
-- `pg_temp.uuid` domain (with a CHECK calling the caller's own function) would be used by a
-- cast inside the function - and announce_message() is SECURITY DEFINER, so that code would
-- run as the owner. Naming pg_temp explicitly LAST (PostgreSQL manual, "Writing SECURITY
-- DEFINER Functions Safely") makes pg_catalog win for every built-in name and leaves pg_temp
-- with nothing to shadow. Functions without a SET clause (auth.uid(), realtime.topic()) stay
-- as Supabase ships them: inlinable, resolved in the caller's context, never SECURITY DEFINER.
-- Versioned units are append-only, so this is an ALTER of what 0003 created.
-- (sqlfluff cannot parse a list value in ALTER FUNCTION ... SET: PRS is waived per line.)

ALTER FUNCTION realtime.send(jsonb, text, text, boolean)
SET search_path = pg_catalog, pg_temp; -- noqa: PRS
ALTER FUNCTION realtime.broadcast_changes(text, text, text, text, text, record, record, text)
SET search_path = pg_catalog, pg_temp; -- noqa: PRS
ALTER FUNCTION realtime.announcement(realtime.messages)
SET search_path = pg_catalog, pg_temp; -- noqa: PRS
ALTER FUNCTION realtime.announce_message()
SET search_path = pg_catalog, pg_temp; -- noqa: PRS
