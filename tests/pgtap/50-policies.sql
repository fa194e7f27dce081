-- Row level security of the domain tables (policies/crm.sql, tickets.sql, balcao_virtual.sql,
-- audit.sql): the catalogue of policies (names, commands, roles), the section 8 performance
-- rules visible in the policy text, and the attacks that are awkward to express as one cell of
-- policies/access_matrix.toml (which tests/test_access_matrix.py executes cell by cell).
--
-- Attacks are tried AS the persona (tests.authenticate_as). Where the outcome depends on the
-- tenant-derivation triggers (a forged value may be rejected or silently replaced by the
-- derived one - flow 1 allows both), the test asserts what matters: nothing lands outside the
-- caller's office / client. pg_temp.sqlstate_de(sql) runs a statement and returns 'ok' or the
-- SQLSTATE it failed with.
--
-- Fixture ids (literal, so the file also runs outside psql):
--   offices  A a0000000-0000-4000-8000-000000000000   B b0000000-0000-4000-8000-000000000000
--   logins   (prefix 00000000-0000-4000-8000-0000000000) a1 atendente A, a5 supervisor A,
--            a6 inactive atendente A, a2 client A1, a3 client A2, b1 admin B, b2 client B1
--   clients  c...a1 (A1), c...a2 (A2) in A; c...b1 (B1) in B
--   tickets  7...a1 (A1), 7...a2 (A2), 7...b1 (B1)
--   comments 6...a1 public on 7...a1, 6...a9 internal on 7...a1, 6...b1 public on 7...b1
--   chat     8...a1 on 7...a1, 8...b1 on 7...b1      documents d...a1 (A1), d...a2 (A2), d...b1 (B1)
--   sessions 5...a1 (A1, ativa), 5...b1 (B1)         log lines 900001 (A1), 900101 (B1)
BEGIN;
SELECT plan(135);

CREATE FUNCTION pg_temp.sqlstate_de(p_sql text) RETURNS text
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION
    WHEN OTHERS THEN
        RETURN SQLSTATE;
END
$$;

-- =============================================================================================
-- The catalogue: every table's policies by name, each FOR one command, TO authenticated
-- =============================================================================================
SELECT policies_are('crm', 'escritorios', ARRAY['staff read their offices', 'clients read their own office'], 'crm.escritorios has exactly its 2 policies');
SELECT policies_are('crm', 'equipe', ARRAY['staff read the active members of their offices', 'supervisors read every member of their offices', 'users read their own memberships'], 'crm.equipe has exactly its 3 policies');
SELECT policies_are('crm', 'clientes', ARRAY['staff read their office''s clients', 'staff update their office''s clients', 'clients read their own record', 'clients update their own contact details'], 'crm.clientes has exactly its 4 policies');
SELECT policies_are('crm', 'documentos', ARRAY['clients read their own documents', 'staff read their office''s documents', 'clients upload their own documents', 'staff upload documents of their office''s clients'], 'crm.documentos has exactly its 4 policies');
SELECT policies_are('tickets', 'tickets', ARRAY['clients read their own tickets', 'staff read their office''s tickets', 'clients open tickets for themselves', 'staff open tickets in their offices', 'clients update their own tickets', 'staff update their office''s tickets'], 'tickets.tickets has exactly its 6 policies');
SELECT policies_are('tickets', 'ticket_comments', ARRAY['clients read the public comments of their tickets', 'staff read every comment of their office''s tickets', 'clients comment publicly on their own tickets', 'staff comment on their office''s tickets'], 'tickets.ticket_comments has exactly its 4 policies');
SELECT policies_are('tickets', 'chat_mensagens', ARRAY['clients read the chat of their tickets', 'staff read the chat of their office''s tickets'], 'tickets.chat_mensagens has exactly its 2 policies');
SELECT policies_are('balcao_virtual', 'sessoes_ativas', ARRAY['clients read their own Balcao sessions', 'staff read their office''s Balcao sessions'], 'balcao_virtual.sessoes_ativas has exactly its 2 policies');
SELECT policies_are('balcao_virtual', 'logs_conversas', ARRAY['clients read the log of their own Balcao sessions', 'staff read their office''s Balcao logs'], 'balcao_virtual.logs_conversas has exactly its 2 policies');
SELECT policies_are('tickets', 'numeracao', ARRAY[]::name[], 'tickets.numeracao has no policy (no API grant; owner and service_role only)');
SELECT policies_are('audit', 'eventos', ARRAY[]::name[], 'audit.eventos has no policy (closed to the API roles)');

