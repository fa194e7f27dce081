"""`schema-kit listen TOPIC --user UUID`: JSON lines, a clean exit on SIGINT/SIGTERM, exit 1
with the reason on a refused join."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from typing import Any

import psycopg
import pytest

from realtime_support import build_scene, say
from support import cli


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_listen_prints_one_json_line_per_message_and_stops_cleanly(
        db: str, admin: psycopg.Connection[Any], stop: signal.Signals) -> None:
    scene = build_scene(admin)
    proc = subprocess.Popen(
        [sys.executable, "-m", "schema_kit", "listen", scene.topic, "--user", str(scene.client),
         "--dsn", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    assert "listening on" in proc.stderr.readline()
    with psycopg.connect(db, autocommit=True) as api:
        first = say(api, scene.client, scene.ticket, "Olá")
        second = say(api, scene.staff, scene.ticket, "Oi, João")
    lines = [json.loads(proc.stdout.readline()) for _ in range(2)]
    proc.send_signal(stop)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out == "" and "Traceback" not in err
    assert [(m["id"], m["topic"], m["event"]) for m in lines] == [
        (str(first), scene.topic, "mensagem"), (str(second), scene.topic, "mensagem")]
    assert lines[1]["payload"]["conteudo"] == "Oi, João"
    assert set(lines[0]) == {"id", "topic", "event", "payload", "inserted_at"}


def test_listen_refused_join_exits_1_with_the_reason(db: str,
                                                     admin: psycopg.Connection[Any]) -> None:
    scene = build_scene(admin)
    code, out, err = cli("listen", scene.topic, "--user", str(scene.other_client), "--dsn", db)
    assert code == 1 and out == ""
    assert err == ("error: Unauthorized: You do not have permissions to read from this Channel "
                   f"topic: {scene.topic}\n")
