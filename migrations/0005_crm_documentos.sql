-- 0005_crm_documentos: the clients' documents, optionally attached to one of their tickets.
--
-- After 0004 because of the ticket link. Tenancy, RLS and grant conventions: see 0002_crm.sql.

-- =============================================================================================
-- crm.documentos
-- =============================================================================================

-- Why: metadata of a file a client or staff member uploaded (the bytes live in object storage at
-- storage_path). A document belongs to one client and may be attached to one of that same
-- client's tickets: the ticket link is a three-column key (escritorio_id, cliente_id,
-- ticket_id), so it cannot point at another office nor at another client's ticket.
CREATE TABLE crm.documentos (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    escritorio_id uuid NOT NULL,
    cliente_id uuid NOT NULL,
    ticket_id uuid,
    nome_arquivo text NOT NULL,
    storage_path text NOT NULL,
    mime_type text,
    tamanho_bytes bigint,
    enviado_por uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT documentos_pkey PRIMARY KEY (id),
    -- The document's client is a client of the document's office.
    CONSTRAINT documentos_cliente_fkey FOREIGN KEY (escritorio_id, cliente_id)
    REFERENCES crm.clientes (escritorio_id, id),
    -- The attached ticket is a ticket of the same office and the same client (checked only
    -- when ticket_id is set); deleting the ticket detaches the document (only ticket_id is
    -- nulled) instead of deleting it.
    CONSTRAINT documentos_ticket_fkey FOREIGN KEY (escritorio_id, cliente_id, ticket_id)
    REFERENCES tickets.tickets (escritorio_id, cliente_id, id) ON DELETE SET NULL (ticket_id),
    -- The uploading login; the document stays when the login is deleted.
    CONSTRAINT documentos_enviado_por_fkey FOREIGN KEY (enviado_por)
    REFERENCES auth.users (id) ON DELETE SET NULL,
    CONSTRAINT documentos_nome_arquivo_check CHECK (nome_arquivo ~ '\S'),
    CONSTRAINT documentos_storage_path_check CHECK (storage_path ~ '\S'),
    CONSTRAINT documentos_tamanho_bytes_check CHECK (tamanho_bytes >= 0)
);

COMMENT ON TABLE crm.documentos IS
'Documents of a client (metadata; the file is in object storage at storage_path), optionally attached to '
'one of the same client''s tickets.';
COMMENT ON COLUMN crm.documentos.id IS 'Document id (contract).';
COMMENT ON COLUMN crm.documentos.escritorio_id IS 'Office (contract); the client''s office.';
COMMENT ON COLUMN crm.documentos.cliente_id IS 'Client the document belongs to (contract), of the same office.';
COMMENT ON COLUMN crm.documentos.ticket_id IS
'Ticket it is attached to (contract); null = not attached. Same office and client.';
COMMENT ON COLUMN crm.documentos.nome_arquivo IS 'Original file name (contract); never blank.';
COMMENT ON COLUMN crm.documentos.storage_path IS 'Object storage path of the file (contract); never blank.';
COMMENT ON COLUMN crm.documentos.mime_type IS 'MIME type as uploaded (contract).';
COMMENT ON COLUMN crm.documentos.tamanho_bytes IS 'Size in bytes (contract); not negative.';
COMMENT ON COLUMN crm.documentos.enviado_por IS
'Login that uploaded it, auth.users.id (contract); null once the login is deleted.';
COMMENT ON COLUMN crm.documentos.created_at IS 'Upload time (contract).';
COMMENT ON CONSTRAINT documentos_ticket_fkey ON crm.documentos IS
'A document attaches only to a ticket of the same office and the same client.';
COMMENT ON CONSTRAINT documentos_nome_arquivo_check ON crm.documentos IS 'A file name is never blank.';
COMMENT ON CONSTRAINT documentos_storage_path_check ON crm.documentos IS 'A storage path is never blank.';
COMMENT ON CONSTRAINT documentos_tamanho_bytes_check ON crm.documentos IS 'A size is never negative.';

-- Why: foreign key index for documentos_ticket_fkey; its leading columns (escritorio_id, cliente_id)
-- are also the index of documentos_cliente_fkey.
CREATE INDEX documentos_escritorio_cliente_ticket_idx ON crm.documentos (escritorio_id, cliente_id, ticket_id);

-- Why: a client's documents newest first (CRM history, keyset pagination).
CREATE INDEX documentos_cliente_created_idx ON crm.documentos (cliente_id, created_at DESC);

-- Why: the documents attached to a ticket. Partial: most documents are not attached.
CREATE INDEX documentos_ticket_id_idx ON crm.documentos (ticket_id) WHERE ticket_id IS NOT NULL;

-- Why: foreign key index for documentos_enviado_por_fkey (deleting a login).
CREATE INDEX documentos_enviado_por_idx ON crm.documentos (enviado_por);

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE crm.documentos ENABLE ROW LEVEL SECURITY;

-- Why: clients and staff list and upload documents (RLS decides whose); documents are never edited
-- or deleted through the API.
REVOKE ALL ON TABLE crm.documentos FROM public, anon, authenticated, service_role;
GRANT SELECT, INSERT ON TABLE crm.documentos TO authenticated;
GRANT ALL ON TABLE crm.documentos TO service_role;