SELECT policy_cmd_is('crm', 'escritorios', 'staff read their offices', 'SELECT', 'crm.escritorios: ''staff read their offices'' is FOR SELECT');
SELECT policy_roles_are('crm', 'escritorios', 'staff read their offices', ARRAY['authenticated'], 'crm.escritorios: ''staff read their offices'' is TO authenticated');
SELECT policy_cmd_is('crm', 'escritorios', 'clients read their own office', 'SELECT', 'crm.escritorios: ''clients read their own office'' is FOR SELECT');
SELECT policy_roles_are('crm', 'escritorios', 'clients read their own office', ARRAY['authenticated'], 'crm.escritorios: ''clients read their own office'' is TO authenticated');
SELECT policy_cmd_is('crm', 'equipe', 'staff read the active members of their offices', 'SELECT', 'crm.equipe: ''staff read the active members of their offices'' is FOR SELECT');
SELECT policy_roles_are('crm', 'equipe', 'staff read the active members of their offices', ARRAY['authenticated'], 'crm.equipe: ''staff read the active members of their offices'' is TO authenticated');
SELECT policy_cmd_is('crm', 'equipe', 'supervisors read every member of their offices', 'SELECT', 'crm.equipe: ''supervisors read every member of their offices'' is FOR SELECT');
SELECT policy_roles_are('crm', 'equipe', 'supervisors read every member of their offices', ARRAY['authenticated'], 'crm.equipe: ''supervisors read every member of their offices'' is TO authenticated');
SELECT policy_cmd_is('crm', 'equipe', 'users read their own memberships', 'SELECT', 'crm.equipe: ''users read their own memberships'' is FOR SELECT');
SELECT policy_roles_are('crm', 'equipe', 'users read their own memberships', ARRAY['authenticated'], 'crm.equipe: ''users read their own memberships'' is TO authenticated');
SELECT policy_cmd_is('crm', 'clientes', 'staff read their office''s clients', 'SELECT', 'crm.clientes: "staff read their office''s clients" is FOR SELECT');
SELECT policy_roles_are('crm', 'clientes', 'staff read their office''s clients', ARRAY['authenticated'], 'crm.clientes: "staff read their office''s clients" is TO authenticated');
SELECT policy_cmd_is('crm', 'clientes', 'staff update their office''s clients', 'UPDATE', 'crm.clientes: "staff update their office''s clients" is FOR UPDATE');
SELECT policy_roles_are('crm', 'clientes', 'staff update their office''s clients', ARRAY['authenticated'], 'crm.clientes: "staff update their office''s clients" is TO authenticated');
SELECT policy_cmd_is('crm', 'clientes', 'clients read their own record', 'SELECT', 'crm.clientes: ''clients read their own record'' is FOR SELECT');
SELECT policy_roles_are('crm', 'clientes', 'clients read their own record', ARRAY['authenticated'], 'crm.clientes: ''clients read their own record'' is TO authenticated');
SELECT policy_cmd_is('crm', 'clientes', 'clients update their own contact details', 'UPDATE', 'crm.clientes: ''clients update their own contact details'' is FOR UPDATE');
SELECT policy_roles_are('crm', 'clientes', 'clients update their own contact details', ARRAY['authenticated'], 'crm.clientes: ''clients update their own contact details'' is TO authenticated');
SELECT policy_cmd_is('crm', 'documentos', 'clients read their own documents', 'SELECT', 'crm.documentos: ''clients read their own documents'' is FOR SELECT');
SELECT policy_roles_are('crm', 'documentos', 'clients read their own documents', ARRAY['authenticated'], 'crm.documentos: ''clients read their own documents'' is TO authenticated');
SELECT policy_cmd_is('crm', 'documentos', 'staff read their office''s documents', 'SELECT', 'crm.documentos: "staff read their office''s documents" is FOR SELECT');
SELECT policy_roles_are('crm', 'documentos', 'staff read their office''s documents', ARRAY['authenticated'], 'crm.documentos: "staff read their office''s documents" is TO authenticated');
SELECT policy_cmd_is('crm', 'documentos', 'clients upload their own documents', 'INSERT', 'crm.documentos: ''clients upload their own documents'' is FOR INSERT');
SELECT policy_roles_are('crm', 'documentos', 'clients upload their own documents', ARRAY['authenticated'], 'crm.documentos: ''clients upload their own documents'' is TO authenticated');
SELECT policy_cmd_is('crm', 'documentos', 'staff upload documents of their office''s clients', 'INSERT', 'crm.documentos: "staff upload documents of their office''s clients" is FOR INSERT');
SELECT policy_roles_are('crm', 'documentos', 'staff upload documents of their office''s clients', ARRAY['authenticated'], 'crm.documentos: "staff upload documents of their office''s clients" is TO authenticated');
SELECT policy_cmd_is('tickets', 'tickets', 'clients read their own tickets', 'SELECT', 'tickets.tickets: ''clients read their own tickets'' is FOR SELECT');
SELECT policy_roles_are('tickets', 'tickets', 'clients read their own tickets', ARRAY['authenticated'], 'tickets.tickets: ''clients read their own tickets'' is TO authenticated');
SELECT policy_cmd_is('tickets', 'tickets', 'staff read their office''s tickets', 'SELECT', 'tickets.tickets: "staff read their office''s tickets" is FOR SELECT');
SELECT policy_roles_are('tickets', 'tickets', 'staff read their office''s tickets', ARRAY['authenticated'], 'tickets.tickets: "staff read their office''s tickets" is TO authenticated');
SELECT policy_cmd_is('tickets', 'tickets', 'clients open tickets for themselves', 'INSERT', 'tickets.tickets: ''clients open tickets for themselves'' is FOR INSERT');
SELECT policy_roles_are('tickets', 'tickets', 'clients open tickets for themselves', ARRAY['authenticated'], 'tickets.tickets: ''clients open tickets for themselves'' is TO authenticated');
SELECT policy_cmd_is('tickets', 'tickets', 'staff open tickets in their offices', 'INSERT', 'tickets.tickets: ''staff open tickets in their offices'' is FOR INSERT');
SELECT policy_roles_are('tickets', 'tickets', 'staff open tickets in their offices', ARRAY['authenticated'], 'tickets.tickets: ''staff open tickets in their offices'' is TO authenticated');
SELECT policy_cmd_is('tickets', 'tickets', 'clients update their own tickets', 'UPDATE', 'tickets.tickets: ''clients update their own tickets'' is FOR UPDATE');
SELECT policy_roles_are('tickets', 'tickets', 'clients update their own tickets', ARRAY['authenticated'], 'tickets.tickets: ''clients update their own tickets'' is TO authenticated');
SELECT policy_cmd_is('tickets', 'tickets', 'staff update their office''s tickets', 'UPDATE', 'tickets.tickets: "staff update their office''s tickets" is FOR UPDATE');
SELECT policy_roles_are('tickets', 'tickets', 'staff update their office''s tickets', ARRAY['authenticated'], 'tickets.tickets: "staff update their office''s tickets" is TO authenticated');
SELECT policy_cmd_is('tickets', 'ticket_comments', 'clients read the public comments of their tickets', 'SELECT', 'tickets.ticket_comments: ''clients read the public comments of their tickets'' is FOR SELECT');
SELECT policy_roles_are('tickets', 'ticket_comments', 'clients read the public comments of their tickets', ARRAY['authenticated'], 'tickets.ticket_comments: ''clients read the public comments of their tickets'' is TO authenticated');
SELECT policy_cmd_is('tickets', 'ticket_comments', 'staff read every comment of their office''s tickets', 'SELECT', 'tickets.ticket_comments: "staff read every comment of their office''s tickets" is FOR SELECT');
SELECT policy_roles_are('tickets', 'ticket_comments', 'staff read every comment of their office''s tickets', ARRAY['authenticated'], 'tickets.ticket_comments: "staff read every comment of their office''s tickets" is TO authenticated');
SELECT policy_cmd_is('tickets', 'ticket_comments', 'clients comment publicly on their own tickets', 'INSERT', 'tickets.ticket_comments: ''clients comment publicly on their own tickets'' is FOR INSERT');
SELECT policy_roles_are('tickets', 'ticket_comments', 'clients comment publicly on their own tickets', ARRAY['authenticated'], 'tickets.ticket_comments: ''clients comment publicly on their own tickets'' is TO authenticated');
SELECT policy_cmd_is('tickets', 'ticket_comments', 'staff comment on their office''s tickets', 'INSERT', 'tickets.ticket_comments: "staff comment on their office''s tickets" is FOR INSERT');
SELECT policy_roles_are('tickets', 'ticket_comments', 'staff comment on their office''s tickets', ARRAY['authenticated'], 'tickets.ticket_comments: "staff comment on their office''s tickets" is TO authenticated');
SELECT policy_cmd_is('tickets', 'chat_mensagens', 'clients read the chat of their tickets', 'SELECT', 'tickets.chat_mensagens: ''clients read the chat of their tickets'' is FOR SELECT');
SELECT policy_roles_are('tickets', 'chat_mensagens', 'clients read the chat of their tickets', ARRAY['authenticated'], 'tickets.chat_mensagens: ''clients read the chat of their tickets'' is TO authenticated');
SELECT policy_cmd_is('tickets', 'chat_mensagens', 'staff read the chat of their office''s tickets', 'SELECT', 'tickets.chat_mensagens: "staff read the chat of their office''s tickets" is FOR SELECT');
SELECT policy_roles_are('tickets', 'chat_mensagens', 'staff read the chat of their office''s tickets', ARRAY['authenticated'], 'tickets.chat_mensagens: "staff read the chat of their office''s tickets" is TO authenticated');
SELECT policy_cmd_is('balcao_virtual', 'sessoes_ativas', 'clients read their own Balcao sessions', 'SELECT', 'balcao_virtual.sessoes_ativas: ''clients read their own Balcao sessions'' is FOR SELECT');
SELECT policy_roles_are('balcao_virtual', 'sessoes_ativas', 'clients read their own Balcao sessions', ARRAY['authenticated'], 'balcao_virtual.sessoes_ativas: ''clients read their own Balcao sessions'' is TO authenticated');
SELECT policy_cmd_is('balcao_virtual', 'sessoes_ativas', 'staff read their office''s Balcao sessions', 'SELECT', 'balcao_virtual.sessoes_ativas: "staff read their office''s Balcao sessions" is FOR SELECT');
SELECT policy_roles_are('balcao_virtual', 'sessoes_ativas', 'staff read their office''s Balcao sessions', ARRAY['authenticated'], 'balcao_virtual.sessoes_ativas: "staff read their office''s Balcao sessions" is TO authenticated');
SELECT policy_cmd_is('balcao_virtual', 'logs_conversas', 'clients read the log of their own Balcao sessions', 'SELECT', 'balcao_virtual.logs_conversas: ''clients read the log of their own Balcao sessions'' is FOR SELECT');
SELECT policy_roles_are('balcao_virtual', 'logs_conversas', 'clients read the log of their own Balcao sessions', ARRAY['authenticated'], 'balcao_virtual.logs_conversas: ''clients read the log of their own Balcao sessions'' is TO authenticated');
SELECT policy_cmd_is('balcao_virtual', 'logs_conversas', 'staff read their office''s Balcao logs', 'SELECT', 'balcao_virtual.logs_conversas: "staff read their office''s Balcao logs" is FOR SELECT');
SELECT policy_roles_are('balcao_virtual', 'logs_conversas', 'staff read their office''s Balcao logs', ARRAY['authenticated'], 'balcao_virtual.logs_conversas: "staff read their office''s Balcao logs" is TO authenticated');

