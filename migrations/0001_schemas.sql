-- 0001_schemas: the domain's namespaces and who may enter them.
--
-- One schema per area keeps the privilege matrix readable: a role that has no USAGE on a
-- schema cannot reach anything inside it, whatever the table grants say. Table privileges and
-- row level security (later migrations, policies/) narrow access further.
--
-- Roles anon, authenticated and service_role come from the platform (Supabase) or from the
-- compatibility layer (compat/0001_roles.sql) on plain PostgreSQL.
-- New schemas grant nothing to PUBLIC; the REVOKEs below state it explicitly so that a
-- project with unusual defaults still ends up with exactly this matrix.

-- ---------------------------------------------------------------------------------------------
-- crm: offices, their staff, their clients and the clients' documents
-- ---------------------------------------------------------------------------------------------

-- Why: the office (tenant) catalog and everything the CRM knows about a client.
CREATE SCHEMA crm;

COMMENT ON SCHEMA crm IS
'CRM of the professional offices (escritorios): offices, staff (equipe), clients and documents. '
'Every tenant row carries escritorio_id; RLS decides which rows an API role sees.';

REVOKE ALL ON SCHEMA crm FROM public;
GRANT USAGE ON SCHEMA crm TO authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- tickets: support tickets, their comments and the durable chat archive
-- ---------------------------------------------------------------------------------------------

-- Why: tickets are the unit of support work; the chat archive outlives realtime.messages (72 h).
CREATE SCHEMA tickets;

COMMENT ON SCHEMA tickets IS
'Support tickets, their comments, the durable chat archive and the per-office ticket numbering.';

REVOKE ALL ON SCHEMA tickets FROM public;
GRANT USAGE ON SCHEMA tickets TO authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- balcao_virtual: the virtual front desk whose conversations are carried into tickets
-- ---------------------------------------------------------------------------------------------

-- Why: sessions and their log lines, imported into tickets exactly once.
CREATE SCHEMA balcao_virtual;

COMMENT ON SCHEMA balcao_virtual IS
'Balcao Virtual (virtual front desk): client sessions and their conversation log, '
'imported into the ticket opened during an active session.';

REVOKE ALL ON SCHEMA balcao_virtual FROM public;
GRANT USAGE ON SCHEMA balcao_virtual TO authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- audit: the append-only trail
-- ---------------------------------------------------------------------------------------------

-- Why (decision): authenticated gets NO usage on audit. The trail is written by SECURITY DEFINER
-- trigger functions (they run as the owner, who needs no grant) and read by service_role.
-- If office admins are later to read their own trail (audit.eventos.escritorio_id exists for
-- that), expose it through a SECURITY DEFINER function in an exposed schema that filters by
-- office membership, rather than opening this schema to every authenticated user.
CREATE SCHEMA audit;

COMMENT ON SCHEMA audit IS
'Append-only audit trail (audit.eventos). Usage: service_role only; writers are SECURITY DEFINER '
'trigger functions. Nobody, service_role included, may update or delete it.';

REVOKE ALL ON SCHEMA audit FROM public;
GRANT USAGE ON SCHEMA audit TO service_role;

-- ---------------------------------------------------------------------------------------------
-- private: SECURITY DEFINER helpers used by policies; never exposed through the Data API
-- ---------------------------------------------------------------------------------------------

-- Why: policies evaluate as the calling role, so the calling roles need USAGE here to call the
-- helpers; what makes the schema "private" is that it is not listed in the Data API's exposed
-- schemas (PostgREST db-schemas), so the helpers cannot be called over HTTP as RPCs, and that
-- it holds no tables. EXECUTE on each helper is granted by the file that creates it.
CREATE SCHEMA private;

COMMENT ON SCHEMA private IS
'Not exposed through the Data API. SECURITY DEFINER helpers (search_path = '''') that policies '
'call as (select private.helper()); usage for authenticated and service_role so policies can call them.';

REVOKE ALL ON SCHEMA private FROM public;
GRANT USAGE ON SCHEMA private TO authenticated, service_role;
