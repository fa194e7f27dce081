-- crm.equipe: the name a client sees for a staff member.
--
-- Why: a ChatWidget shows "Ana" next to a staff message, but a client may not read crm.equipe
-- (staff only) and auth.users is not readable by the API roles. The office sets a display name
-- per member (service_role / back-office); the chat history and the chat broadcast carry it as
-- autor_nome. NULL: shown as 'Equipe'. Never an e-mail or a login: only what the office chose.

ALTER TABLE crm.equipe ADD COLUMN nome_exibicao text;

COMMENT ON COLUMN crm.equipe.nome_exibicao IS
'Name shown to clients for this member (chat autor_nome); set by the office; NULL = ''Equipe''.';
