"""Commit -> pg_notify delivery: a realtime.messages row against a bare pg_notify commit.

Issue 9's goal: the delivery of an announcement, from the writer's COMMIT to a LISTENing
session receiving it, at 1,000 messages/s, p99 within 2x of a transaction that only calls
pg_notify. The product transaction inserts one broadcast into realtime.messages the way the
domain does (private, on a ticket topic): the local realtime layer's triggers announce it on
the topic's channel (compat/0005, id-only payload) and re-stamp it at commit. The baseline
transaction calls pg_notify with the same kind of payload on a channel of its own.

One writer connection paces transactions at the target rate (sending at once when behind, so
the achieved rate is reported too); one listener connection, in a thread, timestamps every
notification on arrival. Latency = arrival - the moment the writer sent COMMIT (the same
monotonic clock). Product and baseline alternate in short blocks so machine drift hits both.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg

from benchmarks.queries import median, percentile

_BARE_CHANNEL = "bench_bare_notify"
_BLOCK_S = 0.5  # one alternation block


@dataclass
class NotifyLatency:
    """Commit -> arrival latencies (ms) and the rates the writer achieved (messages/s)."""

    target_rate: int
    product_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    product_rate: float = 0.0
    baseline_rate: float = 0.0

    def p(self, which: str, q: float) -> float:
        values = self.product_ms if which == "product" else self.baseline_ms
        return percentile(values, q) if q != 50 else median(values)


class _Listener(threading.Thread):
    """LISTENs on the channels and records when each id arrives."""

    def __init__(self, dsn: str, channels: list[str]) -> None:
        super().__init__(daemon=True)
        self.conn = psycopg.connect(dsn, autocommit=True)
        for channel in channels:
            self.conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel)))
        self.arrivals: dict[str, float] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for note in self.conn.notifies(timeout=0.2):
                self.arrivals[str(json.loads(note.payload)["id"])] = time.perf_counter()

    def close(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        self.conn.close()


def _block(conn: psycopg.Connection[Any], statement: str, args: tuple[Any, ...], rate: int,
           seconds: float, sent: dict[str, float]) -> tuple[int, float]:
    """Write for ``seconds`` at ``rate`` transactions/s; record each id's COMMIT time."""
    interval = 1.0 / rate
    started = time.perf_counter()
    count = 0
    while True:
        due = started + count * interval
        now = time.perf_counter()
        if now - started >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        ident = str(uuid.uuid4())
        conn.execute(statement, (ident, *args))
        sent[ident] = time.perf_counter()
        conn.commit()
        count += 1
    return count, time.perf_counter() - started


def measure_notify(dsn: str, topic: str, rate: int, seconds: float) -> NotifyLatency:
    """Alternate product and baseline blocks for ``seconds`` each at ``rate`` messages/s."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("select realtime.announce_channel(%s)", (topic,)).fetchone()
    if row is None:
        raise RuntimeError("realtime.announce_channel() returned nothing")
    channel = str(row[0])
    product_sql = ("insert into realtime.messages (id, topic, extension, event, payload, private) "
                   "values (%s, %s, 'broadcast', 'bench_notify', '{}'::jsonb, true)")
    baseline_sql = (f"select pg_catalog.pg_notify('{_BARE_CHANNEL}', "
                    "json_build_object('id', %s::uuid)::text)")
    result = NotifyLatency(rate)
    sent: dict[str, dict[str, float]] = {"product": {}, "baseline": {}}
    totals = {"product": [0, 0.0], "baseline": [0, 0.0]}
    listener = _Listener(dsn, [channel, _BARE_CHANNEL])
    listener.start()
    try:
        with psycopg.connect(dsn) as writer:
            done = 0.0
            while done < seconds:
                block = min(_BLOCK_S, seconds - done)
                for which in ("product", "baseline"):
                    if which == "product":
                        count, took = _block(writer, product_sql, (topic,), rate, block,
                                             sent["product"])
                    else:
                        count, took = _block(writer, baseline_sql, (), rate, block,
                                             sent["baseline"])
                    totals[which][0] += count
                    totals[which][1] += took
                done += block
        deadline = time.perf_counter() + 5
        expected = len(sent["product"]) + len(sent["baseline"])
        while len(listener.arrivals) < expected and time.perf_counter() < deadline:
            time.sleep(0.05)
    finally:
        listener.close()
    for which, target in (("product", result.product_ms), ("baseline", result.baseline_ms)):
        missing = [i for i in sent[which] if i not in listener.arrivals]
        if missing:
            raise RuntimeError(f"notify: {len(missing)} {which} announcements never arrived")
        target.extend((listener.arrivals[i] - t) * 1000 for i, t in sent[which].items())
    result.product_rate = totals["product"][0] / max(float(totals["product"][1]), 1e-9)
    result.baseline_rate = totals["baseline"][0] / max(float(totals["baseline"][1]), 1e-9)
    return result

