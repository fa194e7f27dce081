-- =============================================================================================
-- private: membership helpers for policies, functions and triggers
-- =============================================================================================
-- Policies call these as `escritorio_id = ANY (ARRAY(SELECT private.escritorios_da_equipe()))`:
-- the lookup runs once per statement (an InitPlan) and the comparison can use an index (measured
-- on 200k tickets: 1.1 ms vs 20.9 ms for `IN (SELECT …)`, which OR'ed policies turn into a
-- scan). They bypass the RLS of crm.equipe / crm.clientes (SECURITY DEFINER) without exposing
-- those tables. Every one is STABLE, pins search_path = pg_catalog, pg_temp (pg_temp LAST: an
-- empty search_path would let the caller's temporary schema shadow types such as uuid inside
-- code that runs as the owner) and schema-qualifies everything.
-- They are PL/pgSQL (issue 9): a SECURITY DEFINER SQL function is never inlined and re-plans its
-- query on every call (~0.1 ms, paid by every policy-checked statement in its InitPlans);
-- PL/pgSQL plans it once per session and keeps it.
-- The schema `private` is not exposed by the Data API; only authenticated and service_role may
-- execute these.

-- Offices in which the caller is ACTIVE staff (any papel). Empty for clients, anon, inactive
-- staff: removing or deactivating a member takes effect at the next statement.
CREATE OR REPLACE FUNCTION private.escritorios_da_equipe()
RETURNS SETOF uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT e.escritorio_id
    FROM crm.equipe AS e
    WHERE e.user_id = (SELECT auth.uid()) AND e.ativo;
END
$$;

COMMENT ON FUNCTION private.escritorios_da_equipe() IS
'Offices where auth.uid() is active staff. '
'For policies: escritorio_id = ANY (ARRAY(SELECT private.escritorios_da_equipe())).';

-- Offices in which the caller is an active supervisor or admin (they see more: the audit trail,
-- every staff member, internal notes of the whole office).
CREATE OR REPLACE FUNCTION private.escritorios_supervisionados()
RETURNS SETOF uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT e.escritorio_id
    FROM crm.equipe AS e
    WHERE e.user_id = (SELECT auth.uid()) AND e.ativo AND e.papel IN ('supervisor', 'admin');
END
$$;

COMMENT ON FUNCTION private.escritorios_supervisionados() IS
'Offices where auth.uid() is an active supervisor or admin.';

