-- title: staff (office of 100k tickets): count(*) of their tickets
-- persona: big_office_staff
-- goal: ratio 1.3
-- product
SELECT count(*) FROM tickets.tickets;
-- baseline
SELECT count(*) FROM tickets.tickets AS t WHERE t.escritorio_id = {big_office};
