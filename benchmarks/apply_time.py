"""Whole-process time: `schema-kit apply` on an empty database vs `psql -1 -f` of the render,
and a no-op re-apply. The tool is measured as installed: a wheel ships compiled bytecode, so an
editable checkout's modules are compiled first (under PYTHONDONTWRITEBYTECODE=1 Python would
otherwise recompile every schema_kit module at each start, ~0.05-0.1 s of CPU)."""

from __future__ import annotations

import compileall
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import schema_kit
from benchmarks.server import drop_database, fresh_database
from schema_kit.testing import psql_path


@dataclass
class ApplyTimes:
    """Seconds per run: apply from empty, psql of the render, and a no-op re-apply."""

    apply_s: list[float] = field(default_factory=list)
    psql_s: list[float] = field(default_factory=list)
    noop_s: list[float] = field(default_factory=list)


def _timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed: {proc.stderr.strip()[-500:]}")
    return seconds


def _render(out: Path) -> tuple[Path, Path]:
    """The ordered SQL `schema-kit render` writes, as two files: the units apply runs in its one
    transaction, and those marked `-- transactional: false` (CREATE INDEX CONCURRENTLY), which
    apply runs after the commit, statement by statement."""
    folder = out / "rendered"
    subprocess.run([_schema_kit(), "render", "--out", str(folder)], check=True,
                   capture_output=True, timeout=120)
    units = sorted(p for p in folder.iterdir()
                   if p.name.endswith(".sql") and not p.name.endswith(".rollback.sql"))
    texts = [p.read_text("utf-8") for p in units]
    online = [t for t in texts if t.startswith("-- transactional: false")]
    combined, after = out / "all.sql", out / "online.sql"
    combined.write_text("".join(t + "\n" for t in texts if t not in online), encoding="utf-8")
    after.write_text("".join(t + "\n" for t in online), encoding="utf-8")
    return combined, after


def _schema_kit() -> str:
    return str(Path(sys.executable).with_name("schema-kit"))


def compile_package() -> None:
    """Bytecode for the schema_kit package, as ``pip install`` of the wheel writes it."""
    compileall.compile_dir(str(Path(schema_kit.__file__).parent), quiet=1)


def measure_apply(admin_dsn: str, runs: int, warmup: int) -> ApplyTimes:
    """A B A B ...: apply / psql, each on a fresh database; then a no-op re-apply."""
    times = ApplyTimes()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        rendered, online = _render(Path(tmp))
        for index in range(warmup + runs):
            dsn = fresh_database(admin_dsn, "bench_apply")
            a = _timed([_schema_kit(), "apply", "--dsn", dsn])
            n = _timed([_schema_kit(), "apply", "--dsn", dsn])
            dsn = fresh_database(admin_dsn, "bench_apply")
            p = _timed([psql_path(), "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", dsn,
                        "-f", str(rendered)])
            p += _timed([psql_path(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn,
                         "-f", str(online)])
            if index >= warmup:
                times.apply_s.append(a)
                times.noop_s.append(n)
                times.psql_s.append(p)
        drop_database(admin_dsn, "bench_apply")
    return times