-- Is this user active staff of this office? For rules about a user other than the caller
-- (e.g. a ticket's assignee), which crm.equipe's RLS may hide from the caller. Answers only
-- yes/no about one pair.
CREATE OR REPLACE FUNCTION private.membro_ativo(p_escritorio_id uuid, p_user_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (
        SELECT FROM crm.equipe AS e
        WHERE e.escritorio_id = p_escritorio_id AND e.user_id = p_user_id AND e.ativo
    )
$$;

COMMENT ON FUNCTION private.membro_ativo(uuid, uuid) IS
'True when the user is active staff (crm.equipe.ativo) of the office.';

-- The crm.clientes row of the caller's portal login (user_id is unique): the only source of a
-- client's cliente_id / escritorio_id. NULL for staff, anon and service_role.
CREATE OR REPLACE FUNCTION private.cliente_do_usuario()
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (
        SELECT c.id FROM crm.clientes AS c WHERE c.user_id = (SELECT auth.uid())
    );
END
$$;

COMMENT ON FUNCTION private.cliente_do_usuario() IS
'crm.clientes.id of the caller''s portal login, or NULL. Never trust a cliente_id sent by a client.';

-- Why: audit rows and access checks need to know who is calling: the API role PostgREST set
-- (SET ROLE anon / authenticated / service_role), or, when no role was set, the login itself
-- (a DBA, a migration, a backend job connected as postgres). Inside a SECURITY DEFINER function
-- current_user is the owner, but the `role` setting and session_user still describe the caller.
-- The `role` setting cannot be forged: SET ROLE only accepts roles the login is a member of.
CREATE OR REPLACE FUNCTION private.papel_da_requisicao()
RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER::text
        ELSE pg_catalog.current_setting('role')
    END
$$;

COMMENT ON FUNCTION private.papel_da_requisicao() IS
'The calling role: the API role set for the request (anon, authenticated, service_role) or, when none was set, '
'the login (session_user). Whether it is trusted is private.papel_confiavel''s answer, never a name comparison.';

-- Why: code that writes rows "as supplied" (imports, seeds, maintenance) must trust its caller,
-- and that trust is a POSITIVE rule, so it fails closed: service_role (the backend key), a
-- superuser, the owner of the domain schemas (the applier, e.g. `postgres` on Supabase, which is
-- itself a member of the API roles), or a login that is a member of NONE of the API roles (a
-- maintenance or migration login). Anything else - anon, authenticated, and any login that
-- inherits or may SET ROLE to one of them (e.g. a custom LOGIN role granted `authenticated`, or
-- `authenticator` without SET ROLE) - is an API user and gets the API rules. Unknown role: false.
-- PL/pgSQL (issue 9): the comment derivation trigger asks it once per row (a 200-line Balcão
-- import: 200 calls), so its catalog query is planned once per session, not on every call.
CREATE OR REPLACE FUNCTION private.papel_confiavel(p_papel text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- The API roles by name first, without a catalog query (this runs in the triggers of every
    -- write): service_role is trusted, anon and authenticated are not (each is a member of
    -- itself). The same answers as the rule below.
    IF p_papel = 'service_role' THEN
        RETURN true;
    ELSIF p_papel IN ('anon', 'authenticated') THEN
        RETURN false;
    END IF;
    RETURN coalesce((
        SELECT
            r.rolname = 'service_role'
            OR r.rolsuper
            OR r.oid = (SELECT n.nspowner FROM pg_catalog.pg_namespace AS n WHERE n.nspname = 'private')
            OR NOT (
                pg_catalog.pg_has_role(r.oid, 'anon', 'MEMBER')
                OR pg_catalog.pg_has_role(r.oid, 'authenticated', 'MEMBER')
                OR pg_catalog.pg_has_role(r.oid, 'service_role', 'MEMBER')
            )
        FROM pg_catalog.pg_roles AS r
        WHERE r.rolname = p_papel
    ), false);
END
$$;

COMMENT ON FUNCTION private.papel_confiavel(text) IS
'True for a trusted caller role: service_role, a superuser, the owner of the domain schemas, or a login that is a '
'member of none of anon/authenticated/service_role. False for the API roles, any role that can act as one, and '
'unknown roles (fails closed).';

-- Why: the caller's role on a ticket decides what it may do (flows 3-5). Staff of the office
-- wins over being the ticket's client (a login may be both, in different offices). NULL:
-- neither, i.e. the caller may not use the ticket. The two lookups are the predicates of
-- private.escritorios_da_equipe() (active membership) and private.cliente_do_usuario() (the
-- portal login's client), asked about ONE office and ONE client.
-- Performance: it runs once per chat message, comment and access check, so it is PL/pgSQL (its
-- two lookups are planned once per session and kept) and reads the tables itself (SECURITY
-- DEFINER, like the helpers it mirrors) instead of calling them: a SQL function is re-planned
-- on every call, and the former chain of three cost ~0.1 ms each (docs/dba.md). It answers
-- only about the caller itself.
CREATE OR REPLACE FUNCTION private.papel_no_ticket(p_escritorio_id uuid, p_cliente_id uuid)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_uid uuid := auth.uid();
BEGIN
    IF v_uid IS NULL THEN
        RETURN NULL;
    END IF;
    IF EXISTS (
        SELECT FROM crm.equipe AS e
        WHERE e.escritorio_id = p_escritorio_id AND e.user_id = v_uid AND e.ativo
    ) THEN
        RETURN 'equipe';
    END IF;
    IF EXISTS (SELECT FROM crm.clientes AS c WHERE c.id = p_cliente_id AND c.user_id = v_uid) THEN
        RETURN 'cliente';
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.papel_no_ticket(uuid, uuid) IS
'''equipe'' when auth.uid() is active staff of the office, ''cliente'' when it is the ticket''s client, '
'NULL otherwise.';

-- May the caller use this ticket (read it, chat on it, comment on it)? Exactly when it has a
-- role on it (private.papel_no_ticket): one rule, whether asked by a function or a trigger.
-- FALSE (never an error) for unknown tickets. PL/pgSQL: its lookup is planned once per session.
CREATE OR REPLACE FUNCTION private.pode_acessar_ticket(p_ticket_id uuid)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN coalesce((
        SELECT private.papel_no_ticket(t.escritorio_id, t.cliente_id) IS NOT NULL
        FROM tickets.tickets AS t
        WHERE t.id = p_ticket_id
    ), false);
END
$$;

COMMENT ON FUNCTION private.pode_acessar_ticket(uuid) IS
'True when auth.uid() has a role on the ticket (private.papel_no_ticket); false otherwise, never an error.';

-- Which of the named columns differ between two versions of a row: 'a, b' (sorted), or NULL
-- when none did. Triggers build their "you may not change X" errors from it, so every such
-- message names the columns the same way. Compares the jsonb images (to_jsonb(OLD/NEW)).
CREATE OR REPLACE FUNCTION private.colunas_alteradas(p_antes jsonb, p_depois jsonb, p_colunas text[])
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(c.coluna, ', ' ORDER BY c.coluna)
    FROM unnest(p_colunas) AS c (coluna)
    WHERE (p_antes -> c.coluna) IS DISTINCT FROM (p_depois -> c.coluna)
$$;

COMMENT ON FUNCTION private.colunas_alteradas(jsonb, jsonb, text[]) IS
'The named columns whose values differ between two row images, as ''a, b'' (sorted); NULL when none.';

-- Parsers of realtime topics. A malformed topic yields NULL, never an error: policies on
-- realtime.messages must not raise (Realtime's join probe would fail instead of being denied).
CREATE OR REPLACE FUNCTION private.topico_ticket(p_topic text)
RETURNS uuid
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN p_topic ~* '^ticket:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            THEN substr(p_topic, 8)::uuid
    END
$$;

COMMENT ON FUNCTION private.topico_ticket(text) IS
'The ticket id of a topic ''ticket:<uuid>'', or NULL for any other or malformed topic (never raises).';

CREATE OR REPLACE FUNCTION private.topico_escritorio(p_topic text)
RETURNS uuid
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN p_topic ~* '^escritorio:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            THEN substr(p_topic, 12)::uuid
    END
$$;

COMMENT ON FUNCTION private.topico_escritorio(text) IS
'The office id of a topic ''escritorio:<uuid>'', or NULL for any other or malformed topic (never raises).';

-- Why: the SELECT and INSERT policies of realtime.messages on ticket:<uuid> ask "may the
-- caller use this topic's ticket?": private.pode_acessar_ticket of the parsed topic, the same
-- rule as tickets.tickets' own SELECT policies (its client, active staff of its office). False
-- (never an error) for a malformed topic or an unknown ticket.
-- Performance: a policy's cost estimate is charged to every row the scan reads, whatever
-- quals run first. The former in-place EXISTS sub-select (a primary-key probe under the
-- tickets policies, ~8 cost units) made a plain read of 15,000 rows cost ~218,000 units, over
-- jit_above_cost: every read of realtime.messages then spent ~40-70 ms compiling JIT code for
-- a query that runs in ~3 ms. A PL/pgSQL call is costed by its declared COST (the default 100,
-- 0.25 units per row), runs only on the rows left by the cheaper quals (the reader's topic
-- filter), and its queries are planned once per session. benchmarks/ANALYSIS.md.
CREATE OR REPLACE FUNCTION private.topico_ticket_visivel(p_topic text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN private.pode_acessar_ticket(private.topico_ticket(p_topic));
END
$$;

COMMENT ON FUNCTION private.topico_ticket_visivel(text) IS
'True when p_topic is ticket:<uuid> and auth.uid() may use that ticket (private.pode_acessar_ticket); false for '
'anything else, never an error. For the policies of realtime.messages.';

-- Broadcast one private message on a topic, as realtime.send does, but WITHOUT swallowing
-- errors: a domain write that must be announced fails with its broadcast. The payload gets the
-- message id (key `id`) like realtime.send. Only SECURITY DEFINER domain code calls it: the API
-- roles may not, or anyone could post on any topic.
CREATE OR REPLACE FUNCTION private.transmitir(p_topic text, p_event text, p_payload jsonb)
RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := gen_random_uuid();
BEGIN
    INSERT INTO realtime.messages (id, topic, extension, event, payload, private)
    VALUES (v_id, p_topic, 'broadcast', p_event,
            coalesce(p_payload, '{}'::jsonb) || jsonb_build_object('id', v_id), true);
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION private.transmitir(text, text, jsonb) IS
'Insert one private broadcast into realtime.messages (errors propagate, unlike realtime.send); returns its id.';

REVOKE ALL ON FUNCTION private.escritorios_da_equipe() FROM public;
REVOKE ALL ON FUNCTION private.escritorios_supervisionados() FROM public;
REVOKE ALL ON FUNCTION private.cliente_do_usuario() FROM public;
REVOKE ALL ON FUNCTION private.membro_ativo(uuid, uuid) FROM public;
REVOKE ALL ON FUNCTION private.papel_da_requisicao() FROM public;
REVOKE ALL ON FUNCTION private.papel_confiavel(text) FROM public;
REVOKE ALL ON FUNCTION private.papel_no_ticket(uuid, uuid) FROM public;
REVOKE ALL ON FUNCTION private.pode_acessar_ticket(uuid) FROM public;
REVOKE ALL ON FUNCTION private.colunas_alteradas(jsonb, jsonb, text[]) FROM public;
REVOKE ALL ON FUNCTION private.topico_ticket(text) FROM public;
REVOKE ALL ON FUNCTION private.topico_ticket_visivel(text) FROM public;
REVOKE ALL ON FUNCTION private.topico_escritorio(text) FROM public;
REVOKE ALL ON FUNCTION private.transmitir(text, text, jsonb) FROM public;
GRANT EXECUTE ON FUNCTION private.escritorios_da_equipe() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.escritorios_supervisionados() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.cliente_do_usuario() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.membro_ativo(uuid, uuid) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.papel_no_ticket(uuid, uuid) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.papel_confiavel(text) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.pode_acessar_ticket(uuid) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.colunas_alteradas(jsonb, jsonb, text[]) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.topico_ticket(text) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.topico_ticket_visivel(text) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.topico_escritorio(text) TO authenticated, service_role;
