-- 0002_crm: offices (the tenants), their staff and their clients.
--
-- Tenancy rule for the whole domain: every tenant row carries escritorio_id, and a link from
-- one tenant table to another is a composite foreign key (escritorio_id, x_id) ->
-- (escritorio_id, id). A row therefore can never point into another office. The referenced
-- tables carry UNIQUE (escritorio_id, id) ("tenant key") as the target of those keys.
--
-- Links to auth.users are plain foreign keys. Value sets are text + named CHECK constraints
-- (not enums: adding a value is an ALTER of one constraint, inside a transaction). "Never
-- blank" is CHECK (col ~ '\S'): at least one non-whitespace character (btrim() would accept
-- a text of newlines or tabs). Configurable limits (maximum lengths) are not checked here but
-- in functions/ and triggers/, which read them from the rendered settings.
--
-- Every table enables row level security here, in the migration that creates it: with RLS on
-- and no policy yet, API roles see and change nothing (safe default). policies/ adds the rules.
-- RLS is enabled, not forced: SECURITY DEFINER functions running as the owner bypass it.
--
-- Table privileges are granted here, table by table, after a REVOKE that makes the result
-- independent of any default privileges. authenticated gets the most a persona may ever do on
-- the table; RLS and triggers narrow it per row. No DELETE for authenticated anywhere: state
-- changes instead. anon gets nothing. service_role (BYPASSRLS) gets ALL.

-- =============================================================================================
-- crm.escritorios
-- =============================================================================================

-- Why: the tenant root: one row per professional office. Every other tenant row hangs off it.
CREATE TABLE crm.escritorios (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    nome text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT escritorios_pkey PRIMARY KEY (id),
    CONSTRAINT escritorios_nome_check CHECK (nome ~ '\S')
);

COMMENT ON TABLE crm.escritorios IS
'Tenant root: one row per professional office. Every tenant row in the domain carries its id as escritorio_id.';
COMMENT ON COLUMN crm.escritorios.id IS 'Office id; the escritorio_id of every tenant row (contract).';
COMMENT ON COLUMN crm.escritorios.nome IS 'Display name of the office (contract); never blank.';
COMMENT ON COLUMN crm.escritorios.created_at IS 'When the office was registered.';
COMMENT ON COLUMN crm.escritorios.updated_at IS 'Last change; maintained by a trigger (triggers/).';
COMMENT ON CONSTRAINT escritorios_nome_check ON crm.escritorios IS 'An office name is never blank.';

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE crm.escritorios ENABLE ROW LEVEL SECURITY;

-- Why: staff and clients read the name of their own office (RLS decides which); only service_role
-- creates or renames offices.
REVOKE ALL ON TABLE crm.escritorios FROM public, anon, authenticated, service_role;
GRANT SELECT ON TABLE crm.escritorios TO authenticated;
GRANT ALL ON TABLE crm.escritorios TO service_role;

-- =============================================================================================
-- crm.equipe
-- =============================================================================================

-- Why: staff membership: which auth user works for which office, in which role. Policies resolve
-- "is the caller active staff of office X" from here (through private helpers).
CREATE TABLE crm.equipe (
    escritorio_id uuid NOT NULL,
    user_id uuid NOT NULL,
    papel text NOT NULL DEFAULT 'atendente',
    ativo boolean NOT NULL DEFAULT TRUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT equipe_pkey PRIMARY KEY (escritorio_id, user_id),
    CONSTRAINT equipe_escritorio_fkey FOREIGN KEY (escritorio_id)
    REFERENCES crm.escritorios (id),
    -- A deleted auth user loses the membership; tickets and sessions assigned to them are
    -- unassigned by their own ON DELETE SET NULL (responsavel_id / atendente_id).
    CONSTRAINT equipe_user_fkey FOREIGN KEY (user_id)
    REFERENCES auth.users (id) ON DELETE CASCADE,
    CONSTRAINT equipe_papel_check CHECK (papel IN ('atendente', 'supervisor', 'admin'))
);

