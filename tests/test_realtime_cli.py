"""The realtime commands: `schema-kit listen TOPIC --user UUID` (JSON lines, a clean exit on
SIGINT/SIGTERM, exit 1 with the reason on a refused join), `realtime tokens` (what `make up`
prints), `realtime serve` refusing a busy port, and both long-running commands keeping the
compat layer's realtime.messages partitions."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from realtime_support import SECRET, build_scene, running_server, say
from schema_kit.realtime.tokens import verify
from schema_kit.seed import personas
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


@pytest.mark.parametrize("command", [["listen", "ticket:70000000-0000-4000-8000-0000000000a1",
                                      "--user", "70000000-0000-4000-8000-0000000000b1"],
                                     ["realtime", "serve", "--port", "0"]], ids=" ".join)
def test_a_database_without_the_delivery_layer_is_named_not_refused(
        empty_db: str, command: list[str]) -> None:
    """No compat layer (a Supabase project, or never applied): one line saying what is
    missing and what to do, not a misleading "Unauthorized" from the join probe."""
    code, out, err = cli(*command, "--dsn", empty_db)
    assert code == 1 and out == ""
    [line] = err.splitlines()[-1:]
    assert line.startswith("error: this database has no local realtime delivery "
                           "(realtime.read_as_subscribers, compat/0010): apply"), err


def test_realtime_tokens_prints_url_anon_key_and_a_token_per_demo_persona(db: str) -> None:
    assert cli("seed", "--demo", "--dsn", db)[0] == 0
    code, out, _err = cli("realtime", "tokens", "--dsn", db, "--jwt-secret", SECRET)
    assert code == 0
    assert "ws://127.0.0.1:4000/realtime/v1" in out
    assert "schema-kit realtime serve" in out
    anon = re.search(r"anon key: (\S+)", out)
    assert anon is not None and verify(anon.group(1), SECRET)["role"] == "anon"
    with psycopg.connect(db) as conn:
        people = personas(conn)
    assert people
    for person in people:
        line = next(line for line in out.splitlines() if person.email in line)
        claims = verify(line.split()[-1], SECRET)
        assert (claims["sub"], claims["role"]) == (person.user_id, "authenticated")


def test_serve_refuses_a_port_in_use_with_one_line(db: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _out, err = cli("realtime", "serve", "--dsn", db, "--port", str(port))
    assert code == 1
    assert err.splitlines()[-1].startswith(f"error: cannot listen on 127.0.0.1:{port}")


def _drop_tomorrows_partition(admin_dsn: str, db: str) -> str:
    """As the platform (partition owner): drop tomorrow's realtime.messages partition."""
    platform = make_conninfo(admin_dsn, dbname=conninfo_to_dict(db)["dbname"])
    with psycopg.connect(platform, autocommit=True) as conn:
        row = conn.execute("select 'messages_' || to_char((now() at time zone 'UTC') "
                           "+ interval '1 day', 'YYYY_MM_DD')").fetchone()
        assert row is not None
        conn.execute(f"drop table realtime.{row[0]}")
        return str(row[0])


def _has_table(db: str, name: str) -> bool:
    with psycopg.connect(db) as conn:
        row = conn.execute("select to_regclass(%s) is not null", (f"realtime.{name}",)).fetchone()
        return bool(row and row[0])


def test_listen_and_serve_keep_the_realtime_partitions(admin_dsn: str, db: str,
                                                       admin: psycopg.Connection[Any]) -> None:
    scene = build_scene(admin)
    tomorrow = _drop_tomorrows_partition(admin_dsn, db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "schema_kit", "listen", scene.topic, "--user", str(scene.client),
         "--dsn", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    assert proc.stderr.readline() == f"realtime: created realtime.{tomorrow}\n"
    assert "listening on" in proc.stderr.readline()
    proc.send_signal(signal.SIGTERM)
    assert proc.communicate(timeout=20)[0] == "" and proc.returncode == 0
    assert _has_table(db, tomorrow)

    assert _drop_tomorrows_partition(admin_dsn, db) == tomorrow
    assert not _has_table(db, tomorrow)
    with running_server(db):
        assert _has_table(db, tomorrow)
