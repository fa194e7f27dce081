"""The wheel carries every SQL source, so an installed schema-kit works without a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from schema_kit.sources import KINDS

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_sql_sources(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("schema_kit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    expected = {f"schema_kit/sql/{p.relative_to(ROOT).as_posix()}"
                for kind in KINDS for p in (ROOT / kind).iterdir() if p.is_file()}
    assert expected, "no SQL sources found"
    assert expected <= names, sorted(expected - names)
    assert "schema_kit/queries/supabase_preflight.sql" in names
    inspect_sql = ROOT / "src" / "schema_kit" / "inspect" / "sql"
    shipped = {f"schema_kit/inspect/sql/{p.name}" for p in inspect_sql.glob("*.sql")}
    assert len(shipped) > 10 and shipped <= names, sorted(shipped - names)
    realtime_sql = {f"schema_kit/realtime/sql/{p.name}"
                    for p in (ROOT / "src/schema_kit/realtime/sql").glob("*.sql")}
    assert realtime_sql and realtime_sql <= names, sorted(realtime_sql - names)
    assert "schema_kit/py.typed" in names
