-- Demo data, part 1 (as the owner): offices, logins, staff, clients, an active Balcão session.
-- Fixed ids so the personas printed by `schema-kit seed --demo` stay the same everywhere.
-- Part 2 (tickets, comments, chat) runs through the real flows, acting as each persona.

INSERT INTO crm.escritorios (id, nome) VALUES
    ('0f000000-0000-4000-8000-000000000001', 'Silva & Associados'),
    ('0f000000-0000-4000-8000-000000000002', 'Souza Advocacia');

INSERT INTO auth.users (id, email, raw_user_meta_data, created_at, updated_at) VALUES
    ('0a000000-0000-4000-8000-000000000001', 'ana.atendente@silva.demo', '{"nome": "Ana"}', now(), now()),
    ('0a000000-0000-4000-8000-000000000002', 'bruno.supervisor@silva.demo', '{"nome": "Bruno"}', now(), now()),
    ('0a000000-0000-4000-8000-000000000003', 'carla.atendente@souza.demo', '{"nome": "Carla"}', now(), now()),
    ('0c000000-0000-4000-8000-000000000001', 'joao@cliente.demo', '{"nome": "João"}', now(), now()),
    ('0c000000-0000-4000-8000-000000000002', 'maria@cliente.demo', '{"nome": "Maria"}', now(), now()),
    ('0c000000-0000-4000-8000-000000000003', 'pedro@cliente.demo', '{"nome": "Pedro"}', now(), now());

-- nome_exibicao: what clients see as the author of a staff chat message (autor_nome).
INSERT INTO crm.equipe (escritorio_id, user_id, papel, nome_exibicao) VALUES
    ('0f000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001', 'atendente', 'Ana'),
    ('0f000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000002', 'supervisor', 'Bruno'),
    ('0f000000-0000-4000-8000-000000000002', '0a000000-0000-4000-8000-000000000003', 'atendente', 'Carla');

INSERT INTO crm.clientes (id, escritorio_id, user_id, nome, email, documento, telefone) VALUES
    ('0d000000-0000-4000-8000-000000000001', '0f000000-0000-4000-8000-000000000001',
     '0c000000-0000-4000-8000-000000000001', 'João Pereira', 'joao@cliente.demo',
     '123.456.789-09', '+55 11 90000-0001'),
    ('0d000000-0000-4000-8000-000000000002', '0f000000-0000-4000-8000-000000000001',
     '0c000000-0000-4000-8000-000000000002', 'Maria Oliveira', 'maria@cliente.demo',
     '987.654.321-00', '+55 11 90000-0002'),
    ('0d000000-0000-4000-8000-000000000003', '0f000000-0000-4000-8000-000000000002',
     '0c000000-0000-4000-8000-000000000003', 'Pedro Santos', 'pedro@cliente.demo',
     '111.222.333-44', '+55 21 90000-0003');

-- João is talking to the office's virtual front desk right now: his next ticket imports this.
INSERT INTO balcao_virtual.sessoes_ativas (id, escritorio_id, cliente_id, atendente_id, canal)
VALUES ('0b000000-0000-4000-8000-000000000001', '0f000000-0000-4000-8000-000000000001',
        '0d000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001', 'web');

INSERT INTO balcao_virtual.logs_conversas
    (sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem, enviado_em)
VALUES
    ('0b000000-0000-4000-8000-000000000001', '0f000000-0000-4000-8000-000000000001', 'bot',
     'Assistente', 'Olá! Como posso ajudar?', now() - interval '10 minutes'),
    ('0b000000-0000-4000-8000-000000000001', '0f000000-0000-4000-8000-000000000001', 'cliente',
     'João', 'Recebi uma notificação do contrato de aluguel.', now() - interval '9 minutes'),
    ('0b000000-0000-4000-8000-000000000001', '0f000000-0000-4000-8000-000000000001', 'atendente',
     'Ana', 'Vou abrir um chamado para analisarmos.', now() - interval '8 minutes');
