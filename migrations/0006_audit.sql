-- 0006_audit: the append-only audit trail.
--
-- Audit triggers (triggers/) record inserts, updates and deletes of clientes, tickets,
-- comments, documentos and sessions here, with the acting user. Tenancy, RLS and grant
-- conventions: see 0002_crm.sql; this table differs on purpose as described below.

-- =============================================================================================
-- audit.eventos
-- =============================================================================================

-- Why: one row per audited row change. Deliberately no foreign keys: the trail must survive the
-- deletion of what it describes (the office, the row, the acting login). escritorio_id is a
-- plain nullable copy that lets a later read path show an office its own trail.
-- Append-only: no role is granted UPDATE, DELETE or TRUNCATE (service_role included); the
-- writers are SECURITY DEFINER trigger functions, which insert as the table owner.
CREATE TABLE audit.eventos (
    id bigint GENERATED ALWAYS AS IDENTITY,
    ocorrido_em timestamptz NOT NULL DEFAULT now(),
    ator_id uuid,
    ator_papel text,
    tabela text NOT NULL,
    operacao text NOT NULL,
    registro_id text,
    dados_antes jsonb,
    dados_depois jsonb,
    escritorio_id uuid,
    CONSTRAINT eventos_pkey PRIMARY KEY (id),
    CONSTRAINT eventos_tabela_check CHECK (tabela ~ '\S'),
    CONSTRAINT eventos_operacao_check CHECK (operacao IN ('INSERT', 'UPDATE', 'DELETE')),
    -- An INSERT has no before image and a DELETE no after image.
    CONSTRAINT eventos_imagens_check CHECK (
        (operacao <> 'INSERT' OR dados_antes IS NULL) AND (operacao <> 'DELETE' OR dados_depois IS NULL)
    )
);

COMMENT ON TABLE audit.eventos IS
'Append-only audit trail: one row per insert, update or delete of an audited row, with the actor. '
'No foreign keys (it outlives what it describes); nobody, service_role included, may update or delete it.';
COMMENT ON COLUMN audit.eventos.id IS 'Event id (contract); identity, increasing in insertion order.';
COMMENT ON COLUMN audit.eventos.ocorrido_em IS 'When it happened (contract): the transaction time of the change.';
COMMENT ON COLUMN audit.eventos.ator_id IS
'Acting login, auth.uid() at the time (contract); null for service_role or maintenance.';
COMMENT ON COLUMN audit.eventos.ator_papel IS 'Acting role (contract), e.g. the request role or the staff papel.';
COMMENT ON COLUMN audit.eventos.tabela IS 'Schema-qualified table of the changed row (contract), e.g. tickets.tickets.';
COMMENT ON COLUMN audit.eventos.operacao IS 'INSERT, UPDATE or DELETE (contract).';
COMMENT ON COLUMN audit.eventos.registro_id IS 'Key of the changed row as text (contract); text so composite keys fit.';
COMMENT ON COLUMN audit.eventos.dados_antes IS 'Row before the change (contract); null for INSERT.';
COMMENT ON COLUMN audit.eventos.dados_depois IS 'Row after the change (contract); null for DELETE.';
COMMENT ON COLUMN audit.eventos.escritorio_id IS
'Office of the changed row, when it has one; no FK, so it survives the office.';
COMMENT ON CONSTRAINT eventos_tabela_check ON audit.eventos IS 'The audited table is always named.';
COMMENT ON CONSTRAINT eventos_operacao_check ON audit.eventos IS 'operacao is INSERT, UPDATE or DELETE.';
COMMENT ON CONSTRAINT eventos_imagens_check ON audit.eventos IS
'An INSERT has no before image (dados_antes) and a DELETE no after image (dados_depois).';

-- Why: an office's trail newest first (admin read path, retention jobs).
CREATE INDEX eventos_escritorio_ocorrido_idx ON audit.eventos (escritorio_id, ocorrido_em DESC);

-- Why: the history of one row.
CREATE INDEX eventos_tabela_registro_idx ON audit.eventos (tabela, registro_id);

-- Why: RLS on with no policy: even if a grant to authenticated is added by mistake, API users see
-- nothing until a policy says otherwise. service_role bypasses RLS.
ALTER TABLE audit.eventos ENABLE ROW LEVEL SECURITY;

-- Why: service_role reads and may append (e.g. events of backend jobs); no UPDATE, DELETE,
-- TRUNCATE, REFERENCES or TRIGGER for anyone. authenticated and anon: nothing.
-- Inserting into an identity column needs no sequence privilege; USAGE, SELECT on the
-- sequence is for tooling (currval). No UPDATE: setval could rewind the ids.
REVOKE ALL ON TABLE audit.eventos FROM public, anon, authenticated, service_role;
GRANT SELECT, INSERT ON TABLE audit.eventos TO service_role;
GRANT USAGE, SELECT ON SEQUENCE audit.eventos_id_seq TO service_role;