-- =============================================================================================
-- Shape of every policy: permissive, TO authenticated only, commented; RLS on everywhere
-- =============================================================================================
SELECT is_empty(
    $$ SELECT schemaname, tablename, policyname FROM pg_catalog.pg_policies
       WHERE schemaname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'realtime')
         AND (permissive <> 'PERMISSIVE' OR roles <> ARRAY['authenticated']::name[]) $$,
    'every policy is permissive and TO authenticated only (anon: nothing; service_role bypasses RLS)'
);
-- (realtime.messages belongs to the platform: COMMENT ON POLICY there needs its ownership, so
-- policies/realtime.sql comments them on the postgres target only. This suite is also exported
-- to run on Supabase projects, so it checks the domain's own tables.)
SELECT is_empty(
    $$ SELECT p.polname FROM pg_catalog.pg_policy AS p
       JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid
       JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND pg_catalog.obj_description(p.oid, 'pg_policy') IS NULL $$,
    'every policy on the domain''s tables has a COMMENT stating its rule'
);
SELECT is_empty(
    $$ SELECT n.nspname, c.relname FROM pg_catalog.pg_class AS c
       JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity $$,
    'row level security is enabled on every table of the domain schemas'
);
SELECT is_empty(
    $$ SELECT schemaname, tablename, policyname FROM pg_catalog.pg_policies
       WHERE schemaname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'realtime')
         AND cmd IN ('DELETE', 'ALL') $$,
    'no DELETE (or ALL) policy: nothing is deleted through the API'
);

