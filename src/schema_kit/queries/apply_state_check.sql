-- Is this database exactly as the last complete apply from these sources left it? True only
-- when the sources digest matches and yoyo's applied ids are still the ones it recorded.
select coalesce(bool_and(
    s.sources_digest = %(sources_digest)s
    and s.applied_digest = (
        select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
            coalesce(pg_catalog.string_agg(m.migration_id, E'\n' order by m.migration_id), ''), 'UTF8')), 'hex')
        from schema_kit._yoyo_migration as m
    )
), false)
from schema_kit.apply_state as s
