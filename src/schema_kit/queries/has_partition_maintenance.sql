-- Does this database have the compat layer's realtime partition maintenance (compat/0009)?
select pg_catalog.to_regprocedure('realtime.maintain_partitions(timestamptz, interval)') is not null
