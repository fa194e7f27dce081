"""The benchmark suite runs end to end at the tiny scale (no timing is asserted: figures are
only meaningful at full scale, in `make bench`)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from benchmarks.__main__ import parse_args, run
from benchmarks.queries import load_scenarios

KEPT = "## Realtime delivery\n\nowned by another tool: p99 42 ms\n"


def test_tiny_scale_writes_every_figure_and_plan(admin_dsn: str, tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# old\n\n## Queries (ms)\n\nstale\n\n" + KEPT, encoding="utf-8")
    raw = tmp_path / "results.json"
    out, err = io.StringIO(), io.StringIO()

    code = run(parse_args(["--scale", "tiny", "--dsn", admin_dsn, "--out", str(results),
                           "--json", str(raw), "--before", str(tmp_path / "none.json")]),
               out, err)

    assert code == 0, err.getvalue()
    text = results.read_text(encoding="utf-8")
    scenarios = load_scenarios()
    assert len(scenarios) >= 18
    for scenario in scenarios:
        assert f"| {scenario.title} |" in text
        assert f"### {scenario.name}: " in text
    assert "stale" not in text
    assert KEPT.strip() in text
    assert text.count("Execution Time") >= 2 * len(scenarios)
    assert "| 1 |" in text and "| 4 |" in text
    assert "`schema-kit apply` from empty" in text
    assert "## commit → pg_notify delivery" in text
    figures = json.loads(raw.read_text(encoding="utf-8"))
    assert set(figures["queries"]) == {s.name for s in scenarios}
    assert figures["queries"]["01_staff_count"]["product_p50"] > 0
    assert set(figures["throughput"]) == {"c1", "c4"}
    assert figures["notify"]["product_p99"] > 0 and figures["notify"]["baseline_p99"] > 0
