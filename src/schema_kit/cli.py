"""Command line: ``parse_args(argv)`` → ``run(args, out, err) -> exit code`` → thin ``main``.

Exit codes: 0 ok; 1 error (and ``lint`` findings that fail); 2 pending units (``status
--check``) or drift (``drift``); 64 bad usage; 130 interrupted. Every error ends in one
``error: …`` line on stderr, never a traceback (``SCHEMA_KIT_DEBUG=1`` re-raises an unexpected
exception for a developer).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from schema_kit import __version__
from schema_kit.config import TARGETS, Settings, load_settings
from schema_kit.connect import redact, resolve_dsn
from schema_kit.errors import SchemaKitError
from schema_kit.inspect import commands as inspect_commands

if TYPE_CHECKING:
    from schema_kit.migrate import Migrator, PlanItem

EXIT_OK, EXIT_ERROR, EXIT_PENDING, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 64, 130


class UsageError(Exception):
    """Bad command line; argparse's message."""


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _database_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--dsn", help="server to use (else SCHEMA_KIT_DSN, else DATABASE_URL); "
                       "an empty value is an error")
    where.add_argument("--local", action="store_true", help="use the local throwaway cluster "
                       "in .schema-kit/ (started if needed); without a DSN this is implied "
                       "only at an interactive terminal outside CI")
    _render_options(parser)


def _lock_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lock-timeout", metavar="DURATION", help="longest wait of any "
                        "statement for a lock, e.g. 500ms, 5s (default 5s; setting lock_timeout)")
    parser.add_argument("--lock-retries", metavar="N", help="retries of a run that hit the "
                        "lock timeout, with backoff (default 3; setting lock_retries)")
    parser.add_argument("--statement-timeout", metavar="DURATION", help="longest any statement "
                        "may run, e.g. 5min (default 0 = no limit; setting statement_timeout)")


