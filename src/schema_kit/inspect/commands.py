"""The DBA's commands on the CLI: ``lint``, ``audit``, ``drift``, ``explain``.

``cli.py`` stays a dispatcher: :func:`add_parsers` adds the subcommands, :data:`COMMANDS` maps
them to ``(args, settings, out, err) -> exit code``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from schema_kit.config import Settings
from schema_kit.connect import resolve_dsn

EXIT_OK, EXIT_FINDINGS, EXIT_DRIFT = 0, 1, 2
LINT_TOOLS = ("splinter", "catalog", "sources", "squawk", "plpgsql_check")


def add_parsers(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                database_options: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("lint", help="splinter, the project's catalog checks, squawk and "
                       "plpgsql_check in one report (exit 1 on ERROR, or WARN with --strict)")
    database_options(p)
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    p.add_argument("--strict", action="store_true", help="warnings fail too")
    p.add_argument("--waivers", type=Path, help="TOML file of [[waiver]] key + reason")
    p.add_argument("--skip", action="append", choices=LINT_TOOLS, default=[],
                   help="leave one tool out (repeatable)")

    p = sub.add_parser("audit", help="what the database allows, per schema and table: RLS, "
                       "policies, triggers, functions, grants, access per role, lint findings")
    database_options(p)
    p.add_argument("--format", choices=("md", "json", "html"), default="md")
    p.add_argument("--out", type=Path, help="write to this file instead of stdout")
    p.add_argument("--waivers", type=Path, help="waivers for the lint section")

    p = sub.add_parser("drift", help="compare the live catalog with the sources applied to a "
                       "scratch database (exit 2 on drift)")
    database_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("explain", help="why can (or can't) this user see/change this row or "
                       "topic: persona, policies evaluated on the row, helpers, grants")
    database_options(p)
    p.add_argument("--user", required=True, help="auth.users id (uuid), or 'anon'")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--table", help="schema.table of the row (with --id)")
    target.add_argument("--topic", help="a realtime topic, e.g. ticket:<uuid>")
    p.add_argument("--id", dest="row_id", help="the row's id (primary key value)")
    p.add_argument("--op", choices=("select", "insert", "update", "delete"), default="select")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _logger(err: TextIO) -> Callable[[str], None]:
    def log(line: str) -> None:
        err.write(line + "\n")

    return log


def _dsn(settings: Settings, err: TextIO) -> str:
    return resolve_dsn(settings, _logger(err))


def _write(text: str, out: TextIO, path: Path | None, err: TextIO) -> None:
    if path is None:
        out.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    err.write(f"wrote {path}\n")


def cmd_lint(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from schema_kit.inspect.findings import load_waivers
    from schema_kit.inspect.lint import lint
    from schema_kit.inspect.report import render_report, summary

    waivers = load_waivers(args.waivers) if args.waivers else []
    report = lint(_dsn(settings, err), settings, waivers, skip=args.skip,
                  log=_logger(err))
    out.write(render_report(report, args.format))
    failed = report.failed(args.strict)
    if args.format != "text":
        err.write(summary(report) + "\n")
    return EXIT_FINDINGS if failed else EXIT_OK


def cmd_audit(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from schema_kit.inspect.audit import audit, render_audit
    from schema_kit.inspect.findings import load_waivers

    waivers = load_waivers(args.waivers) if args.waivers else []
    data = audit(_dsn(settings, err), settings, waivers)
    _write(render_audit(data, args.format), out, args.out, err)
    return EXIT_OK


def cmd_drift(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from schema_kit.inspect.drift import drift, render_drift

    changes = drift(_dsn(settings, err), settings, log=_logger(err))
    out.write(render_drift(changes, args.format))
    err.write(f"drift: {len(changes)} object(s) differ\n" if changes else "drift: none\n")
    return EXIT_DRIFT if changes else EXIT_OK


def cmd_explain(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from schema_kit.inspect.explain import Request, explain, render_explanation

    request = Request(user=args.user, table=args.table, row_id=args.row_id, topic=args.topic,
                      op=args.op)
    explanation = explain(_dsn(settings, err), request)
    out.write(render_explanation(explanation, args.format))
    return EXIT_OK


COMMANDS = {"lint": cmd_lint, "audit": cmd_audit, "drift": cmd_drift, "explain": cmd_explain}
