-- Rollback of 0013_numeracao_reserva: the descriptions 0004_tickets gave tickets.numeracao.

COMMENT ON TABLE tickets.numeracao IS
'Per-office ticket counter: the last numero handed out. Incremented by an upsert that row-locks the '
'office''s counter until commit, making tickets.numero gap-free and duplicate-free under concurrency.';
COMMENT ON COLUMN tickets.numeracao.ultimo_numero IS
'Last numero given to a committed or in-flight ticket of the office; 0 = none yet.';
