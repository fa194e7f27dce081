-- A no-op check's first step: the run's advisory lock (never waited for: a busy lock means
-- another run is applying, so the full path waits instead) and whether a state row can exist.
select
    pg_catalog.pg_try_advisory_lock(%(lock_key)s) as locked,
    pg_catalog.to_regclass('schema_kit.apply_state') is not null
    and pg_catalog.to_regclass('schema_kit._yoyo_migration') is not null as recorded
