-- Rollback of the Supabase compatibility layer, part 3 of 3: the `realtime` schema.
--
-- Drops exactly what 0003_realtime.sql created, in reverse order and without CASCADE: if a
-- domain object still depends on realtime (a policy on realtime.messages, a function calling
-- realtime.send), the rollback fails loudly instead of silently dropping it. Grants, comments,
-- the index and RLS settings disappear with their objects.

-- =============================================================================================
-- Local delivery
-- =============================================================================================

DROP TRIGGER announce_message ON realtime.messages;

DROP FUNCTION realtime.announce_message();

DROP FUNCTION realtime.announcement(realtime.messages);

-- =============================================================================================
-- SQL API
-- =============================================================================================

DROP FUNCTION realtime.broadcast_changes(text, text, text, text, text, record, record, text);

DROP FUNCTION realtime.send(jsonb, text, text, boolean);

DROP FUNCTION realtime.topic();

-- =============================================================================================
-- Messages
-- =============================================================================================

DROP TABLE realtime.messages_default;

DROP TABLE realtime.messages;

-- =============================================================================================
-- Schema
-- =============================================================================================

DROP SCHEMA realtime;
