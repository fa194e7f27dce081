"""Load the generated data set (benchmarks/sql/generate.sql) and make it ready to query."""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import psycopg
from psycopg import sql

Log = Callable[[str], None]


def _sql(name: str) -> str:
    return files("benchmarks").joinpath("sql", name).read_text(encoding="utf-8")


def generate(dsn: str, params: dict[str, int], log: Log) -> float:
    """Run the generator with ``params``, then VACUUM ANALYZE; returns the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name, value in params.items():
            conn.execute(sql.SQL("select set_config({}, {}, false)").format(
                sql.Literal(f"bench.{name}"), sql.Literal(str(value))))
        with conn.transaction():
            conn.execute(_sql("generate.sql").encode("utf-8"))
        log(f"data: generated in {time.perf_counter() - started:.0f} s")
        conn.execute(_sql("plain_tables.sql").encode("utf-8"))
        conn.execute("vacuum (analyze)")
    seconds = time.perf_counter() - started
    log(f"data: ready (vacuum analyze) after {seconds:.0f} s")
    return seconds


def targets(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """The named personas and objects of the data set (bench.alvos)."""
    rows = conn.execute(_sql("targets.sql")).fetchall()
    return {str(name): str(value) for name, value in rows}


def counts(conn: psycopg.Connection[Any]) -> list[tuple[str, int]]:
    """Row counts of the loaded tables, for the report."""
    rows = conn.execute(_sql("counts.sql")).fetchall()
    return [(str(name), int(n)) for name, n in rows]