-- =============================================================================================
-- Section 8: the caller is computed once per statement, never per row
-- =============================================================================================
-- pg_get_expr deparses (SELECT auth.uid()) as "( SELECT auth.uid() AS uid)".
SELECT is_empty(
    $$ SELECT schemaname, tablename, policyname FROM pg_catalog.pg_policies
       WHERE schemaname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'realtime')
         AND regexp_replace(coalesce(qual, '') || ' ' || coalesce(with_check, ''),
                            '\(\s*SELECT auth\.uid\(\) AS uid\)', '', 'g') ~ 'auth\.uid\(' $$,
    'no policy calls a bare auth.uid(): every call is wrapped as (SELECT auth.uid())'
);
SELECT is_empty(
    $$ SELECT schemaname, tablename, policyname FROM pg_catalog.pg_policies
       WHERE schemaname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'realtime')
         AND regexp_replace(coalesce(qual, '') || ' ' || coalesce(with_check, ''),
                            'SELECT private\.\w+\(\) AS \w+', '', 'g') ~ 'private\.\w+\(\)' $$,
    'the caller lookups private.f() are always sub-selects (InitPlans), never per-row calls'
);
SELECT is_empty(
    $$ SELECT schemaname, tablename, policyname FROM pg_catalog.pg_policies
       WHERE schemaname IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND regexp_replace(coalesce(qual, '') || ' ' || coalesce(with_check, ''),
                            'SELECT private\.\w+\(\) AS \w+', '', 'g') ~ 'private\.' $$,
    'domain policies call no per-row helper (only realtime topics need pode_acessar_ticket per row)'
);
SELECT is_empty(
    $$ SELECT schemaname, tablename, policyname FROM pg_catalog.pg_policies
       WHERE schemaname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'realtime')
         AND coalesce(qual, '') || ' ' || coalesce(with_check, '') ~ 'IN \(\s*SELECT' $$,
    'set lookups are = ANY(ARRAY(SELECT ...)) (index condition), not IN (SELECT ...) (hashed filter)'
);
SELECT is(
    (SELECT count(*) FROM pg_catalog.pg_proc AS p
     WHERE p.pronamespace = 'private'::regnamespace
       AND p.proname IN ('escritorio_do_cliente', 'sessoes_do_cliente')
       AND p.prosecdef AND p.provolatile = 's' AND p.proconfig = ARRAY['search_path=pg_catalog, pg_temp']),
    2::bigint,
    'the policy helpers of functions/30_policies_helpers.sql are STABLE SECURITY DEFINER with search_path pg_catalog, pg_temp'
);
SELECT is(
    (SELECT count(*) FROM pg_catalog.pg_proc AS p
     WHERE p.pronamespace = 'private'::regnamespace
       AND p.proname IN ('escritorio_do_cliente', 'sessoes_do_cliente')
       AND NOT pg_catalog.has_function_privilege('anon', p.oid, 'EXECUTE')
       AND pg_catalog.has_function_privilege('authenticated', p.oid, 'EXECUTE')),
    2::bigint,
    'the policy helpers are executable by authenticated, not by anon'
);

