"""Realtime delivery benchmark: insert -> official-client callback latency and msgs/s.

For ``listen`` (the Python API ``schema-kit listen`` is built on: one Hub, N subscriptions,
one process) and ``serve`` (``schema-kit realtime serve`` in its own process), with 1, 10 and
100 subscribers. ``serve`` is measured per official client library (``--clients``): ``py`` =
N PyPI ``realtime`` clients (protocol 1.0.0) spread over RECEIVERS processes; ``js`` = N npm
``@supabase/realtime-js`` clients (protocol 2.0.0, binary broadcast frames) in one Node
process (receive.mjs beside this file; ``make node-packages`` installs the client). pgbench
with WRITERS connections offers a rate (Poisson arrivals, ``-R``) on one ticket topic, with two
writers (benchmarks/realtime/<writer>.sql): ``enviar`` (the domain's
``tickets.enviar_mensagem``, the demo staff member and client) and ``send``
(``realtime.send`` of a bare payload, to measure delivery alone), ``--warmup`` seconds whose
messages are delivered and checked but not measured, then ``--seconds`` measured ones.
Latency = callback time - the database clock stamped in the payload when the row is written
(``enviado_em``; the same machine clock for every receiver). Writes the ``## Realtime
delivery`` section of benchmarks/RESULTS.md (other sections are left as they are). Not part
of ``make test``.

    .venv/bin/python -m benchmarks.realtime.bench [--dsn DSN] [--rate 1000] [--seconds 10]
        [--warmup 1] [--writers enviar,send] [--modes listen,serve] [--clients py,js]
        [--subscribers 1,10,100] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import psycopg
from benchmarks.throughput import pgbench_path

from schema_kit.config import Settings
from schema_kit.localdb import LocalCluster
from schema_kit.migrate import Migrator
from schema_kit.realtime import Hub
from schema_kit.realtime.commands import freeze_start_up_heap
from schema_kit.realtime.tokens import sign, user_claims
from schema_kit.render import render
from schema_kit.seed import ANA, JOAO, seed_demo

if TYPE_CHECKING:
    from realtime.types import BroadcastPayload

SECRET = "benchmark-secret-for-the-realtime-stand-in-0123456789"
WRITERS = 2  # pgbench connections offering the rate
RECEIVERS = 2  # processes the official clients of `serve` are spread over
SECTION = "## Realtime delivery"
READING = ("What sets these figures, what was changed and tried: benchmarks/ANALYSIS.md, "
           "\"Realtime delivery\" (also under \"Reading the figures\" above).")
SUPABASE = ("Supabase Realtime, Broadcast from Database (published: multi-node cluster, 80,000 "
            "users, 10,000 msgs/s)", 46.0, 132.0, 159.0, 10000.0)


# -- writers ----------------------------------------------------------------------------------

def _writers(dsn: str, ticket: str, writer: str, rate: float, total: int) -> subprocess.Popen[str]:
    """pgbench (C, so the load generator takes little of the 2 cores) with WRITERS connections
    sending ``total`` messages at ``rate`` per second in all (Poisson arrivals, pgbench -R):
    benchmarks/realtime/<writer>.sql. ``enviar``: the domain's ``tickets.enviar_mensagem``, one
    transaction per message as PostgREST runs an RPC, connection 0 as the demo staff member and
    connection 1 as the client. ``send``: ``realtime.send`` of a bare payload stamped with the
    database clock, to measure delivery alone."""
    script = Path(__file__).with_name(f"{writer}.sql")
    define = {"topic": f"ticket:{ticket}", "ticket": ticket,
              "staff_claims": json.dumps(user_claims(ANA)),
              "client_claims": json.dumps(user_claims(JOAO))}
    args = [pgbench_path(), "-n", "-M", "prepared", "-c", str(WRITERS), "-j", str(WRITERS),
            "-R", str(rate), "-t", str(total // WRITERS), "-f", str(script)]
    for name, value in define.items():
        args += ["-D", f"{name}={value}"]
    return subprocess.Popen([*args, dsn], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


# -- receivers --------------------------------------------------------------------------------

# Per subscriber: (callback time, enviado_em, message id) in arrival order.
Samples = list[list[tuple[float, str, str]]]
Row = tuple[str, str, int, dict[str, float]]  # writer, path, subscribers, figures
Collect = Callable[[float], Samples]  # waits up to that many seconds more, returns the samples
CLIENTS = {"py": "realtime-py 1.0.0", "js": "realtime-js 2.0.0"}
RECEIVE_JS = Path(__file__).with_name("receive.mjs")
GRACE = 15.0  # seconds deliveries get to finish once the writers are done


def result(samples: Samples, expected: int, measured_from: float) -> dict[str, float]:
    """Figures of a row. Latencies, written msgs/s and msgs/s per subscriber count only the
    messages written from ``measured_from`` on (after the warm-up); deliveries and
    completeness count every message."""
    measured = [[(received, datetime.fromisoformat(sent).timestamp())
                 for received, sent, _id in rows] for rows in samples]
    measured = [[(rcv, sent) for rcv, sent in rows if sent >= measured_from] for rows in measured]
    latencies = sorted((rcv - sent) * 1000 for rows in measured for rcv, sent in rows)
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] if count else float("nan")

    last = max((rcv for rows in measured for rcv, _s in rows), default=measured_from)
    per_sub = min((len(rows) for rows in measured), default=0)
    stamps = sorted({sent for rows in measured for _r, sent in rows})
    written = len(stamps) / max(stamps[-1] - stamps[0], 1e-9) if len(stamps) > 1 else 0.0
    return {"written_per_s": written, "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
            "mean": statistics.fmean(latencies) if latencies else float("nan"),
            "delivered": float(sum(map(len, samples))), "expected": float(expected),
            "complete": float(exactly_once(samples, expected)),
            "msgs_per_s": per_sub / max(last - measured_from, 1e-9)}


def exactly_once(samples: Samples, expected: int) -> bool:
    """Every subscriber got ``expected`` messages, none twice."""
    return all(len(rows) == expected == len({row[2] for row in rows}) for rows in samples)


async def _until(samples: Samples, expected: int, done: Callable[[], bool]) -> None:
    while not done() and sum(map(len, samples)) < expected * len(samples):
        await asyncio.sleep(0.05)


async def _receive_listen(dsn: str, topic: str, users: list[str], expected: int,
                          ready: Callable[[], None], done: Callable[[], bool]) -> Samples:
    """The Python API: one Hub, one subscription per subscriber, each drained by a task."""
    samples: Samples = [[] for _ in users]
    async with Hub(dsn) as hub:
        subs = [await hub.subscribe(topic, user_claims(user)) for user in users]

        async def consume(n: int) -> None:
            async for message in subs[n]:
                samples[n].append((time.time(), message.payload["enviado_em"], str(message.id)))

        tasks = [asyncio.create_task(consume(n)) for n in range(len(users))]
        freeze_start_up_heap()  # as `schema-kit listen` and `realtime serve` do
        ready()
        await _until(samples, expected, done)
        for task in tasks:
            task.cancel()
    return samples


def _recorder(rows: list[tuple[float, str, str]]) -> Callable[[BroadcastPayload], None]:
    """A realtime-py broadcast callback appending (receive time, enviado_em, id) to rows."""
    def record(message: BroadcastPayload) -> None:
        meta = message.get("meta")
        rows.append((time.time(), message["payload"]["enviado_em"],
                     meta.get("id", "") if meta else ""))

    return record


async def _receive_serve(url: str, topic: str, users: list[str], expected: int,
                         ready: Callable[[], None], done: Callable[[], bool]) -> Samples:
    """Official PyPI ``realtime`` clients, one socket each, callback = receive time."""
    from realtime import AsyncRealtimeClient
    from realtime.types import RealtimeChannelOptions

    samples: Samples = [[] for _ in users]
    anon = sign({"role": "anon"}, SECRET, 3600)
    options: RealtimeChannelOptions = {"config": {
        "private": True, "broadcast": {"self": False, "ack": False}, "presence": None}}
    clients = []
    for n, user in enumerate(users):
        client = AsyncRealtimeClient(url, anon, max_retries=1)
        await client.connect()
        await client.set_auth(sign(user_claims(user), SECRET, 3600))
        channel = client.channel(topic, options)
        channel.on_broadcast("mensagem", _recorder(samples[n]))
        await channel.subscribe()
        clients.append(client)
    ready()
    await _until(samples, expected, done)
    for client in clients:
        await client.close()
    return samples


def _receiver(mode: str, dsn: str, url: str, topic: str, users: list[str], expected: int,
              ready: Any, stop: Any, out: Any) -> None:
    """One receiver process: its share of the subscribers, samples sent back when done."""
    receive = _receive_listen(dsn, topic, users, expected, ready.release, stop.is_set) \
        if mode == "listen" else \
        _receive_serve(url, topic, users, expected, ready.release, stop.is_set)
    out.put(asyncio.run(receive))


def start_python(mode: str, dsn: str, url: str, topic: str, users: list[str],
                 expected: int) -> Collect:
    """``listen``: one process, one Hub (as ``schema-kit listen`` and the Python API serve one
    application). ``serve``: the N PyPI clients spread over RECEIVERS processes, so
    client-side parsing does not set the pace. Returns once every subscriber is ready."""
    procs = 1 if mode == "listen" else min(RECEIVERS, len(users))
    ctx = multiprocessing.get_context("spawn")
    ready, stop, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    receivers = [ctx.Process(target=_receiver, args=(mode, dsn, url, topic, users[k::procs],
                                                     expected, ready, stop, out))
                 for k in range(procs)]
    for proc in receivers:
        proc.start()
    for _ in receivers:
        ready.acquire()

    def collect(grace: float) -> Samples:
        timer = threading.Timer(grace, stop.set)
        timer.start()
        samples: Samples = []
        for _ in receivers:
            samples += out.get()
        timer.cancel()
        stop.set()
        for proc in receivers:
            proc.join()
        return samples

    return collect


def node_command() -> list[str]:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is required for --clients js (make node-packages)")
    # Node 20 ships the WebSocket global behind a flag (on by default from Node 22).
    return [node, "--experimental-websocket", "--no-warnings", str(RECEIVE_JS)]


def start_js(url: str, topic: str, anon: str, tokens: list[str], expected: int) -> Collect:
    """The N ``@supabase/realtime-js`` clients (one per token) in one Node process
    (receive.mjs). Returns once every client is subscribed."""
    fd, name = tempfile.mkstemp(prefix="schema-kit-bench-js-", suffix=".json")
    os.close(fd)
    out = Path(name)
    env = {**os.environ, "RT_URL": url, "RT_ANON": anon, "RT_TOPIC": topic,
           "RT_TOKENS": json.dumps(tokens), "RT_EXPECT": str(expected), "RT_OUT": name}
    proc = subprocess.Popen(node_command(), env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    first = json.loads(proc.stdout.readline() or '{"error": "receive.mjs exited"}')
    proc.stdout.close()
    if "error" in first:
        proc.stdin.close()
        proc.wait(timeout=30)
        out.unlink()
        raise RuntimeError(f"realtime-js receiver: {first['error']}")

    def collect(grace: float) -> Samples:
        assert proc.stdin is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)  # it exits by itself once every client has all
        proc.stdin.close()  # the deadline: it writes what it has got so far
        proc.wait(timeout=30)
        try:
            if proc.returncode != 0:
                raise RuntimeError(f"realtime-js receiver exited with {proc.returncode}")
            rows = json.loads(out.read_text(encoding="utf-8"))
        finally:
            out.unlink()
        return [[(received / 1000, sent, str(id_)) for received, sent, id_ in sub]
                for sub in rows]

    return collect


def _start(mode: str, client: str, dsn: str, url: str, topic: str, users: list[str],
           expected: int) -> Collect:
    if mode == "serve" and client == "js":
        return start_js(url, topic, sign({"role": "anon"}, SECRET, 3600),
                        [sign(user_claims(user), SECRET, 3600) for user in users], expected)
    return start_python(mode, dsn, url, topic, users, expected)


def run_one(mode: str, client: str, writer: str, dsn: str, url: str, topic: str, ticket: str,
            subscribers: int, rate: float, seconds: float, warmup: float) -> dict[str, float]:
    """One row: subscribers ready, writers paced at ``rate`` for ``warmup`` + ``seconds``
    (the warm-up's messages are delivered and checked but not measured), then GRACE seconds
    for deliveries to finish."""
    expected = int(rate / WRITERS * (warmup + seconds)) * WRITERS
    users = [JOAO if n % 2 else ANA for n in range(subscribers)]
    collect = _start(mode, client, dsn, url, topic, users, expected)
    start_at = time.time()
    load = _writers(dsn, ticket, writer, rate, expected)
    output, _ = load.communicate()  # the writers may fall behind the offered rate
    if load.returncode != 0:
        collect(0)
        raise RuntimeError(f"pgbench ({writer}) failed: {output.strip()[-500:]}")
    return result(collect(GRACE), expected, start_at + warmup)


def path_label(mode: str, client: str) -> str:
    """The row's path: ``listen``, or ``serve`` with the client library and protocol."""
    return f"serve ({CLIENTS[client]})" if mode == "serve" else mode


# -- setup and report -------------------------------------------------------------------------

def _prepare(dsn: str) -> tuple[str, str]:
    settings = Settings(target="postgres")
    with Migrator(dsn, render(settings), settings.target, lambda _l: None) as migrator:
        migrator.apply()
    seed_demo(dsn, lambda _l: None)
    with psycopg.connect(dsn) as conn:
        row = conn.execute("select id from tickets.tickets where status = 'aberto' and "
                           "cliente_id = (select id from crm.clientes where user_id = %s) "
                           "order by numero limit 1", (JOAO,)).fetchone()
    assert row is not None
    return f"ticket:{row[0]}", str(row[0])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _report(rows: list[Row], rate: float, rate_100: float, seconds: float, warmup: float,
            verdict: str) -> str:
    lines = [SECTION, "",
             f"`make bench-realtime` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()}, shared with other "
             f"jobs; load average {os.getloadavg()[0]:.1f} at the end). pgbench with {WRITERS} "
             f"connections offers {rate:.0f} msgs/s ({rate_100:.0f} with 100 subscribers; "
             f"Poisson arrivals, `-R`) for {warmup:g} s of warm-up then {seconds:g} measured s "
             "on one ticket topic; the "
             "warm-up's messages are delivered and checked (deliveries, complete) but not in "
             "the other figures (a fresh receiver process starts slow). "
             "Writer `enviar` = the domain's "
             "`tickets.enviar_mensagem` (chat message + archive row, as the demo client and "
             "staff); writer `send` = `realtime.send` of a bare payload, to measure delivery "
             "alone. Latency = official-client callback time minus the database clock stamped "
             "in the payload when the row is written (`enviado_em`: insert -> callback, commit "
             "included). `listen` = the Python API behind `schema-kit listen` (one Hub, one "
             "process); `serve` = `schema-kit realtime serve` in its own process, per official "
             f"client: `realtime-py 1.0.0` = N PyPI `realtime` clients spread over up to "
             f"{RECEIVERS} processes, `realtime-js 2.0.0` = N npm `@supabase/realtime-js` "
             "clients (binary broadcast frames) in one Node process; one socket per client. "
             "msgs/s = measured messages each subscriber received per measured second; complete = "
             "every subscriber got every message exactly once.", "",
             "| writer | path | subscribers | offered msgs/s | written msgs/s | p50 ms | p95 ms "
             "| p99 ms | msgs/s per subscriber | deliveries | complete |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for writer, mode, subs, r in rows:
        lines.append(f"| {writer} | {mode} | {subs} | {r['offered']:.0f} | "
                     f"{r['written_per_s']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
                     f"{r['p99']:.1f} | {r['msgs_per_s']:.0f} | {r['delivered']:.0f}/"
                     f"{r['expected'] * subs:.0f} | {'yes' if r['complete'] else 'NO'} |")
    name, p50, p95, p99, msgs = SUPABASE
    lines += [f"| - | {name} | - | {msgs:.0f} | - | {p50:.0f} | {p95:.0f} | {p99:.0f} | - | - "
              "| - |", "", verdict, "", READING, ""]
    return "\n".join(lines)


def verdict(rows: list[Row], rate: float) -> str:
    """Whether the issue's goal holds, row by row (p99 <= 20 ms, 10 subscribers, 1,000/s)."""
    parts = []
    for writer, mode, subs, r in rows:
        if subs != 10:
            continue
        reached = r["written_per_s"] >= 0.95 * rate
        met = reached and r["p99"] <= 20.0 and bool(r["complete"])
        parts.append(f"{writer}/{mode}: p99 {r['p99']:.1f} ms at {r['written_per_s']:.0f} "
                     f"written msgs/s -> {'met' if met else 'not met'}"
                     + ("" if reached else " (the writers did not reach the offered rate)"))
    return ("Goal on this 2-core machine: p99 <= 20 ms at 1,000 msgs/s with 10 subscribers. "
            "This run: " + "; ".join(parts) + ". The stand-in is for development and CI; "
            "production fan-out is Supabase Realtime.")


def write_section(path: Path, section: str) -> None:
    """Replace (or append) only our section of RESULTS.md."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", help="an empty database to use (default: a throwaway cluster)")
    parser.add_argument("--rate", type=float, default=1000.0, help="offered msgs/s")
    parser.add_argument("--rate-100", type=float, default=100.0,
                        help="offered msgs/s with 100 subscribers")
    # 10 s: with 10 subscribers at 1,000 msgs/s, p99 over 3 s was the 300 slowest of 30,000
    # deliveries, so a single stall of the shared machine (every subscriber at once) decided it.
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per row")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds at the same rate before the measured ones (delivered and "
                             "checked, not measured: a fresh receiver process warms up)")
    parser.add_argument("--subscribers", default="1,10,100")
    parser.add_argument("--modes", default="listen,serve")
    parser.add_argument("--clients", default="py,js",
                        help="official clients for serve: py (realtime-py, protocol 1.0.0), "
                             "js (@supabase/realtime-js, protocol 2.0.0)")
    parser.add_argument("--writers", default="enviar,send")
    parser.add_argument("--out", type=Path, help="RESULTS.md to update (default: print)")
    args = parser.parse_args(argv)
    unknown = set(args.clients.split(",")) - set(CLIENTS)
    if unknown:
        parser.error(f"--clients: unknown {', '.join(sorted(unknown))} (py, js)")
    return args


def start_server(dsn: str, port: int) -> subprocess.Popen[str]:
    """``schema-kit realtime serve`` in its own process; returns once it listens."""
    server = subprocess.Popen(
        [sys.executable, "-m", "schema_kit", "realtime", "serve", "--dsn", dsn,
         "--port", str(port), "--jwt-secret", SECRET], stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    for line in server.stderr:
        if "listening on" in line:
            break
    else:
        raise RuntimeError("realtime serve did not start")
    # Keep reading what it logs (it names each channel it ends): a full pipe would block it.
    threading.Thread(target=_relay, args=(server.stderr,), daemon=True).start()
    return server


def _relay(stream: TextIO) -> None:
    """Copy a child's log lines to ours until it ends (or the stream is closed)."""
    with contextlib.suppress(ValueError, OSError):
        for line in stream:
            sys.stderr.write(line)


def stop_server(server: subprocess.Popen[str]) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    if server.stderr is not None:
        server.stderr.close()


def measure(args: argparse.Namespace, dsn: str, url: str, topic: str, ticket: str) -> list[Row]:
    """Every requested row, each printed as it is measured."""
    rows: list[Row] = []
    for writer in args.writers.split(","):
        for mode in args.modes.split(","):
            for client in args.clients.split(",") if mode == "serve" else ["-"]:
                for subs in (int(n) for n in args.subscribers.split(",")):
                    rate = args.rate_100 if subs >= 100 else args.rate
                    figures = run_one(mode, client, writer, dsn, url, topic, ticket, subs,
                                      rate, args.seconds, args.warmup)
                    figures["offered"] = rate
                    path = path_label(mode, client)
                    print(f"{writer:6} {path:24} {subs:4} subs: written "
                          f"{figures['written_per_s']:.0f}/s, p50 {figures['p50']:.1f} ms, "
                          f"p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms, "
                          f"{figures['msgs_per_s']:.0f} msgs/s per subscriber, "
                          f"complete={bool(figures['complete'])}", flush=True)
                    rows.append((writer, path, subs, figures))
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(1))  # clean up through `finally`
    tmp = cluster = server = None
    dsn = args.dsn
    if dsn is None:
        tmp = Path(tempfile.mkdtemp(prefix="schema-kit-bench-", dir="/tmp"))
        tmp.chmod(0o755)
        cluster = LocalCluster(tmp / "cluster", dbname="schema_kit_bench")
        dsn = cluster.up(log=lambda _l: None)
    try:
        topic, ticket = _prepare(dsn)
        port = _free_port()
        url = f"ws://127.0.0.1:{port}/realtime/v1"
        if "serve" in args.modes:
            server = start_server(dsn, port)
        rows = measure(args, dsn, url, topic, ticket)
        section = _report(rows, args.rate, args.rate_100, args.seconds, args.warmup,
                          verdict(rows, args.rate))
        if args.out:
            write_section(args.out, section)
            print(f"wrote {SECTION!r} in {args.out}")
        else:
            print(section)
    except RuntimeError as exc:
        print(f"bench.py: {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            stop_server(server)
        if cluster is not None:
            cluster.destroy(log=lambda _l: None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
