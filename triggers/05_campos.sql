-- =============================================================================================
-- Bounds of every text column an API role can write (ARCHITECTURE §9)
-- =============================================================================================
-- One BEFORE INSERT OR UPDATE row trigger per table, private.tg_validar_campos
-- (functions/05_campos.sql.j2), whose arguments are the table's bounds: 'coluna:N' visible text
-- of at most N characters (SK016 blank, SK017 too long), 'coluna:conteudo' the content rule
-- (SK006/SK007, max_message_length), 'coluna:a|b|c' one of these values (SK013); '!' refuses
-- NULL. Named *_40_campos: after the domain's own derivation triggers (10-21), whose errors
-- come first, before the AFTER effects. The columns of tickets.tickets that its own triggers
-- validate (titulo, descricao, prioridade, status: triggers/10_tickets.sql) are not repeated.
-- tests/test_hardening_inputs.py finds every API-writable text column in the catalog and tries
-- an oversize and a blank value in each: a new column without a bound fails there by name.

CREATE OR REPLACE TRIGGER escritorios_40_campos
BEFORE INSERT OR UPDATE ON crm.escritorios
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos('nome!:200');

CREATE OR REPLACE TRIGGER equipe_40_campos
BEFORE INSERT OR UPDATE ON crm.equipe
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos('papel!:atendente|supervisor|admin', 'nome_exibicao:100');

-- e-mail: 254 characters is the SMTP limit of a forward path; documento (CPF/CNPJ with
-- punctuation, passport) and telefone (E.164 with formatting) fit in 40.
CREATE OR REPLACE TRIGGER clientes_40_campos
BEFORE INSERT OR UPDATE ON crm.clientes
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos('nome!:200', 'email:254', 'documento:40', 'telefone:40');

-- File names as most file systems allow (255); the storage path's layout is checked by
-- documentos_10_regras (triggers/14_documentos.sql); MIME types are at most 127 characters
-- (RFC 6838: 127 for type and subtype).
CREATE OR REPLACE TRIGGER documentos_40_campos
BEFORE INSERT OR UPDATE ON crm.documentos
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos('nome_arquivo!:255', 'storage_path!:1024', 'mime_type:127');

CREATE OR REPLACE TRIGGER tickets_40_campos
BEFORE INSERT OR UPDATE ON tickets.tickets
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos('categoria:100');

CREATE OR REPLACE TRIGGER ticket_comments_40_campos
BEFORE INSERT OR UPDATE ON tickets.ticket_comments
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos(
    'conteudo!:conteudo',
    'autor_tipo!:cliente|equipe|sistema|balcao_virtual',
    'origem!:portal|equipe|balcao_virtual|sistema'
);

CREATE OR REPLACE TRIGGER chat_mensagens_40_campos
BEFORE INSERT OR UPDATE ON tickets.chat_mensagens
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos('conteudo!:conteudo', 'autor_tipo!:cliente|equipe|sistema');

CREATE OR REPLACE TRIGGER sessoes_ativas_40_campos
BEFORE INSERT OR UPDATE ON balcao_virtual.sessoes_ativas
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos('canal!:50', 'status!:ativa|encerrada');

-- mensagem follows the content rule, so an imported line always fits in a comment.
CREATE OR REPLACE TRIGGER logs_conversas_40_campos
BEFORE INSERT OR UPDATE ON balcao_virtual.logs_conversas
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos(
    'mensagem!:conteudo', 'autor_nome:200', 'autor_tipo!:cliente|atendente|bot', 'id_externo:200'
);

-- service_role may append events of backend jobs; the jsonb images are written by the audit
-- triggers from rows bounded above.
CREATE OR REPLACE TRIGGER eventos_40_campos
BEFORE INSERT ON audit.eventos
FOR EACH ROW
EXECUTE FUNCTION private.tg_validar_campos(
    'tabela!:200', 'operacao!:INSERT|UPDATE|DELETE', 'registro_id:200', 'ator_papel:200'
);