-- =============================================================================================
-- Scenario (written by the backend, as service_role: the path the Balcao Virtual backend and
-- admin jobs use; triggers derive what they derive)
-- =============================================================================================
SELECT tests.cenario_politicas();

-- =============================================================================================
-- Clients: their own rows only; never internal notes; never forged tenant values
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a2');  -- client A1

SELECT results_eq(
    $$ SELECT id FROM tickets.tickets $$,
    $$ VALUES ('70000000-0000-4000-8000-0000000000a1'::uuid) $$,
    'a client sees its own ticket and no other (not even other clients of its office)'
);
SELECT results_eq(
    $$ SELECT id FROM tickets.ticket_comments ORDER BY id $$,
    $$ VALUES ('60000000-0000-4000-8000-0000000000a1'::uuid) $$,
    'a client sees the public comment of its ticket, never the internal note'
);
SELECT is_empty(
    $$ SELECT id FROM tickets.ticket_comments WHERE interno $$,
    'a client reading interno comments, even by filtering on them, gets nothing'
);
SELECT results_eq(
    $$ SELECT id FROM crm.escritorios $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid) $$,
    'a client sees its own office only'
);
SELECT results_eq(
    $$ SELECT id FROM crm.clientes $$,
    $$ VALUES ('c0000000-0000-4000-8000-0000000000a1'::uuid) $$,
    'a client sees its own client record only'
);
SELECT is_empty($$ SELECT user_id FROM crm.equipe $$, 'a client sees no staff membership');
SELECT results_eq(
    $$ SELECT id FROM crm.documentos $$,
    $$ VALUES ('d0000000-0000-4000-8000-0000000000a1'::uuid) $$,
    'a client sees its own documents only'
);
SELECT results_eq(
    $$ SELECT id FROM tickets.chat_mensagens $$,
    $$ VALUES ('80000000-0000-4000-8000-0000000000a1'::uuid) $$,
    'a client sees the chat of its own tickets only'
);
SELECT results_eq(
    $$ SELECT s.id, l.id FROM balcao_virtual.sessoes_ativas AS s
       JOIN balcao_virtual.logs_conversas AS l ON l.sessao_id = s.id $$,
    $$ VALUES ('50000000-0000-4000-8000-0000000000a1'::uuid, 900001::bigint) $$,
    'a client sees its own Balcao session and its log only'
);

