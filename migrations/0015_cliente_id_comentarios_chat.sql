-- 0015_cliente_id_comentarios_chat: the ticket's client on every comment and chat message.
--
-- Why (issue 9, performance): "the caller is this ticket's client" was a lookup of every ticket
-- of the client (private.tickets_do_cliente(), 3,000 heap fetches for a big client) followed
-- by `ticket_id = ANY(<3,000 ids>)` on every row read: 50-200x the hand-written query. With the
-- client's id on the row, the client policies compare one column to one value, once per row.
-- The value is never trusted: a composite foreign key ties (cliente_id, escritorio_id,
-- ticket_id) to the ticket's own (cliente_id, escritorio_id, id) (tickets_cliente_tenant_key),
-- and the BEFORE INSERT triggers fill it from the ticket (triggers/11_comments.sql,
-- triggers/12_chat.sql). Nullable (ARCHITECTURE section 5: added columns are nullable or have
-- defaults); a row without it is simply invisible to clients (fails closed).
--
-- Online safety (.squawk.toml): the keys are added NOT VALID (no long lock while existing rows
-- are checked; new rows are checked at once) and validated, with their indexes built
-- CONCURRENTLY, by the non-transactional unit 0016.

-- Why: see the header. Backfilled from the ticket before the key is added.
ALTER TABLE tickets.ticket_comments ADD COLUMN cliente_id uuid;

UPDATE tickets.ticket_comments AS c
SET cliente_id = t.cliente_id
FROM tickets.tickets AS t
WHERE t.id = c.ticket_id;

ALTER TABLE tickets.ticket_comments
ADD CONSTRAINT ticket_comments_cliente_ticket_fkey FOREIGN KEY (cliente_id, escritorio_id, ticket_id)
REFERENCES tickets.tickets (cliente_id, escritorio_id, id) ON DELETE CASCADE NOT VALID;

COMMENT ON COLUMN tickets.ticket_comments.cliente_id IS
'Client of the comment''s ticket (derived by trigger, checked by ticket_comments_cliente_ticket_fkey); the key of '
'the client read policy.';
COMMENT ON CONSTRAINT ticket_comments_cliente_ticket_fkey ON tickets.ticket_comments IS
'cliente_id is the ticket''s own client (same office, same ticket).';

-- Why: see the header; same for the chat archive.
ALTER TABLE tickets.chat_mensagens ADD COLUMN cliente_id uuid;

UPDATE tickets.chat_mensagens AS m
SET cliente_id = t.cliente_id
FROM tickets.tickets AS t
WHERE t.id = m.ticket_id;

ALTER TABLE tickets.chat_mensagens
ADD CONSTRAINT chat_mensagens_cliente_ticket_fkey FOREIGN KEY (cliente_id, escritorio_id, ticket_id)
REFERENCES tickets.tickets (cliente_id, escritorio_id, id) ON DELETE CASCADE NOT VALID;

COMMENT ON COLUMN tickets.chat_mensagens.cliente_id IS
'Client of the message''s ticket (derived, checked by chat_mensagens_cliente_ticket_fkey); the key of the client '
'read policy.';
COMMENT ON CONSTRAINT chat_mensagens_cliente_ticket_fkey ON tickets.chat_mensagens IS
'cliente_id is the ticket''s own client (same office, same ticket).';
