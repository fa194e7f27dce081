"""`schema-kit realtime serve` with Supabase's official browser client (npm
`@supabase/realtime-js`, protocol 2.0.0 with binary broadcast frames), run by the machine's
Node.js: joins and refusals, a client broadcast, and 1,000 messages from 10 concurrent writers
delivered exactly once, in order, to every subscriber."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest

from realtime_support import SECRET, build_scene, running_server, write_concurrently
from schema_kit.realtime.tokens import sign, user_claims

JS = Path(__file__).parent / "js"


def _node() -> list[str]:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "@supabase" / "realtime-js").is_dir():
        pytest.fail("Node.js and tests/js/node_modules are required: run `make test` "
                    "(it runs npm ci in tests/js)")
    # Node 20 ships the WebSocket global behind a flag (on by default from Node 22).
    return [node, "--experimental-websocket", "--no-warnings", str(JS / "subscribe.mjs")]


def test_browser_client_on_protocol_2(db: str, admin: psycopg.Connection[Any]) -> None:
    scene = build_scene(admin)
    tokens = {
        "client": sign(user_claims(str(scene.client)), SECRET),
        "staff": sign(user_claims(str(scene.staff)), SECRET),
        "other": sign(user_claims(str(scene.other_client)), SECRET),
        "expired": sign(user_claims(str(scene.client)), SECRET, ttl_seconds=-5),
        "wrong": sign(user_claims(str(scene.client)), "not-the-secret-but-long-enough-0123456789"),
        "anon": sign({"role": "anon"}, SECRET),
    }
    with running_server(db) as url:
        env = {**os.environ, "RT_URL": url, "RT_ANON": tokens["anon"], "RT_TOPIC": scene.topic,
               "RT_TOKENS": json.dumps(tokens), "RT_EXPECT": "1000", "RT_SENDER": "client"}
        proc = subprocess.Popen(_node(), cwd=JS, env=env, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        head: list[dict[str, Any]] = []
        for line in proc.stdout:
            head.append(json.loads(line))
            if head[-1].get("ready"):
                break
        joins = {h["join"]: h for h in head if "join" in h}
        write_concurrently(db, scene, 10, 100)
        tail = [json.loads(line) for line in proc.stdout]
        proc.stdout.close()
        assert proc.wait(timeout=60) == 0
    assert joins["client"]["status"] == joins["staff"]["status"] == "SUBSCRIBED"
    assert all(joins[n]["status"] == "CHANNEL_ERROR" for n in ("other", "expired", "wrong",
                                                                "anon"))
    assert joins["other"]["error"] == joins["anon"]["error"] == (
        f"Unauthorized: You do not have permissions to read from this Channel topic: "
        f"{scene.topic}")
    assert joins["expired"]["error"].startswith("InvalidJWTToken: Token has expired")
    assert joins["wrong"]["error"] == "JwtSignatureError: Failed to validate JWT signature"
    assert {"sent": "ok"} in head

    stored = [str(row[0]) for row in admin.execute(
        "select id from realtime.messages where topic = %s and event = 'mensagem' "
        "order by inserted_at, id", (scene.topic,))]
    assert len(stored) == 1000
    assert admin.execute("select count(*) from tickets.chat_mensagens where ticket_id = %s",
                         (scene.ticket,)).fetchone() == (1000,)
    seen = {s["name"]: s for s in tail}
    assert set(seen) == {"client", "staff"}
    for name, got in seen.items():
        # each exactly once, in (inserted_at, id) order
        assert got["ids"] == stored, (name, got["heartbeats"])
        assert set(got["events"]) == {"mensagem"}
    assert seen["staff"]["client"] == [{"event": "digitando", "payload": {"quem": "client"}}]
    assert seen["client"]["client"] == []  # self: false
    for got in seen.values():
        assert got["heartbeats"].get("ok", 0) >= 1  # answered heartbeats, none timed out
        assert set(got["heartbeats"]) <= {"sent", "ok"}
        assert got["left"] == "ok"  # phx_leave answered
