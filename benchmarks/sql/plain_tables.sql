-- Baseline tables: the same shape and indexes as the product's tables, but no triggers, no
-- RLS and no foreign keys. "The same rows inserted directly without triggers" go here.
CREATE TABLE bench.tickets_plain (LIKE tickets.tickets INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
CREATE TABLE bench.comments_plain (
    LIKE tickets.ticket_comments INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES
);
CREATE TABLE bench.chat_plain (LIKE tickets.chat_mensagens INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
CREATE TABLE bench.messages_plain (LIKE realtime.messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);

-- The throughput scripts run as authenticated: they read their sender from bench.remetentes.
GRANT USAGE ON SCHEMA bench TO authenticated;
GRANT SELECT ON bench.remetentes TO authenticated;
