-- After a complete apply (inside its last transaction): remember what it ran from and left.
insert into schema_kit.apply_state as s (singleton, sources_digest, applied_digest, recorded_at)
select
    true,
    %(sources_digest)s,
    pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
        coalesce(pg_catalog.string_agg(m.migration_id, E'\n' order by m.migration_id), ''), 'UTF8')), 'hex'),
    pg_catalog.now()
from schema_kit._yoyo_migration as m
on conflict (singleton) do update
    set sources_digest = excluded.sources_digest,
        applied_digest = excluded.applied_digest,
        recorded_at = excluded.recorded_at
