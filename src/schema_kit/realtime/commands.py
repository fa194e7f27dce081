"""The realtime commands: ``listen``, ``realtime serve`` and ``realtime tokens``.

Each is ``(args, settings, out, err) -> exit code``, called by :mod:`schema_kit.cli`.
SIGINT/SIGTERM end ``listen`` and ``serve`` cleanly (exit 0). Both keep the compat layer's
``realtime.messages`` partitions (:mod:`schema_kit.realtime.upkeep`) while they run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TextIO

from schema_kit.config import Settings
from schema_kit.connect import redact, resolve_dsn
from schema_kit.errors import SchemaKitError
from schema_kit.realtime.hub import (
    MAX_QUEUE,
    Hub,
    HubClosed,
    JoinRefused,
    ResumeError,
    SubscriberTooSlow,
)
from schema_kit.realtime.tokens import DEV_JWT_SECRET, sign, user_claims
from schema_kit.realtime.upkeep import keep_partitions, maintain_once

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 4000


def jwt_secret(args: argparse.Namespace, settings: Settings) -> str:
    """--jwt-secret, else settings (SCHEMA_KIT_JWT_SECRET, pyproject), else the dev default."""
    return str(getattr(args, "jwt_secret", None) or settings.jwt_secret or DEV_JWT_SECRET)


def _log(err: TextIO, line: str) -> None:
    err.write(line + "\n")
    err.flush()


def _until_signal(main: Callable[[asyncio.Event], Coroutine[Any, Any, int]]) -> int:
    async def runner() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            return await main(stop)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    return asyncio.run(runner())


@contextlib.asynccontextmanager
async def _upkeep(dsn: str, log: Callable[[str], None],
                  stop: asyncio.Event) -> AsyncIterator[None]:
    """The periodic partition upkeep (after the run at start) while the body runs."""
    task = asyncio.create_task(keep_partitions(dsn, log, stop, first=False))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def freeze_start_up_heap() -> None:
    """Long-running commands: put everything allocated at start-up (modules, settings) out of
    the cyclic collector's reach, so a full collection walks only what the run allocates. Each
    full collection over the start-up heap paused delivery 40-80 ms (benchmarks/ANALYSIS.md)."""
    gc.collect()
    gc.freeze()


def listen(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """One JSON line per message of TOPIC, as --user sees it; exit 1 on a refused join."""
    dsn = resolve_dsn(settings, lambda line: _log(err, line))
    claims = user_claims(args.user)

    async def main(stop: asyncio.Event) -> int:
        await asyncio.to_thread(maintain_once, dsn, lambda line: _log(err, line))
        async with Hub(dsn) as hub, _upkeep(dsn, lambda line: _log(err, line), stop):
            try:
                sub = await hub.subscribe(args.topic, claims, since=args.since)
            except (JoinRefused, ResumeError) as exc:
                raise SchemaKitError(str(exc)) from None
            freeze_start_up_heap()
            err.write(f"listening on {args.topic} as {args.user} ({redact(dsn)}); "
                      "Ctrl-C to stop\n")
            err.flush()
            stopped = asyncio.create_task(stop.wait())
            while not stop.is_set():
                nxt = asyncio.create_task(sub.__anext__())
                await asyncio.wait({nxt, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if not nxt.done():
                    nxt.cancel()
                    break
                try:
                    message = nxt.result()
                except (HubClosed, SubscriberTooSlow) as exc:
                    raise SchemaKitError(str(exc)) from None
                out.write(message.to_json() + "\n")
                out.flush()
            return 0

    return _until_signal(main)


def serve(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """The local Supabase Realtime stand-in, until Ctrl-C / SIGTERM."""
    from schema_kit.realtime.server import serve as run_server

    def log(line: str) -> None:
        err.write(line + "\n")
        err.flush()

    dsn = resolve_dsn(settings, log)
    secret = jwt_secret(args, settings)
    if secret == DEV_JWT_SECRET:
        log("realtime: using the documented local JWT secret (development only)")

    async def main(stop: asyncio.Event) -> int:
        await asyncio.to_thread(maintain_once, dsn, log)
        try:
            async with _upkeep(dsn, log, stop):
                freeze_start_up_heap()
                await run_server(dsn, args.host, args.port, secret, log, stop,
                                 max_queue=args.max_queue or MAX_QUEUE)
        except OSError as exc:
            raise SchemaKitError(f"cannot listen on {args.host}:{args.port}: "
                                 f"{exc.strerror or exc}") from None
        log("realtime: stopped")
        return 0

    return _until_signal(main)


def tokens(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """How to reach ``realtime serve``: command, URL, anon key and a token per demo persona."""
    import psycopg

    from schema_kit.seed import personas

    secret = jwt_secret(args, settings)
    dsn = resolve_dsn(settings, lambda line: _log(err, line))
    ttl = 12 * 3600
    url = f"ws://{DEFAULT_HOST}:{DEFAULT_PORT}/realtime/v1"
    lines = [
        "realtime (local stand-in for Supabase Realtime; not started by default):",
        "  start:    .venv/bin/schema-kit realtime serve   "
        f"(--host {DEFAULT_HOST} --port {DEFAULT_PORT})",
        f"  URL:      {url}   (supabase-js: createClient('http://{DEFAULT_HOST}:"
        f"{DEFAULT_PORT}', ANON_KEY))",
        f"  anon key: {sign({'role': 'anon', 'iss': 'schema-kit'}, secret, ttl)}",
        f"  tokens (valid {ttl // 3600} h; realtime.setAuth(token), channel config "
        "{private: true}):",
    ]
    with psycopg.connect(dsn) as conn:
        for person in personas(conn):
            token = sign({**user_claims(person.user_id), "email": person.email}, secret, ttl)
            lines.append(f"    {person.label:<10} {person.email:<30} {token}")
    out.write("\n".join(lines) + "\n")
    return 0