SELECT throws_ok(
    $$ INSERT INTO crm.documentos (escritorio_id, cliente_id, nome_arquivo, storage_path, enviado_por)
       VALUES ('b0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000b1',
               'x.pdf', 'b0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000b1/x.pdf', '00000000-0000-4000-8000-0000000000a2') $$,
    '42501', NULL,
    'a client cannot file a document under another office''s client (forged escritorio_id / cliente_id)'
);
SELECT throws_ok(
    $$ INSERT INTO crm.documentos (escritorio_id, cliente_id, nome_arquivo, storage_path, enviado_por)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1',
               'x.pdf', 'a0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000a1/x.pdf', '00000000-0000-4000-8000-0000000000a1') $$,
    '42501', NULL,
    'a client cannot upload a document in a staff member''s name (forged enviado_por)'
);
SELECT throws_ok(
    $$ INSERT INTO crm.documentos (escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path, enviado_por)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1',
               '70000000-0000-4000-8000-0000000000a2', 'x.pdf', 'a0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000a1/x.pdf', '00000000-0000-4000-8000-0000000000a2') $$,
    '23503', NULL,
    'a client cannot attach its document to another client''s ticket (foreign key)'
);

-- Forged tenant values on a ticket: rejected, or replaced by the derived ones - never stored.
SELECT pg_temp.sqlstate_de(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
       VALUES ('b0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000b1', 99,
               'forjado: outro escritório') $$
) AS attempt_forged_office;  -- prints the SQLSTATE (or ok); judged below
SELECT pg_temp.sqlstate_de(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 98,
               'forjado: outro cliente') $$
) AS attempt_forged_client;

SELECT isnt(
    pg_temp.sqlstate_de(
        $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, interno, origem)
           VALUES ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
                   '00000000-0000-4000-8000-0000000000a2', 'cliente', 'forjado: nota interna', true, 'portal') $$
    ),
    'ok',
    'a client cannot write an interno comment'
);
SELECT isnt(
    pg_temp.sqlstate_de(
        $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, interno, origem)
           VALUES ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000',
                   '00000000-0000-4000-8000-0000000000a2', 'cliente', 'forjado: chamado alheio', false, 'portal') $$
    ),
    'ok',
    'a client cannot comment on another client''s ticket of the same office'
);
SELECT isnt(
    pg_temp.sqlstate_de(
        $$ INSERT INTO tickets.ticket_comments
               (ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, interno, origem, balcao_log_id)
           VALUES ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
                   '00000000-0000-4000-8000-0000000000a2', 'cliente', 'forjado: linha do balcão', false,
                   'balcao_virtual', 900001) $$
    ),
    'ok',
    'a client cannot squat a Balcao log line''s import slot (forged balcao_log_id)'
);
SELECT pg_temp.sqlstate_de(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, interno, origem)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
               '00000000-0000-4000-8000-0000000000a1', 'equipe', 'forjado: como atendente', false, 'equipe') $$
) AS attempt_staff_impersonation;

SELECT is_empty(
    $$ UPDATE tickets.tickets SET status = 'fechado'
       WHERE id = '70000000-0000-4000-8000-0000000000a2' RETURNING id $$,
    'a client cannot update another client''s ticket (zero rows)'
);
SELECT is_empty(
    $$ UPDATE crm.clientes SET telefone = '0'
       WHERE id = 'c0000000-0000-4000-8000-0000000000a2' RETURNING id $$,
    'a client cannot update another client''s record (zero rows)'
);
SELECT throws_ok(
    $$ UPDATE crm.clientes SET escritorio_id = 'b0000000-0000-4000-8000-000000000000'
       WHERE id = 'c0000000-0000-4000-8000-0000000000a1' $$,
    'SK009', NULL,  -- the trigger refuses first; RLS's WITH CHECK would too (42501)
    'a client cannot move its own record to another office'
);
SELECT throws_ok(
    $$ UPDATE crm.clientes SET user_id = '00000000-0000-4000-8000-0000000000a1'
       WHERE id = 'c0000000-0000-4000-8000-0000000000a1' $$,
    'SK009', NULL,  -- the trigger refuses first; RLS's WITH CHECK would too (42501)
    'a client cannot hand its record over to another login'
);
SELECT results_eq(
    $$ UPDATE crm.clientes SET telefone = '+55 11 5555-0000'
       WHERE id = 'c0000000-0000-4000-8000-0000000000a1' RETURNING telefone $$,
    $$ VALUES ('+55 11 5555-0000') $$,
    'a client updates its own contact details'
);

