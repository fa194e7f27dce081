"""The two data scales: ``full`` (issue 9's figures) and ``tiny`` (proves the suite runs)."""

from __future__ import annotations

from dataclasses import dataclass

# Generator parameters (benchmarks/sql/generate.sql reads them as settings bench.<name>).
FULL: dict[str, int] = {
    "offices": 200,
    "tickets": 1_000_000,
    "big_office_tickets": 100_000,
    "big_client_tickets": 3_000,
    "big_thread_comments": 2_000,
    "comments": 2_000_000,
    "chat_big": 100_000,
    "chat_spread": 100_000,
    "realtime_rows": 15_000,
    "sessions": 20_000,
    "session_lines": 10,
    "long_sessions": 200,
    "long_session_lines": 400,
    "staff_per_office": 5,
    "big_office_staff": 50,
    "import_lines": 200,
}

TINY: dict[str, int] = {
    "offices": 4,
    "tickets": 2_000,
    "big_office_tickets": 600,
    "big_client_tickets": 60,
    "big_thread_comments": 40,
    "comments": 2_000,
    "chat_big": 200,
    "chat_spread": 100,
    "realtime_rows": 200,
    "sessions": 60,
    "session_lines": 3,
    "long_sessions": 2,
    "long_session_lines": 20,
    "staff_per_office": 2,
    "big_office_staff": 8,
    "import_lines": 200,
}


@dataclass(frozen=True)
class Scale:
    """A data scale and how long to measure at it."""

    name: str
    params: dict[str, int]
    runs: int  # measured runs of each query scenario (after warm-up)
    warmup: int
    pgbench_seconds: int  # 0: a fixed number of transactions instead (pgbench -t)
    pgbench_transactions: int
    apply_runs: int
    notify_rate: int  # commit -> pg_notify delivery: messages/s offered
    notify_seconds: float  # ... for this long, for the product and for the baseline each


SCALES = {
    "full": Scale("full", FULL, runs=40, warmup=5, pgbench_seconds=20, pgbench_transactions=0,
                  apply_runs=5, notify_rate=1000, notify_seconds=5.0),
    "tiny": Scale("tiny", TINY, runs=2, warmup=1, pgbench_seconds=0, pgbench_transactions=20,
                  apply_runs=1, notify_rate=100, notify_seconds=0.5),
}