def _render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=TARGETS, help="postgres (default: applies the "
                        "Supabase compatibility layer) or supabase (the platform provides it)")
    parser.add_argument("--sources", type=Path, help="folder with compat/, migrations/, "
                        "functions/, triggers/, policies/ (default: the packaged SQL)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="schema-kit",
        description="Render, apply and test the support platform's database layer.",
        epilog="exit codes: 0 ok, 1 error or failing lint findings, 2 pending units "
               "(status --check) or drift, 64 bad usage, 130 interrupted",
    )
    parser.add_argument("--version", action="version", version=f"schema-kit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("render", help="print or write the ordered SQL that apply runs")
    _render_options(p)
    p.add_argument("--out", type=Path, help="write one file per unit into this folder")

    p = sub.add_parser("apply", help="apply pending versioned units and changed repeatable units")
    _database_options(p)
    _lock_options(p)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    mode.add_argument("--plan-json", action="store_true", help="print the plan as JSON on "
                      "stdout (unit, kind, state, checksum, transactional), change nothing")

    p = sub.add_parser("status", help="list applied, pending and changed units")
    _database_options(p)
    p.add_argument("--check", action="store_true", help="exit 2 when anything is pending")

    p = sub.add_parser("rollback", help="undo the most recent versioned units")
    _database_options(p)
    _lock_options(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--steps", type=int, default=1, help="how many units (default 1)")
    group.add_argument("--all", action="store_true", help="undo every versioned unit")

    p = sub.add_parser("seed", help="load demo data through the real flows (idempotent)")
    _database_options(p)
    p.add_argument("--demo", action="store_true", required=True,
                   help="two offices, staff, clients, a Balcão session, tickets and chat")

    p = sub.add_parser("export", help="write the units as Supabase CLI migrations (+ pgTAP tests)")
    p.add_argument("platform", choices=("supabase",), help="what to export for")
    p.add_argument("dir", type=Path, help="project folder: writes DIR/supabase/migrations and "
                   "DIR/supabase/tests")
    p.add_argument("--sources", type=Path, help="folder with migrations/, functions/, … "
                   "(default: the packaged SQL)")

    p = sub.add_parser("db", help="the local throwaway PostgreSQL cluster in .schema-kit/")
    p.add_argument("action", choices=("up", "down", "status", "url"))

    inspect_commands.add_parsers(sub, _database_options)
    _realtime_parsers(sub)
    return parser


def _realtime_parsers(sub: argparse._SubParsersAction[_Parser]) -> None:
    """listen, realtime serve, realtime tokens (schema_kit.realtime.commands)."""

    def where(parser: argparse.ArgumentParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--dsn", help="server to use (else SCHEMA_KIT_DSN, else DATABASE_URL)")
        group.add_argument("--local", action="store_true", help="use the local throwaway cluster")

    p = sub.add_parser("listen", help="print one JSON line per message of a topic, as a user")
    p.add_argument("topic", help="e.g. ticket:<uuid> or escritorio:<uuid>")
    p.add_argument("--user", required=True, help="auth.users id to subscribe as")
    p.add_argument("--since", help="resume after this message id (no gap, no duplicate)")
    where(p)
    p = sub.add_parser("realtime", help="local Supabase Realtime stand-in (dev and CI)")
    actions = p.add_subparsers(dest="realtime_action", required=True, parser_class=_Parser)
    q = actions.add_parser("serve", help="serve ws://HOST:PORT/realtime/v1 until Ctrl-C")
    where(q)
    q.add_argument("--host", default="127.0.0.1")
    q.add_argument("--port", type=int, default=4000)
    q.add_argument("--jwt-secret", help="HS256 secret (else SCHEMA_KIT_JWT_SECRET, else the "
                   "documented local default)")
    q.add_argument("--max-queue", type=_positive, metavar="N",
                   help="messages a channel may fall behind before it is ended with a system "
                   "error (default 10000)")
    q = actions.add_parser("tokens", help="print the URL, anon key and demo persona tokens")
    where(q)
    q.add_argument("--jwt-secret", help="HS256 secret (as for serve)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


_FLAG_SETTINGS = ("dsn", "local", "target", "sources", "lock_timeout", "lock_retries",
                  "statement_timeout")


def _settings(args: argparse.Namespace) -> Settings:
    flags = {name: getattr(args, name, None) for name in _FLAG_SETTINGS}
    return load_settings(flags)


def _cmd_render(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from schema_kit.render import render, write

    units = render(settings)
    if args.out is not None:
        written = write(units, args.out)
        err.write(f"wrote {len(written)} files for {len(units)} units to {args.out}\n")
        return EXIT_OK
    for index, unit in enumerate(units, start=1):
        out.write(f"-- ==== {index:03d} {unit.label} ====\n{unit.sql}")
        if not unit.sql.endswith("\n"):
            out.write("\n")
    return EXIT_OK


def _logger(err: TextIO) -> Callable[[str], None]:
    def log(line: str) -> None:
        err.write(line + "\n")
        err.flush()

    return log


def _database(settings: Settings, log: Callable[[str], None]) -> str:
    dsn = resolve_dsn(settings, log)
    log(f"database: {redact(dsn)} (target {settings.target})")
    return dsn


def _migrator(settings: Settings, err: TextIO, *, read_only: bool = False,
              dsn: str | None = None) -> Migrator:
    from schema_kit.migrate import Migrator
    from schema_kit.render import render

    log = _logger(err)
    units = render(settings)
    if dsn is None:
        dsn = _database(settings, log)
    return Migrator(dsn, units, settings.target, log, read_only=read_only,
                    lock_timeout_ms=settings.lock_timeout, lock_retries=settings.lock_retries,
                    statement_timeout_ms=settings.statement_timeout)


def _cmd_apply(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    if args.dry_run or args.plan_json:
        with _migrator(settings, err, read_only=True) as migrator:
            if args.plan_json:
                migrator.preflight(migrator.applied_ids())
                out.write(json.dumps(_plan_document(migrator, settings), indent=2) + "\n")
            else:
                migrator.apply(dry_run=True)
        return EXIT_OK
    from schema_kit import uptodate

    # A no-op decided from the database's record before rendering (or importing) anything.
    digest = uptodate.sources_digest(settings)
    dsn = _database(settings, _logger(err))
    if digest is not None and uptodate.try_noop(dsn, digest, settings, _logger(err)):
        return EXIT_OK
    with _migrator(settings, err, dsn=dsn) as migrator:
        migrator.apply()
        if digest is not None and uptodate.sources_digest(settings) == digest:
            migrator.remember(digest)  # unchanged while this run rendered and applied them
    return EXIT_OK


def _plan_document(migrator: Migrator, settings: Settings) -> dict[str, object]:
    """The plan for CI: every unit with its state and the checksum of its rendered SQL."""
    units = []
    for item in migrator.plan():
        units.append({
            "unit": item.unit.label,
            "kind": item.unit.source.kind,
            "state": item.state,
            "checksum": item.unit.checksum,
            "transactional": migrator.transactional(item.unit),
            "invalid_indexes": migrator.invalid_indexes(item.unit),
        })
    todo = [u for u in units if u["state"] != "applied"]
    return {"target": settings.target, "units": units, "to_run": len(todo),
            "unchanged": len(units) - len(todo)}


def _status_note(migrator: Migrator, item: PlanItem) -> str:
    if migrator.transactional(item.unit):
        return ""
    invalid = migrator.invalid_indexes(item.unit)
    note = " (non-transactional"
    if invalid:
        note += f"; INVALID index {', '.join(invalid)} from a failed build: the next apply " \
                "rebuilds it"
    return note + ")"


def _cmd_status(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with _migrator(settings, err, read_only=True) as migrator:
        plan = migrator.plan()
        for item in plan:
            out.write(f"{item.state:<8} {item.unit.label}{_status_note(migrator, item)}\n")
        for stale in migrator.unknown_ids():
            out.write(f"{'unknown':<8} {stale} (applied, not in the sources)\n")
    pending = sum(item.state != "applied" for item in plan)
    err.write(f"{len(plan) - pending} applied, {pending} pending\n")
    return EXIT_PENDING if args.check and pending else EXIT_OK


def _cmd_rollback(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    if not args.all and args.steps < 1:
        raise UsageError("schema-kit rollback: --steps must be at least 1")
    with _migrator(settings, err) as migrator:
        migrator.rollback(len(migrator.units) if args.all else args.steps)
    return EXIT_OK


def _cmd_seed(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from schema_kit.seed import describe, seed_demo

    def log(line: str) -> None:
        err.write(line + "\n")

    dsn = resolve_dsn(settings, log)
    out.write(describe(redact(dsn), seed_demo(dsn, log)) + "\n")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace, settings: Settings, out: TextIO,
                err: TextIO) -> int:
    import dataclasses

    from schema_kit.export import export_supabase
    from schema_kit.render import render
    from schema_kit.sources import sql_root

    supabase = dataclasses.replace(settings, target="supabase")
    tests = sql_root(supabase.sources) / "tests"
    report = export_supabase(
        render(supabase), args.dir, suites=tests / "pgtap",
        helpers=[tests / "sql" / "helpers.sql", tests / "sql" / "fixtures.sql"])
    for path in report.written:
        out.write(f"{path}\n")
    err.write(f"{len(report.written)} migrations written, {len(report.unchanged)} units unchanged, "
              f"{len(report.tests)} pgTAP suites in {args.dir / 'supabase' / 'tests'}\n")
    return EXIT_OK


def _cmd_db(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from schema_kit.localdb import LocalCluster, LocalDBError

    cluster = LocalCluster(settings.local_dir)

    def log(line: str) -> None:
        err.write(line + "\n")

    try:
        if args.action == "up":
            out.write(cluster.up(log=log) + "\n")
        elif args.action == "down":
            cluster.down(log=log)
        elif args.action == "url":
            out.write(cluster.url() + "\n")
        else:
            status = cluster.status()
            state = "running" if status.running else (
                "stopped" if status.initialized else "not initialized")
            out.write(f"{state} {status.data_dir}" + (f" {status.dsn}" if status.dsn else "")
                      + "\n")
            return EXIT_OK if status.running else EXIT_ERROR
    except LocalDBError as exc:
        raise SchemaKitError(str(exc)) from None
    return EXIT_OK


def _cmd_realtime(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from schema_kit.realtime import commands

    action = "listen" if args.command == "listen" else args.realtime_action
    result: int = getattr(commands, action)(args, settings, out, err)
    return result


COMMANDS = {
    "render": _cmd_render,
    "apply": _cmd_apply,
    "status": _cmd_status,
    "rollback": _cmd_rollback,
    "seed": _cmd_seed,
    "export": _cmd_export,
    "db": _cmd_db,
    **inspect_commands.COMMANDS,
    "listen": _cmd_realtime,
    "realtime": _cmd_realtime,
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run a parsed command; every error becomes one line on ``err`` and an exit code."""
    try:
        settings = _settings(args)
        return COMMANDS[args.command](args, settings, out, err)
    except UsageError as exc:
        err.write(f"{_one_line(str(exc))}\n")
        return EXIT_USAGE
    except SchemaKitError as exc:
        err.write(f"error: {_one_line(str(exc))}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.write("error: interrupted (an open transaction is rolled back by the server)\n")
        return EXIT_INTERRUPTED
    except OSError as exc:  # a file or folder the command reads or writes
        where = f": {exc.filename}" if exc.filename else ""
        err.write(f"error: {exc.strerror or _one_line(str(exc))}{where}\n")
        return EXIT_ERROR
    except Exception as exc:  # the promise: no traceback, whatever went wrong
        if os.environ.get("SCHEMA_KIT_DEBUG"):
            raise
        kind = "database" if _is_database_error(exc) else "unexpected"
        err.write(f"error: {kind} error: {type(exc).__name__}: {_one_line(str(exc))} "
                  "(SCHEMA_KIT_DEBUG=1 shows the traceback)\n")
        return EXIT_ERROR


def _is_database_error(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.Error)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except UsageError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_USAGE
    return run(args, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
