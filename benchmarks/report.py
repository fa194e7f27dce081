"""benchmarks/RESULTS.md: figures, ratios against the same-run baselines, goals, plans.

Sections written by other tools (``## Realtime delivery``) are carried over from the previous
file unchanged; the hand-written reading of the figures (benchmarks/ANALYSIS.md: what changed,
which goals are missed and the plan that shows why) is included as it is. The raw figures are
also written as JSON, so a later run can show them as "before" (``--before``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.apply_time import ApplyTimes
from benchmarks.notify import NotifyLatency
from benchmarks.queries import Timing, median, percentile
from benchmarks.throughput import Throughput

KEPT_SECTIONS = ("## Realtime delivery",)
HERE = Path(__file__).parent


@dataclass
class Run:
    """Everything one benchmark run measured."""

    scale: str
    machine: str
    server: str
    data_seconds: float
    counts: list[tuple[str, int]]
    timings: list[Timing] = field(default_factory=list)
    throughput: list[tuple[Throughput, Throughput]] = field(default_factory=list)
    apply: ApplyTimes | None = None
    notify: NotifyLatency | None = None


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _verdict(goal: str, ratio_p95: float, p95_ms: float) -> str:
    kind, _, limit = goal.partition(" ")
    if kind == "ratio":
        return f"≤ {limit}x: {'met' if ratio_p95 <= float(limit) else 'MISSED'}"
    if kind == "p95_ms":
        return f"p95 ≤ {limit} ms: {'met' if p95_ms <= float(limit) else 'MISSED'}"
    return "-"


def summary(run: Run) -> dict[str, Any]:
    """The figures as JSON-able data (also what --before reads)."""
    data: dict[str, Any] = {"scale": run.scale, "queries": {}, "throughput": {}, "apply": {}}
    for t in run.timings:
        data["queries"][t.scenario.name] = {
            "product_p50": median(t.product_ms), "product_p95": percentile(t.product_ms, 95),
            "baseline_p50": median(t.baseline_ms), "baseline_p95": percentile(t.baseline_ms, 95),
        }
    for product, baseline in run.throughput:
        data["throughput"][f"c{product.clients}"] = {"product_tps": product.tps,
                                                     "baseline_tps": baseline.tps}
    if run.notify is not None:
        n = run.notify
        data["notify"] = {"product_p99": n.p("product", 99), "baseline_p99": n.p("baseline", 99),
                          "product_rate": n.product_rate, "baseline_rate": n.baseline_rate}
    if run.apply is not None:
        data["apply"] = {"apply_s": median(run.apply.apply_s), "psql_s": median(run.apply.psql_s),
                         "noop_s": median(run.apply.noop_s)}
    return data


def _kept(previous: str) -> str:
    """Sections of the previous RESULTS.md that other tools own, verbatim."""
    kept: list[str] = []
    for heading in KEPT_SECTIONS:
        found = re.search(rf"^{re.escape(heading)}\b.*?(?=^## |\Z)", previous, re.S | re.M)
        if found:
            kept.append(found.group(0).rstrip() + "\n")
    return "\n".join(kept)


def render(run: Run, before: dict[str, Any] | None, previous: str) -> str:
    out: list[str] = []
    w = out.append
    w("# Benchmark results\n")
    w("Written by `make bench` (`python -m benchmarks`). Each figure is the server time of one "
      "statement (planning + execution, from EXPLAIN ANALYZE with TIMING OFF, no client round "
      "trip), product as the persona (role and JWT claims set per transaction as PostgREST "
      "does) and its hand-written baseline as the table owner without RLS, alternated in the "
      "same run. Ratio = product / baseline. Throughput: pgbench, one transaction per "
      "message. Method and data: benchmarks/README.md.\n")
    w(f"- machine: {run.machine}")
    w(f"- server: {run.server}")
    w(f"- scale: `{run.scale}`; data generated and vacuumed in {run.data_seconds:.0f} s")
    w("- rows: " + ", ".join(f"{name} {n:,}" for name, n in run.counts) + "\n")
    w("## Queries (ms)\n")
    has_before = before is not None and before.get("scale") == run.scale
    head = ("| scenario | product p50 | p95 | baseline p50 | p95 | ratio p50 | ratio p95 | goal |"
            + (" before: product p95 / ratio p95 |" if has_before else ""))
    w(head)
    w("|---" * (9 if has_before else 8) + "|")
    for t in run.timings:
        pp50, pp95 = median(t.product_ms), percentile(t.product_ms, 95)
        bp50, bp95 = median(t.baseline_ms), percentile(t.baseline_ms, 95)
        row = (f"| {t.scenario.title} | {_ms(pp50)} | {_ms(pp95)} | {_ms(bp50)} | {_ms(bp95)} "
               f"| {pp50 / bp50:.2f}x | {pp95 / bp95:.2f}x "
               f"| {_verdict(t.scenario.goal, pp95 / bp95, pp95)} |")
        if has_before and before is not None:
            old = before["queries"].get(t.scenario.name)
            row += (f" {_ms(old['product_p95'])} / "
                    f"{old['product_p95'] / old['baseline_p95']:.2f}x |" if old else " - |")
        w(row)
    w("")
    if run.throughput:
        w("## enviar_mensagem throughput (pgbench)\n")
        w("| connections | product tx/s | latency p50 / p95 ms | baseline tx/s "
          "| latency p50 / p95 ms | ratio | goal ≥ 0.6x |"
          + (" before: ratio |" if has_before else ""))
        w("|---" * (8 if has_before else 7) + "|")
        for product, baseline in run.throughput:
            ratio = product.tps / baseline.tps
            row = (f"| {product.clients} | {product.tps:,.0f} "
                   f"| {_ms(product.p50)} / {_ms(product.p95)} "
                   f"| {baseline.tps:,.0f} | {_ms(baseline.p50)} / {_ms(baseline.p95)} "
                   f"| {ratio:.2f}x | {'met' if ratio >= 0.6 else 'MISSED'} |")
            if has_before and before is not None:
                old = before["throughput"].get(f"c{product.clients}")
                row += f" {old['product_tps'] / old['baseline_tps']:.2f}x |" if old else " - |"
            w(row)
        w("")
    if run.notify is not None:
        n = run.notify
        ratio = n.p("product", 99) / n.p("baseline", 99)
        w(f"## commit → pg_notify delivery ({n.target_rate:,} msgs/s offered, "
          f"{len(n.product_ms):,} + {len(n.baseline_ms):,} messages)\n")
        w("Latency from the writer's COMMIT to a LISTENing session receiving the announcement "
          "(benchmarks/notify.py). Product: one broadcast inserted into `realtime.messages` "
          "(announced by the local realtime layer's trigger, ordered at commit); baseline: a "
          "transaction that only calls `pg_notify`.\n")
        w("| figure | msgs/s written | p50 ms | p95 ms | p99 ms |")
        w("|---|---|---|---|---|")
        for which, rate in (("product", n.product_rate), ("baseline", n.baseline_rate)):
            w(f"| {which} | {rate:,.0f} | {_ms(n.p(which, 50))} | {_ms(n.p(which, 95))} "
              f"| {_ms(n.p(which, 99))} |")
        w(f"\np99 ratio {ratio:.2f}x: goal ≤ 2x {'met' if ratio <= 2 else 'MISSED'}.\n")
    if run.apply is not None:
        a = run.apply
        ratio = median(a.apply_s) / median(a.psql_s)
        w("## schema-kit apply (whole process, seconds, median of "
          f"{len(a.apply_s)} fresh databases)\n")
        w("| figure | seconds | goal |")
        w("|---|---|---|")
        w(f"| `schema-kit apply` from empty | {median(a.apply_s):.2f} | ≤ 2x psql: "
          f"{ratio:.2f}x {'met' if ratio <= 2 else 'MISSED'} |")
        w(f"| `psql -1 -f` of the render | {median(a.psql_s):.2f} | baseline |")
        w(f"| no-op re-apply | {median(a.noop_s):.2f} | ≤ 0.3 s: "
          f"{'met' if median(a.noop_s) <= 0.3 else 'MISSED'} |")
        w("")
    analysis = HERE / "ANALYSIS.md"
    if analysis.exists():
        w(analysis.read_text("utf-8").rstrip() + "\n")
    kept = _kept(previous)
    if kept:
        w(kept)
    w("## Plans (EXPLAIN ANALYZE, BUFFERS)\n")
    for t in run.timings:
        w(f"### {t.scenario.name}: {t.scenario.title}\n")
        w("<details><summary>product</summary>\n\n```\n" + t.product_plan + "\n```\n</details>\n")
        w("<details><summary>baseline</summary>\n\n```\n" + t.baseline_plan + "\n```\n</details>\n")
    return "\n".join(out).rstrip() + "\n"


def write(run: Run, out: Path, before_path: Path | None, json_out: Path | None) -> None:
    before = (json.loads(before_path.read_text("utf-8"))
              if before_path is not None and before_path.exists() else None)
    previous = out.read_text("utf-8") if out.exists() else ""
    out.write_text(render(run, before, previous), encoding="utf-8")
    if json_out is not None:
        json_out.write_text(json.dumps(summary(run), indent=2) + "\n", encoding="utf-8")
