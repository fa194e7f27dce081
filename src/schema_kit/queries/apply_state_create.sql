-- The digest of the sources the last complete apply ran from, and of what it left recorded in
-- yoyo's table; a no-op re-apply compares both before rendering anything (schema_kit.uptodate).
create table if not exists schema_kit.apply_state (
    singleton boolean primary key default true check (singleton),
    sources_digest text not null,
    applied_digest text not null,
    recorded_at timestamptz not null default pg_catalog.now()
);
comment on table schema_kit.apply_state is
'One row: sha256 of the sources (files, target, template settings, tool version) of the last apply that left nothing pending, and of the applied ids it recorded. Any difference means: plan and run normally.'
