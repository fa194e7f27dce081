-- A sub-select in a policy that refers to the row (a correlated EXISTS / IN / scalar sub-select:
-- a Var with varlevelsup >= 1 in the stored expression tree) is costed by the planner on every
-- row the scan reads, even when the reader's own cheaper filter leaves a handful: one probe of
-- ~8 cost units on a 15,000-row table made a plain read cost ~218,000 units, over
-- jit_above_cost, and every read spent 40-70 ms compiling JIT code (issue 9). Check the row
-- through a helper function (costed as a call, run on the rows the cheaper quals leave) or
-- compare a column to an uncorrelated InitPlan ((SELECT helper())).
SELECT
    'policy:' || pg_catalog.format('%%I.%%I.%%I', n.nspname, c.relname, p.polname) AS object,
    'holds a sub-select that refers to the row: its cost is charged to every row scanned '
    '(can push reads over jit_above_cost); use a helper call or an uncorrelated (SELECT ...)'
    AS message
FROM pg_catalog.pg_policy AS p
INNER JOIN pg_catalog.pg_class AS c ON p.polrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE n.nspname <> ALL(%(excluded)s)
    AND (coalesce(p.polqual::text, '') ~ ':varlevelsup [1-9]'
        OR coalesce(p.polwithcheck::text, '') ~ ':varlevelsup [1-9]')
ORDER BY 1
