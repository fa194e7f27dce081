-- Which of the given schemas already exist (the compatibility layer would create them).
select nspname
from pg_catalog.pg_namespace
where nspname = any(%(schemas)s)
order by nspname
