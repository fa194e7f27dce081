-- Rollback of compat part 4: back to the empty search_path 0003 set.

ALTER FUNCTION realtime.announce_message() SET search_path = '';
ALTER FUNCTION realtime.announcement(realtime.messages) SET search_path = '';
ALTER FUNCTION realtime.broadcast_changes(text, text, text, text, text, record, record, text)
SET search_path = '';
ALTER FUNCTION realtime.send(jsonb, text, text, boolean) SET search_path = '';
