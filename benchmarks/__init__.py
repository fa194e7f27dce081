"""Benchmark suite of schema_kit (issue 9): data generator, scenarios, report.

``python -m benchmarks --scale full`` (``make bench``) starts a throwaway PostgreSQL, applies
every unit, loads the generated data and writes ``benchmarks/RESULTS.md``: each figure next to
its hand-written baseline measured in the same run, the ratio, and the plans.
"""