COMMENT ON TABLE crm.equipe IS
'Staff of an office: (escritorio_id, user_id) membership with a role. Inactive members (ativo = false) '
'keep their history but are no longer staff for policies. Target of staff links (responsavel_id, atendente_id).';
COMMENT ON COLUMN crm.equipe.escritorio_id IS 'Office the member works for (contract).';
COMMENT ON COLUMN crm.equipe.user_id IS 'The member''s login, auth.users.id (contract).';
COMMENT ON COLUMN crm.equipe.papel IS 'Role in the office: atendente, supervisor or admin (contract).';
COMMENT ON COLUMN crm.equipe.created_at IS 'When the membership was created.';
COMMENT ON COLUMN crm.equipe.updated_at IS 'Last change; maintained by a trigger (triggers/).';
COMMENT ON COLUMN crm.equipe.ativo IS
'Active staff (contract). Deactivate instead of deleting: assignments and history stay valid.';
COMMENT ON CONSTRAINT equipe_papel_check ON crm.equipe IS 'papel is one of atendente, supervisor, admin.';

-- Why: membership lookup by the caller: policies ask "offices where user_id = (select auth.uid())",
-- also the index of the foreign key to auth.users. (escritorio_id, ...) is served by the PK.
CREATE INDEX equipe_user_id_idx ON crm.equipe (user_id);

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE crm.equipe ENABLE ROW LEVEL SECURITY;

-- Why: staff read their office's roster; membership changes are administrative (service_role).
REVOKE ALL ON TABLE crm.equipe FROM public, anon, authenticated, service_role;
GRANT SELECT ON TABLE crm.equipe TO authenticated;
GRANT ALL ON TABLE crm.equipe TO service_role;

-- =============================================================================================
-- crm.clientes
-- =============================================================================================

-- Why: a client of one office. user_id links the portal login: it is how "the caller is this
-- client" is resolved (user_id = auth.uid()), so one login is one client in one office.
CREATE TABLE crm.clientes (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    escritorio_id uuid NOT NULL,
    user_id uuid,
    nome text NOT NULL,
    email text,
    documento text,
    telefone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clientes_pkey PRIMARY KEY (id),
    CONSTRAINT clientes_tenant_key UNIQUE (escritorio_id, id),
    CONSTRAINT clientes_user_id_key UNIQUE (user_id),
    CONSTRAINT clientes_escritorio_fkey FOREIGN KEY (escritorio_id)
    REFERENCES crm.escritorios (id),
    -- Deleting the login keeps the client record (and its history); it just loses portal access.
    CONSTRAINT clientes_user_fkey FOREIGN KEY (user_id)
    REFERENCES auth.users (id) ON DELETE SET NULL,
    CONSTRAINT clientes_nome_check CHECK (nome ~ '\S')
);

COMMENT ON TABLE crm.clientes IS
'Clients of an office. user_id (nullable, unique) is the portal login: tenant derivation reads '
'escritorio_id and id from here where user_id = auth.uid().';
COMMENT ON COLUMN crm.clientes.id IS 'Client id (contract).';
COMMENT ON COLUMN crm.clientes.escritorio_id IS 'Office the client belongs to (contract); never changes.';
COMMENT ON COLUMN crm.clientes.user_id IS
'Portal login, auth.users.id (contract); null when the client has no login. Unique: one login, one client.';
COMMENT ON COLUMN crm.clientes.nome IS 'Client name (contract); never blank.';
COMMENT ON COLUMN crm.clientes.email IS 'Contact e-mail (contract).';
COMMENT ON COLUMN crm.clientes.documento IS 'Tax or identity document, e.g. CPF/CNPJ (contract).';
COMMENT ON COLUMN crm.clientes.telefone IS 'Contact phone (contract).';
COMMENT ON COLUMN crm.clientes.created_at IS 'When the client was registered (contract).';
COMMENT ON COLUMN crm.clientes.updated_at IS 'Last change; maintained by a trigger (triggers/).';
COMMENT ON CONSTRAINT clientes_tenant_key ON crm.clientes IS
'Tenant key: target of the composite foreign keys (escritorio_id, cliente_id) of tickets, sessions and documents.';
COMMENT ON CONSTRAINT clientes_user_id_key ON crm.clientes IS 'One portal login belongs to at most one client.';
COMMENT ON CONSTRAINT clientes_nome_check ON crm.clientes IS 'A client name is never blank.';

-- Indexes: the tenant key (escritorio_id, id) serves the office foreign key and office lists,
-- clientes_user_id_key serves the login lookup and the auth.users foreign key.

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE crm.clientes ENABLE ROW LEVEL SECURITY;

-- Why: a client reads and edits its own record, staff those of their office (RLS + triggers decide
-- which rows and columns); creating clients is administrative (service_role).
REVOKE ALL ON TABLE crm.clientes FROM public, anon, authenticated, service_role;
GRANT SELECT, UPDATE ON TABLE crm.clientes TO authenticated;
GRANT ALL ON TABLE crm.clientes TO service_role;
