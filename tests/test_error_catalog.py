"""docs/errors.md and the SQL agree: every SQLSTATE the domain raises is documented, and every
documented code is raised somewhere and exercised by a test."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"SK\d{3}")


def _codes(paths: list[Path]) -> set[str]:
    return {code for path in paths for code in CODE.findall(path.read_text(encoding="utf-8"))}


def _sql_sources() -> list[Path]:
    return [p for kind in ("functions", "triggers", "policies")
            for p in (ROOT / kind).iterdir() if ".sql" in p.name]


def test_every_raised_code_is_documented_and_every_documented_code_is_raised() -> None:
    documented = {m.group(1) for m in re.finditer(r"^\| `(SK\d{3})` \|",
                                                  (ROOT / "docs/errors.md").read_text(), re.M)}
    raised = _codes(_sql_sources())
    assert raised, "no SK codes found in the SQL sources"
    assert raised - documented == set(), "raised but not in docs/errors.md"
    assert documented - raised == set(), "documented but never raised"


def test_every_documented_code_is_exercised_by_a_test() -> None:
    tests = list((ROOT / "tests/pgtap").glob("*.sql")) + [
        p for p in (ROOT / "tests").glob("test_*.py") if p.name != Path(__file__).name]
    untested = _codes([ROOT / "docs/errors.md"]) - _codes(tests)
    assert untested == set()
