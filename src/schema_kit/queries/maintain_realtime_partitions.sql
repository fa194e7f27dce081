-- Realtime's janitor (compat/0009): create the daily partitions of the window, drop the
-- expired ones; one row per change. Only where the compat layer provides the function.
select action, partition_name
from realtime.maintain_partitions()
order by action, partition_name
