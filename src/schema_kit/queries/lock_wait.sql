-- What one backend (the run's connection) is waiting for, and who holds it: one row per
-- blocking session. Read by a second connection while a statement of the run is slow, so a
-- lock timeout can be reported as "waited for <lock> on <relation>, held by <session>".
select
    l.mode,
    case
        when l.relation is not null then coalesce((
            select pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
            from pg_catalog.pg_class as c
            inner join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
            where c.oid = l.relation
        ), 'relation ' || l.relation::text)
        when l.locktype = 'transactionid' then 'transaction ' || l.transactionid::text
        when l.locktype = 'virtualxid' then 'the snapshot of transaction ' || l.virtualxid
        else l.locktype
    end as target,
    blocker.pid,
    coalesce(nullif(b.application_name, ''), '?') as application_name,
    coalesce(b.state, '?') as state,
    pg_catalog.left(pg_catalog.regexp_replace(coalesce(b.query, ''), '\s+', ' ', 'g'), 80)
        as query
from pg_catalog.pg_locks as l
cross join lateral pg_catalog.unnest(pg_catalog.pg_blocking_pids(l.pid)) as blocker (pid)
left join pg_catalog.pg_stat_activity as b on b.pid = blocker.pid
where l.pid = %(pid)s and not l.granted
order by blocker.pid
