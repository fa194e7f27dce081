-- 0002_crm: offices (the tenants), their staff and their clients.
--
-- Tenancy rule for the whole domain: every tenant row carries escritorio_id, and a link from
-- one tenant table to another is a composite foreign key (escritorio_id, x_id) ->
-- (escritorio_id, id). A row therefore can never point into another office. The referenced
-- tables carry UNIQUE (escritorio_id, id) ("tenant key") as the target of those keys.
--
-- Links to auth.users are plain foreign keys. Value sets are text + named CHECK constraints
-- (not enums: adding a value is an ALTER of one constraint, inside a transaction).
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

-- The tenant root: one row per professional office. Every other tenant row hangs off it.
create table crm.escritorios (
    id uuid not null default gen_random_uuid(),
    nome text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint escritorios_pkey primary key (id),
    constraint escritorios_nome_check check (btrim(nome) <> '')
);

comment on table crm.escritorios is
'Tenant root: one row per professional office. Every tenant row in the domain carries its id as escritorio_id.';
comment on column crm.escritorios.id is 'Office id; the escritorio_id of every tenant row (contract).';
comment on column crm.escritorios.nome is 'Display name of the office (contract); never blank.';
comment on column crm.escritorios.created_at is 'When the office was registered.';
comment on column crm.escritorios.updated_at is 'Last change; maintained by a trigger (triggers/).';
comment on constraint escritorios_nome_check on crm.escritorios is 'An office name is never blank.';

alter table crm.escritorios enable row level security;

-- Staff and clients read the name of their own office (RLS decides which); only service_role
-- creates or renames offices.
revoke all on table crm.escritorios from public, anon, authenticated, service_role;
grant select on table crm.escritorios to authenticated;
grant all on table crm.escritorios to service_role;

-- =============================================================================================
-- crm.equipe
-- =============================================================================================

-- Staff membership: which auth user works for which office, in which role. Policies resolve
-- "is the caller active staff of office X" from here (through private helpers).
create table crm.equipe (
    escritorio_id uuid not null,
    user_id uuid not null,
    papel text not null default 'atendente',
    ativo boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint equipe_pkey primary key (escritorio_id, user_id),
    constraint equipe_escritorio_fkey foreign key (escritorio_id)
    references crm.escritorios (id),
    -- A deleted auth user loses the membership; tickets and sessions assigned to them are
    -- unassigned by their own ON DELETE SET NULL (responsavel_id / atendente_id).
    constraint equipe_user_fkey foreign key (user_id)
    references auth.users (id) on delete cascade,
    constraint equipe_papel_check check (papel in ('atendente', 'supervisor', 'admin'))
);

comment on table crm.equipe is
'Staff of an office: (escritorio_id, user_id) membership with a role. Inactive members (ativo = false) '
'keep their history but are no longer staff for policies. Target of staff links (responsavel_id, atendente_id).';
comment on column crm.equipe.escritorio_id is 'Office the member works for (contract).';
comment on column crm.equipe.user_id is 'The member''s login, auth.users.id (contract).';
comment on column crm.equipe.papel is 'Role in the office: atendente, supervisor or admin (contract).';
comment on column crm.equipe.ativo is
'Active staff (contract). Deactivate instead of deleting: assignments and history stay valid.';
comment on constraint equipe_papel_check on crm.equipe is 'papel is one of atendente, supervisor, admin.';

-- Membership lookup by the caller: policies ask "offices where user_id = (select auth.uid())";
-- also the index of the foreign key to auth.users. (escritorio_id, ...) is served by the PK.
create index equipe_user_id_idx on crm.equipe (user_id);

alter table crm.equipe enable row level security;

-- Staff read their office's roster; membership changes are administrative (service_role).
revoke all on table crm.equipe from public, anon, authenticated, service_role;
grant select on table crm.equipe to authenticated;
grant all on table crm.equipe to service_role;

-- =============================================================================================
-- crm.clientes
-- =============================================================================================

-- A client of one office. user_id links the portal login: it is how "the caller is this
-- client" is resolved (user_id = auth.uid()), so one login is one client in one office.
create table crm.clientes (
    id uuid not null default gen_random_uuid(),
    escritorio_id uuid not null,
    user_id uuid,
    nome text not null,
    email text,
    documento text,
    telefone text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint clientes_pkey primary key (id),
    constraint clientes_tenant_key unique (escritorio_id, id),
    constraint clientes_user_id_key unique (user_id),
    constraint clientes_escritorio_fkey foreign key (escritorio_id)
    references crm.escritorios (id),
    -- Deleting the login keeps the client record (and its history); it just loses portal access.
    constraint clientes_user_fkey foreign key (user_id)
    references auth.users (id) on delete set null,
    constraint clientes_nome_check check (btrim(nome) <> '')
);

comment on table crm.clientes is
'Clients of an office. user_id (nullable, unique) is the portal login: tenant derivation reads '
'escritorio_id and id from here where user_id = auth.uid().';
comment on column crm.clientes.id is 'Client id (contract).';
comment on column crm.clientes.escritorio_id is 'Office the client belongs to (contract); never changes.';
comment on column crm.clientes.user_id is
'Portal login, auth.users.id (contract); null when the client has no login. Unique: one login, one client.';
comment on column crm.clientes.nome is 'Client name (contract); never blank.';
comment on column crm.clientes.email is 'Contact e-mail (contract).';
comment on column crm.clientes.documento is 'Tax or identity document, e.g. CPF/CNPJ (contract).';
comment on column crm.clientes.telefone is 'Contact phone (contract).';
comment on column crm.clientes.updated_at is 'Last change; maintained by a trigger (triggers/).';
comment on constraint clientes_tenant_key on crm.clientes is
'Tenant key: target of the composite foreign keys (escritorio_id, cliente_id) of tickets, sessions and documents.';
comment on constraint clientes_user_id_key on crm.clientes is 'One portal login belongs to at most one client.';
comment on constraint clientes_nome_check on crm.clientes is 'A client name is never blank.';

-- Indexes: the tenant key (escritorio_id, id) serves the office foreign key and office lists;
-- clientes_user_id_key serves the login lookup and the auth.users foreign key.

alter table crm.clientes enable row level security;

-- A client reads and edits its own record, staff those of their office (RLS + triggers decide
-- which rows and columns); creating clients is administrative (service_role).
revoke all on table crm.clientes from public, anon, authenticated, service_role;
grant select, update on table crm.clientes to authenticated;
grant all on table crm.clientes to service_role;
