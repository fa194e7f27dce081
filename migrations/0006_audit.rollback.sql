-- Rollback of 0006_audit: drop audit.eventos.
--
-- CASCADE because repeatable units built on it would otherwise block the drop; the next apply
-- re-creates them. Indexes, the identity sequence, constraints, comments, grants and RLS go
-- with the table.

DROP TABLE audit.eventos CASCADE;
