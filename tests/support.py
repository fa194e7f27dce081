"""Helpers shared by the test modules (not a test module itself)."""

from __future__ import annotations

import io

from schema_kit.cli import parse_args, run


def cli(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process, as CI would call it: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = run(parse_args(list(argv)), out, err)
    return code, out.getvalue(), err.getvalue()
