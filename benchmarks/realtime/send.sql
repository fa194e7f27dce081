-- The `send` writer of benchmarks/realtime/bench.py (pgbench): one autocommit realtime.send of
-- a bare payload stamped with the database clock, to measure delivery alone. -D topic.
SELECT realtime.send(
    pg_catalog.jsonb_build_object('enviado_em', pg_catalog.clock_timestamp(), 'writer', :client_id::integer),
    'mensagem', :topic, true
);
