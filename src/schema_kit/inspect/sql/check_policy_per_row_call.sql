-- auth.uid() / auth.jwt() / auth.role() / auth.email() / current_setting() in a policy must be
-- wrapped in a sub-select, (SELECT auth.uid()), so the planner runs it once per statement
-- (an InitPlan) instead of once per row.
WITH pol AS (
    SELECT p.schemaname, p.tablename, p.policyname,
           coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '') AS expr
    FROM pg_catalog.pg_policies AS p
    WHERE p.schemaname <> ALL(%(excluded)s)
)
SELECT
    'policy:' || pg_catalog.format('%%I.%%I.%%I', schemaname, tablename, policyname) AS object,
    'calls auth.*() / current_setting() per row: write (SELECT auth.uid()) so it runs once'
    AS message
FROM pol
WHERE pg_catalog.regexp_count(expr, '(auth\.(uid|jwt|role|email)|current_setting)\(')
    > pg_catalog.regexp_count(expr, 'SELECT (auth\.(uid|jwt|role|email)|current_setting)\(')
ORDER BY 1
