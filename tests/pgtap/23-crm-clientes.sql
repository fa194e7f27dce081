-- Editing a client record: identity columns are immutable for API callers, a client corrects
-- only its contact fields, updated_at is stamped; the back-office (service_role) links logins.
BEGIN;
SELECT plan(10);

CREATE TEMP TABLE ids AS
SELECT
    tests.novo_escritorio('A') AS esc_a,
    tests.novo_escritorio('B') AS esc_b;
ALTER TABLE ids ADD COLUMN cliente uuid, ADD COLUMN staff uuid, ADD COLUMN login_livre uuid;
UPDATE ids SET
    cliente = tests.novo_cliente(esc_a, 'Cliente A'),
    staff = tests.novo_membro(esc_a, 'admin'),
    login_livre = tests.create_user('livre@portal.test');
-- staff of both offices: the move A → B would pass RLS, the trigger must still refuse it
INSERT INTO crm.equipe (escritorio_id, user_id, papel) SELECT esc_b, staff, 'admin' FROM ids;
-- backdate the stamps with triggers off, so "stamped by the trigger" below can fail
SET LOCAL session_replication_role = replica;
UPDATE crm.clientes SET updated_at = now() - interval '1 day' WHERE id = (SELECT cliente FROM ids);
UPDATE crm.equipe SET updated_at = now() - interval '1 day' WHERE user_id = (SELECT staff FROM ids);
SET LOCAL session_replication_role = origin;
SELECT ok(
    (SELECT updated_at < now() FROM crm.clientes WHERE id = (SELECT cliente FROM ids)),
    'setup: the client record carries an old updated_at'
);
GRANT SELECT ON ids TO authenticated, service_role;

SELECT tests.authenticate_as((SELECT staff FROM ids));
SELECT throws_ok(
    $$ UPDATE crm.clientes SET escritorio_id = (SELECT esc_b FROM ids) WHERE id = (SELECT cliente FROM ids) $$,
    'SK009', 'Campo imutável: escritorio_id.',
    'staff cannot move a client into another of their offices'
);
SELECT throws_ok(
    $$ UPDATE crm.clientes SET user_id = (SELECT login_livre FROM ids) WHERE id = (SELECT cliente FROM ids) $$,
    'SK009', 'Campo imutável: user_id.',
    'staff cannot attach a portal login to a client'
);
SELECT lives_ok(
    $$ UPDATE crm.clientes SET nome = 'Cliente A Ltda', documento = '12.345.678/0001-90'
       WHERE id = (SELECT cliente FROM ids) $$,
    'staff may correct name and document'
);

SELECT tests.authenticate_as(tests.login_do_cliente((SELECT cliente FROM ids)));
SELECT throws_ok(
    $$ UPDATE crm.clientes SET nome = 'Outro nome' WHERE id = (SELECT cliente FROM ids) $$,
    'SK010', 'Alteração não permitida pelo cliente: nome.',
    'a client cannot rename its record'
);
SELECT throws_ok(
    $$ UPDATE crm.clientes SET user_id = NULL WHERE id = (SELECT cliente FROM ids) $$,
    'SK009', 'Campo imutável: user_id.',
    'a client cannot detach its own login'
);
SELECT results_eq(
    $$ UPDATE crm.clientes SET telefone = '+55 11 91234-5678' WHERE id = (SELECT cliente FROM ids)
       RETURNING telefone, updated_at = now() $$,
    $$ VALUES ('+55 11 91234-5678'::text, true) $$,
    'a client updates its phone; updated_at is stamped'
);

SELECT tests.authenticate_as_service_role();
SELECT lives_ok(
    $$ UPDATE crm.clientes SET user_id = NULL WHERE id = (SELECT cliente FROM ids) $$,
    'the back-office (service_role) manages portal logins'
);

SELECT tests.clear_authentication();
SELECT ok(
    (SELECT bool_and(updated_at < now()) FROM crm.equipe WHERE user_id = (SELECT staff FROM ids)),
    'setup: memberships carry an old updated_at'
);
UPDATE crm.equipe SET papel = 'supervisor' WHERE user_id = (SELECT staff FROM ids);
SELECT ok(
    (SELECT bool_and(updated_at = now()) FROM crm.equipe WHERE user_id = (SELECT staff FROM ids)),
    'equipe.updated_at is stamped on update'
);

SELECT * FROM finish();
ROLLBACK;
