"""Query scenarios: each persona query next to its hand-written baseline, timed by the server.

A scenario file (benchmarks/scenarios/NN_name.sql) holds a header (title, persona, goal, and
``rows: differ`` for writes whose two sides return different row counts) and
two statements after the markers ``-- product`` and ``-- baseline``; ``{name}`` placeholders
are the named objects of the data set (bench.alvos). The product statement runs as the persona,
as PostgREST runs a request (role authenticated and request.jwt.claims set transaction-locally);
the baseline runs as the table owner (no RLS) and says by hand which rows the persona gets:
both must return the same number of rows, or the run stops (a policy that shows too much or
too little is a bug, not a speed-up).

Timing: ``EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON)`` reports the server's planning and
execution time of one statement without the client round trip; the figure is their sum.
Product and baseline alternate (A B A B ...) so drift hits both alike; every run is rolled
back, so write scenarios start from the same data each time.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import psycopg
from psycopg import sql

from schema_kit.personas import act_as

Log = Callable[[str], None]

_HEADER = re.compile(r"^--\s*(title|persona|goal|rows):\s*(.*)$")


@dataclass(frozen=True)
class Scenario:
    """One scenario file."""

    name: str
    title: str
    persona: str
    goal: str  # "ratio X", "p95_ms X" or "none"
    product: str
    baseline: str
    same_rows: bool = True  # header "rows: differ" for writes, whose two sides return unlike rows


@dataclass
class Timing:
    """Measured server times (ms) of one scenario, and its plans."""

    scenario: Scenario
    product_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    product_plan: str = ""
    baseline_plan: str = ""


def load_scenarios() -> list[Scenario]:
    """Every scenario file, in file-name order."""
    folder = files("benchmarks").joinpath("scenarios")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [parse_scenario(n.removesuffix(".sql"), folder.joinpath(n).read_text("utf-8"))
            for n in names]


def parse_scenario(name: str, text: str) -> Scenario:
    meta: dict[str, str] = {}
    parts: dict[str, list[str]] = {"product": [], "baseline": []}
    current: str | None = None
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header and current is None:
            meta[header.group(1)] = header.group(2).strip()
        elif line.strip() in ("-- product", "-- baseline"):
            current = line.strip()[3:]
        elif current is not None:
            parts[current].append(line)
    missing = {"title", "persona", "goal"} - meta.keys()
    if missing or not all("".join(v).strip() for v in parts.values()):
        raise ValueError(f"scenario {name}: needs title, persona, goal, product and baseline")
    return Scenario(name, meta["title"], meta["persona"], meta["goal"],
                    "\n".join(parts["product"]).strip().rstrip(";"),
                    "\n".join(parts["baseline"]).strip().rstrip(";"),
                    meta.get("rows", "same") != "differ")


def _statement(text: str, targets: dict[str, str]) -> sql.Composed:
    names = set(re.findall(r"\{(\w+)\}", text))
    return sql.SQL(text).format(**{n: sql.Literal(targets[n]) for n in names})


def _explain(conn: psycopg.Connection[Any], statement: sql.Composed,
             options: str) -> list[tuple[Any, ...]]:
    query = sql.SQL("explain ({}) ").format(sql.SQL(options)) + statement
    return conn.execute(query).fetchall()


def _one_run(conn: psycopg.Connection[Any], statement: sql.Composed,
             user: str | None) -> tuple[float, int]:
    """Server time (ms) of one rolled-back run, and the number of rows it returned."""
    with conn.transaction(force_rollback=True):
        if user is not None:
            act_as(conn, user)
        rows = _explain(conn, statement, "analyze, timing off, summary on, format json")
    plan = rows[0][0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    seconds = float(plan[0]["Planning Time"]) + float(plan[0]["Execution Time"])
    return seconds, int(plan[0]["Plan"]["Actual Rows"])


def _plan_text(conn: psycopg.Connection[Any], statement: sql.Composed, user: str | None) -> str:
    with conn.transaction(force_rollback=True):
        if user is not None:
            act_as(conn, user)
        rows = _explain(conn, statement, "analyze, buffers, costs off")
    return "\n".join(str(r[0]) for r in rows)


def measure(conn: psycopg.Connection[Any], scenario: Scenario, targets: dict[str, str],
            runs: int, warmup: int) -> Timing:
    """Time ``scenario`` (product as its persona, baseline as owner), then capture both plans."""
    product = _statement(scenario.product, targets)
    baseline = _statement(scenario.baseline, targets)
    user = targets[scenario.persona]
    timing = Timing(scenario)
    for index in range(warmup + runs):
        p, p_rows = _one_run(conn, product, user)
        b, b_rows = _one_run(conn, baseline, None)
        if scenario.same_rows and p_rows != b_rows:
            # The baseline states by hand what the persona may see: a different answer means
            # the policy (or the baseline) is wrong, and the timing would compare nothing.
            raise RuntimeError(f"{scenario.name}: the persona got {p_rows} rows, "
                               f"the hand-written baseline {b_rows}")
        if index >= warmup:
            timing.product_ms.append(p)
            timing.baseline_ms.append(b)
    timing.product_plan = _plan_text(conn, product, user)
    timing.baseline_plan = _plan_text(conn, baseline, None)
    return timing


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return float(statistics.median(values))
