"""The realtime benchmark's `serve` receiver with Supabase's browser client
(benchmarks/realtime/receive.mjs, driven by bench.py's ``start_js``) works end to end: every
message once, in order, its samples read back by the same ``result`` as the other rows. Small
and untimed: latencies are `make bench-realtime`'s job, never asserted here."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import psycopg
from benchmarks.realtime.bench import result, start_js

from realtime_support import SECRET, build_scene, running_server
from schema_kit.realtime.tokens import sign, user_claims

MESSAGES = 40
# as benchmarks/realtime/send.sql: a bare payload stamped with the database clock
SEND = ("select realtime.send(pg_catalog.jsonb_build_object('enviado_em', "
        "pg_catalog.clock_timestamp(), 'n', %s::text), 'mensagem', %s, true)")


def test_js_receiver_gets_every_message_once(db: str, admin: psycopg.Connection[Any]) -> None:
    scene = build_scene(admin)
    with running_server(db) as url:
        collect = start_js(url, scene.topic, sign({"role": "anon"}, SECRET),
                           [sign(user_claims(str(scene.client)), SECRET)], MESSAGES)
        started = time.time()
        for n in range(MESSAGES):
            admin.execute(SEND, (f"t:{n}", scene.topic))
        samples = collect(30)
    stored = [str(row[0]) for row in admin.execute(
        "select id from realtime.messages where topic = %s and event = 'mensagem' "
        "order by inserted_at, id", (scene.topic,))]
    assert len(stored) == MESSAGES
    assert len(samples) == 1
    figures = result(samples, MESSAGES, started)  # all measured: no warm-up here
    assert figures["complete"] == 1.0  # the benchmark's own exactly-once check
    assert figures["delivered"] == MESSAGES
    assert [sample[2] for sample in samples[0]] == stored  # each once, in order


def test_warm_up_messages_are_checked_but_not_measured() -> None:
    sent = ["2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00",
            "2026-01-01T00:00:02+00:00"]
    t0 = datetime.fromisoformat(sent[0]).timestamp()
    # a slow warm-up message (900 ms), then two measured ones (10 and 20 ms)
    samples = [[(t0 + 0.9, sent[0], "a"), (t0 + 1.01, sent[1], "b"), (t0 + 2.02, sent[2], "c")]]
    figures = result(samples, 3, t0 + 1)
    assert figures["complete"] == 1.0 and figures["delivered"] == 3
    assert figures["p99"] < 100  # the warm-up's 900 ms is not in the percentiles
    assert round(figures["p50"]) in (10, 20)
    assert result([samples[0] + [samples[0][1]]], 3, t0 + 1)["complete"] == 0.0  # b twice