SELECT tests.clear_authentication();
SELECT is_empty(
    $$ SELECT id, escritorio_id, cliente_id FROM tickets.tickets
       WHERE titulo LIKE 'forjado%'
         AND (escritorio_id <> 'a0000000-0000-4000-8000-000000000000'
              OR cliente_id <> 'c0000000-0000-4000-8000-0000000000a1') $$,
    'a client''s forged escritorio_id / cliente_id never landed: its tickets are in its own office, for itself'
);
SELECT is_empty(
    $$ SELECT id FROM tickets.ticket_comments
       WHERE conteudo LIKE 'forjado%'
         AND (interno OR autor_tipo <> 'cliente' OR balcao_log_id IS NOT NULL
              OR autor_id IS DISTINCT FROM '00000000-0000-4000-8000-0000000000a2'
              OR ticket_id <> '70000000-0000-4000-8000-0000000000a1') $$,
    'no forged comment landed (internal, as staff, on another ticket, as a Balcao line)'
);

-- =============================================================================================
-- Staff of another office: nothing of office A, whatever their papel
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000b1');  -- admin of B

SELECT is_empty($$ SELECT id FROM crm.escritorios WHERE id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B do not see office A');
SELECT is_empty($$ SELECT user_id FROM crm.equipe WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B (even its admin) do not see office A''s staff');
SELECT is_empty($$ SELECT id FROM crm.clientes WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B do not see office A''s clients');
SELECT is_empty($$ SELECT id FROM tickets.tickets WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B do not see office A''s tickets');
SELECT is_empty($$ SELECT id FROM tickets.ticket_comments WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B do not see office A''s comments');
SELECT is_empty($$ SELECT id FROM tickets.chat_mensagens WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B do not see office A''s chat');
SELECT is_empty($$ SELECT id FROM crm.documentos WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B do not see office A''s documents');
SELECT is_empty($$ SELECT id FROM balcao_virtual.sessoes_ativas WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B do not see office A''s Balcao sessions');
SELECT is_empty($$ SELECT id FROM balcao_virtual.logs_conversas WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of office B do not see office A''s Balcao logs');
SELECT results_eq(
    $$ SELECT id FROM tickets.tickets $$,
    $$ VALUES ('70000000-0000-4000-8000-0000000000b1'::uuid) $$,
    'staff of office B see their own office''s tickets'
);
SELECT is_empty(
    $$ UPDATE tickets.tickets SET status = 'em_atendimento'
       WHERE id = '70000000-0000-4000-8000-0000000000a1' RETURNING id $$,
    'staff of office B cannot update office A''s ticket (zero rows)'
);
SELECT is_empty(
    $$ UPDATE crm.clientes SET telefone = '0'
       WHERE id = 'c0000000-0000-4000-8000-0000000000a1' RETURNING id $$,
    'staff of office B cannot update office A''s client (zero rows)'
);
SELECT isnt(
    pg_temp.sqlstate_de(
        $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, interno, origem)
           VALUES ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
                   '00000000-0000-4000-8000-0000000000b1', 'equipe', 'intruso', false, 'equipe') $$
    ),
    'ok',
    'staff of office B cannot comment on office A''s ticket'
);
SELECT isnt(
    pg_temp.sqlstate_de(
        $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
           VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1', 97, 'intruso') $$
    ),
    'ok',
    'staff of office B cannot open a ticket for office A''s client'
);
SELECT throws_ok(
    $$ INSERT INTO crm.documentos (escritorio_id, cliente_id, nome_arquivo, storage_path, enviado_por)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1',
               'x.pdf', 'a0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000a1/x.pdf', '00000000-0000-4000-8000-0000000000b1') $$,
    '42501', NULL,
    'staff of office B cannot file a document in office A'
);
SELECT throws_ok(
    $$ INSERT INTO crm.documentos (escritorio_id, cliente_id, nome_arquivo, storage_path, enviado_por)
       VALUES ('b0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1',
               'x.pdf', 'b0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000a1/x.pdf', '00000000-0000-4000-8000-0000000000b1') $$,
    '23503', NULL,
    'staff of office B cannot file a document of office A''s client under their own office (foreign key)'
);

-- =============================================================================================
-- Inactive staff: nothing but their own membership row
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a6');  -- inactive atendente of A

SELECT is_empty($$ SELECT id FROM crm.escritorios $$, 'inactive staff see no office');
SELECT is_empty($$ SELECT id FROM crm.clientes $$, 'inactive staff see no client');
SELECT is_empty($$ SELECT id FROM tickets.tickets $$, 'inactive staff see no ticket');
SELECT is_empty($$ SELECT id FROM tickets.ticket_comments $$, 'inactive staff see no comment');
SELECT is_empty($$ SELECT id FROM tickets.chat_mensagens $$, 'inactive staff see no chat message');
SELECT is_empty($$ SELECT id FROM crm.documentos $$, 'inactive staff see no document');
SELECT is_empty($$ SELECT id FROM balcao_virtual.sessoes_ativas $$, 'inactive staff see no Balcao session');
SELECT results_eq(
    $$ SELECT escritorio_id, ativo FROM crm.equipe $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, false) $$,
    'inactive staff see their own (inactive) membership and nothing else'
);
SELECT is_empty(
    $$ UPDATE tickets.tickets SET status = 'em_atendimento'
       WHERE id = '70000000-0000-4000-8000-0000000000a1' RETURNING id $$,
    'inactive staff cannot update their former office''s ticket (zero rows)'
);

-- =============================================================================================
-- Active staff and supervisors of office A
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');  -- atendente of A

SELECT results_eq(
    $$ SELECT id FROM tickets.tickets ORDER BY id $$,
    $$ VALUES ('70000000-0000-4000-8000-0000000000a1'::uuid), ('70000000-0000-4000-8000-0000000000a2'::uuid) $$,
    'staff see every ticket of their office, and only those'
);
SELECT results_eq(
    $$ SELECT id FROM tickets.ticket_comments ORDER BY id $$,
    $$ VALUES ('60000000-0000-4000-8000-0000000000a1'::uuid), ('60000000-0000-4000-8000-0000000000a9'::uuid) $$,
    'staff see the public comment and the internal note of their office'
);
SELECT results_eq(
    $$ SELECT user_id FROM crm.equipe ORDER BY user_id $$,
    $$ VALUES ('00000000-0000-4000-8000-0000000000a1'::uuid), ('00000000-0000-4000-8000-0000000000a5'::uuid) $$,
    'an atendente sees the active members of its office, not the deactivated one'
);
SELECT throws_ok(
    $$ INSERT INTO crm.documentos (escritorio_id, cliente_id, nome_arquivo, storage_path, enviado_por)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1',
               'x.pdf', 'a0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000a1/x.pdf', '00000000-0000-4000-8000-0000000000a2') $$,
    '42501', NULL,
    'staff cannot upload a document in the client''s name (forged enviado_por)'
);
SELECT lives_ok(
    $$ INSERT INTO crm.documentos (escritorio_id, cliente_id, nome_arquivo, storage_path, enviado_por)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2',
               'x.pdf', 'a0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000a2/x.pdf', '00000000-0000-4000-8000-0000000000a1') $$,
    'staff file a document for a client of their office'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a5');  -- supervisor of A

SELECT results_eq(
    $$ SELECT user_id FROM crm.equipe ORDER BY user_id $$,
    $$ VALUES ('00000000-0000-4000-8000-0000000000a1'::uuid), ('00000000-0000-4000-8000-0000000000a5'::uuid),
              ('00000000-0000-4000-8000-0000000000a6'::uuid) $$,
    'a supervisor sees every member of its office, the deactivated one included'
);

-- =============================================================================================
-- anon: no privilege on the domain schemas at all
-- =============================================================================================
SELECT tests.authenticate_as_anon();

SELECT throws_ok($$ SELECT id FROM tickets.tickets $$, '42501', NULL, 'anon cannot read tickets');
SELECT throws_ok($$ SELECT id FROM crm.clientes $$, '42501', NULL, 'anon cannot read clients');
SELECT throws_ok(
    $$ SELECT private.cliente_do_usuario() $$, '42501', NULL, 'anon cannot call the policy helpers'
);

SELECT tests.clear_authentication();

SELECT * FROM finish();
ROLLBACK;
