"""A ticket with its people, for the realtime tests (not a test module itself)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg

from schema_kit.testing import act_as


def one(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


@dataclass(frozen=True)
class Scene:
    """Office A: staff, the ticket's client, another client; office B: its staff."""

    office: uuid.UUID
    staff: uuid.UUID
    client: uuid.UUID
    other_client: uuid.UUID
    other_office_staff: uuid.UUID
    ticket: uuid.UUID

    @property
    def topic(self) -> str:
        return f"ticket:{self.ticket}"

    @property
    def office_topic(self) -> str:
        return f"escritorio:{self.office}"


def build_scene(admin: psycopg.Connection[Any]) -> Scene:
    """Committed: two offices, their people, and one ticket opened by the client."""
    office = one(admin, "select tests.novo_escritorio()")
    staff = one(admin, "select tests.novo_membro(%s, 'atendente')", (office,))
    client, other = (
        one(admin, "select tests.login_do_cliente(%s)",
            (one(admin, "select tests.novo_cliente(%s)", (office,)),))
        for _ in range(2))
    office_b = one(admin, "select tests.novo_escritorio('Outro')")
    staff_b = one(admin, "select tests.novo_membro(%s, 'atendente')", (office_b,))
    with admin.transaction():
        act_as(admin, client)
        ticket = one(admin, "select id from tickets.abrir_ticket('Ajuda', 'Preciso de ajuda')")
        admin.execute("select set_config('role', 'none', true)")
    return Scene(office, staff, client, other, staff_b, ticket)


def as_user(conn: psycopg.Connection[Any], user: uuid.UUID, query: str,
            params: tuple[Any, ...] = ()) -> Any:
    """One API request as ``user`` (its own committed transaction); the first column."""
    with conn.transaction():
        act_as(conn, user)
        row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def say(conn: psycopg.Connection[Any], user: uuid.UUID, ticket: uuid.UUID, text: str) -> uuid.UUID:
    """A chat message through the contract function; returns its id."""
    result: uuid.UUID = as_user(conn, user, "select tickets.enviar_mensagem(%s, %s)",
                                (ticket, text))
    return result


def write_concurrently(db: str, scene: Scene, writers: int, each: int) -> None:
    """``writers`` threads, each with its own connection, sending ``each`` numbered messages
    ("w<n>:<i>") on the scene's ticket, as the client (odd n) or staff (even n)."""
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with psycopg.connect(db, autocommit=True) as conn:
                user = scene.client if n % 2 else scene.staff
                for i in range(each):
                    say(conn, user, scene.ticket, f"w{n}:{i}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors


# -- `schema-kit realtime serve` as a subprocess -------------------------------------------------

SERVER_LOGS: list[str] = []  # what each server printed (for debugging a failure)
SECRET = "test-secret-for-the-realtime-stand-in-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(dsn: str, *options: str, log: list[str] | None = None) -> Iterator[str]:
    """``schema-kit realtime serve`` (with extra ``options``) on a free port; yields its base
    URL; what it prints goes on into ``log`` while it runs; SIGTERM must exit 0."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "schema_kit", "realtime", "serve", "--dsn", dsn,
         "--port", str(port), "--jwt-secret", SECRET, *options],
        stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines: list[str] = log if log is not None else []
    for line in proc.stderr:
        lines.append(line)
        if "listening on" in line:
            break
    else:
        proc.wait()
        proc.stderr.close()
        raise AssertionError(f"serve did not start: {''.join(lines)}")
    # Keep reading its stderr: a full pipe would block the server's event loop.
    drain = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    drain.start()
    try:
        yield f"ws://127.0.0.1:{port}/realtime/v1"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        drain.join(timeout=5)
        proc.stderr.close()
        output = "".join(lines)
        assert code == 0, output
        assert "Traceback" not in output, output
        SERVER_LOGS.append(output)
