"""Write throughput with pgbench: enviar_mensagem against the same two rows without triggers."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from benchmarks.queries import median, percentile


@dataclass
class Throughput:
    """One pgbench run: transactions per second and per-transaction latencies (ms)."""

    script: str
    clients: int
    tps: float
    latencies_ms: list[float]

    @property
    def p50(self) -> float:
        return median(self.latencies_ms) if self.latencies_ms else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95) if self.latencies_ms else 0.0


def pgbench_path() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    from schema_kit.localdb import find_bindir

    return str(find_bindir() / "pgbench")


def _env(dsn: str) -> dict[str, str]:
    parts = conninfo_to_dict(dsn)
    mapping = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "dbname": "PGDATABASE",
               "password": "PGPASSWORD"}
    env = {"PATH": "/usr/bin:/bin"}
    for key, var in mapping.items():
        if parts.get(key):
            env[var] = str(parts[key])
    return env


def run_pgbench(dsn: str, script: str, clients: int, seconds: int,
                transactions: int) -> Throughput:
    """Run benchmarks/pgbench/<script>.sql with ``clients`` connections (-T or -t)."""
    length = ["-T", str(seconds)] if seconds > 0 else ["-t", str(transactions)]
    resource = files("benchmarks").joinpath("pgbench", f"{script}.sql")
    with as_file(resource) as path, tempfile.TemporaryDirectory() as logdir:
        proc = subprocess.run(
            [pgbench_path(), "-n", "-M", "prepared", "-c", str(clients), "-j", str(clients),
             *length, "-l", "--log-prefix", str(Path(logdir) / "tx"), "-f", str(path)],
            capture_output=True, text=True, env=_env(dsn), cwd=logdir, timeout=3600,
            check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"pgbench {script} failed: {proc.stderr.strip()[-500:]}")
        latencies: list[float] = []
        for log in Path(logdir).glob("tx*"):
            for line in log.read_text().splitlines():
                fields = line.split()
                if len(fields) >= 3:
                    latencies.append(int(fields[2]) / 1000.0)
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", proc.stdout)
    if not found:
        raise RuntimeError(f"pgbench {script}: no tps in its output")
    return Throughput(script, clients, float(found.group(1)), latencies)
