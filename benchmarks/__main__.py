"""``python -m benchmarks``: generate the data, run every scenario, write RESULTS.md."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

import psycopg

from benchmarks import datagen, queries, report, server, throughput
from benchmarks.apply_time import measure_apply
from benchmarks.notify import measure_notify
from benchmarks.scales import SCALES

HERE = Path(__file__).parent


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="full",
                        help="full: 1M tickets (issue 9); tiny: proves the suite runs")
    parser.add_argument("--dsn", help="admin DSN of a server to use (default: a throwaway "
                        "local cluster); the database bench_<scale> is dropped and recreated")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--json", type=Path, default=None,
                        help="also write the raw figures as JSON (for a later --before)")
    parser.add_argument("--before", type=Path, default=HERE / "before.json",
                        help="figures of an earlier run, shown next to this one when the scale "
                        "matches (default: benchmarks/before.json)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --dsn: keep database bench_<scale> between runs; if it already "
                        "holds generated data, only apply pending units to it (for iterating on "
                        "the schema) instead of regenerating")
    parser.add_argument("--only", action="append", default=[],
                        help="run only scenarios whose name contains this (repeatable); "
                        "skips pgbench, notify and apply unless named 'pgbench' / 'notify' / "
                        "'apply'")
    return parser.parse_args(argv)


def _machine() -> str:
    cpus = os.cpu_count() or 0
    mem = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    return f"{platform.machine()}, {cpus} CPUs{mem}, {platform.system()} {platform.release()}"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scale = SCALES[args.scale]

    def log(line: str) -> None:
        print(line, file=out, flush=True)

    wanted = list(args.only)
    selected = [s for s in queries.load_scenarios()
                if not wanted or any(w in s.name for w in wanted)]
    try:
        with ExitStack() as stack:
            admin = args.dsn or stack.enter_context(server.local_server(log))
            dbname = f"bench_{scale.name}"
            reuse = bool(args.reuse and args.dsn)
            if reuse and server.has_data(admin, dbname):
                dsn = server.database(admin, dbname)
                server.apply_schema(dsn, log)
                seconds = 0.0
            else:
                dsn = server.fresh_database(admin, dbname)
                server.apply_schema(dsn, log)
                seconds = datagen.generate(dsn, scale.params, log)
            result = report.Run(scale.name, _machine(), server.server_version(dsn), seconds, [])
            with psycopg.connect(dsn, autocommit=True) as conn:
                result.counts = datagen.counts(conn)
                targets = datagen.targets(conn)
                for scenario in selected:
                    timing = queries.measure(conn, scenario, targets, scale.runs, scale.warmup)
                    result.timings.append(timing)
                    log(f"{scenario.name}: product p50 {queries.median(timing.product_ms):.3f} ms, "
                        f"baseline p50 {queries.median(timing.baseline_ms):.3f} ms")
            if not wanted or "pgbench" in wanted:
                for clients in (1, 4):
                    pair = tuple(throughput.run_pgbench(dsn, script, clients,
                                                        scale.pgbench_seconds,
                                                        scale.pgbench_transactions)
                                 for script in ("enviar_mensagem", "enviar_mensagem_baseline"))
                    result.throughput.append((pair[0], pair[1]))
                    log(f"enviar_mensagem x{clients}: {pair[0].tps:.0f} tx/s, "
                        f"baseline {pair[1].tps:.0f} tx/s")
            if not wanted or "notify" in wanted:
                result.notify = measure_notify(dsn, f"ticket:{targets['chat_ticket']}",
                                               scale.notify_rate, scale.notify_seconds)
                log(f"notify: p99 {result.notify.p('product', 99):.2f} ms, "
                    f"baseline p99 {result.notify.p('baseline', 99):.2f} ms")
            if not wanted or "apply" in wanted:
                warmup = 1 if scale.apply_runs > 1 else 0
                result.apply = measure_apply(admin, scale.apply_runs, warmup)
                log("apply: measured")
            # The report is written before the server goes away: a failed cleanup must not
            # cost the measurements.
            report.write(result, args.out, args.before, args.json)
            log(f"wrote {args.out}")
            if args.dsn and not reuse:
                server.drop_database(admin, dbname)
    except (psycopg.Error, RuntimeError, OSError) as exc:
        print(f"benchmarks: {exc}".splitlines()[0], file=err)
        return 1
    return 0


def main() -> None:
    sys.exit(run(parse_args(), sys.stdout, sys.stderr))


if __name__ == "__main__":
    main()
