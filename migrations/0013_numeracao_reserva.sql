-- 0013_numeracao_reserva: tickets.numeracao counts only tickets that landed.
--
-- Until now the BEFORE INSERT numbering trigger incremented the office's counter for every row
-- it saw, so a statement that ran it and then inserted nothing (INSERT ... ON CONFLICT DO
-- NOTHING on an existing id) consumed a number and left a gap. The trigger now only reserves
-- (row lock + next number) and an AFTER INSERT statement trigger advances the counter for the
-- rows really inserted (triggers/10_tickets.sql). The table is unchanged; its description is.

COMMENT ON TABLE tickets.numeracao IS
'Per-office ticket counter: the highest numero of a ticket that was really inserted. The numbering trigger '
'row-locks it until commit (gap-free and duplicate-free numero under concurrency) and only inserted rows advance it.';
COMMENT ON COLUMN tickets.numeracao.ultimo_numero IS
'Highest numero of an inserted (committed or in-flight) ticket of the office; 0 = none yet. '
'A statement that inserts no row (ON CONFLICT) leaves it unchanged.';
