"""`schema-kit realtime serve` with Supabase's official Python client (PyPI `realtime`,
protocol 1.0.0): who may join and receive what, refused tokens, client broadcasts decided by
the INSERT probe, access_token refresh, the HTTP broadcast endpoint, and not-supported answers."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from benchmarks.realtime.bench import start_js
from realtime import AsyncRealtimeChannel, AsyncRealtimeClient, RealtimeSubscribeStates

from realtime_support import SECRET, Scene, as_user, build_scene, running_server, say
from schema_kit.realtime.tokens import sign, user_claims

ANON = sign({"role": "anon"}, SECRET)


def token(user: uuid.UUID, **extra: Any) -> str:
    return sign({**user_claims(str(user)), **extra}, SECRET)


@pytest.fixture
def scene(admin: psycopg.Connection[Any]) -> Scene:
    return build_scene(admin)


@pytest.fixture
def url(db: str, scene: Scene) -> Iterator[str]:
    with running_server(db) as base:
        yield base


class Joined:
    """An official client joined (or refused) on one channel, recording what it receives."""

    def __init__(self) -> None:
        self.client: AsyncRealtimeClient | None = None
        self.channel: AsyncRealtimeChannel | None = None
        self.status: RealtimeSubscribeStates | None = None
        self.error: str = ""
        self.states: list[tuple[RealtimeSubscribeStates, str]] = []  # every change, in order
        self.received: list[dict[str, Any]] = []
        self.system: list[Any] = []

    @classmethod
    async def open(cls, url: str, topic: str, access_token: str, *, private: bool = True,
                   echo: bool = False, apikey: str = ANON) -> Joined:
        joined = cls()
        joined.client = AsyncRealtimeClient(url, apikey, max_retries=1)
        await joined.client.connect()
        await joined.client.set_auth(access_token)
        joined.channel = joined.client.channel(topic, {"config": {
            "private": private, "broadcast": {"self": echo, "ack": True}}})
        joined.channel.on_broadcast("*", joined.received.append)

        def on_state(status: RealtimeSubscribeStates, error: Exception | None) -> None:
            joined.status, joined.error = status, str(error or "")
            joined.states.append((status, joined.error))

        await joined.channel.subscribe(on_state)
        return joined

    async def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return self.received

    async def wait_left(self, timeout: float = 5) -> None:
        """Until the channel is no longer joined (the server ended it), or ``timeout``."""
        assert self.channel is not None
        deadline = time.monotonic() + timeout
        while self.channel.is_joined and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


def test_two_clients_and_staff_each_receive_exactly_what_they_may(url: str, db: str,
                                                                  scene: Scene) -> None:
    async def main() -> None:
        client = await Joined.open(url, scene.topic, token(scene.client))
        staff = await Joined.open(url, scene.topic, token(scene.staff))
        other = await Joined.open(url, scene.topic, token(scene.other_client))
        office = await Joined.open(url, scene.office_topic, token(scene.staff))
        assert client.status == staff.status == office.status == RealtimeSubscribeStates.SUBSCRIBED
        assert other.status == RealtimeSubscribeStates.CHANNEL_ERROR
        assert ("Unauthorized: You do not have permissions to read from this Channel topic: "
                f"{scene.topic}") in other.error

        def write() -> list[uuid.UUID]:
            with psycopg.connect(db, autocommit=True) as api:
                first = say(api, scene.client, scene.ticket, "Olá")
                as_user(api, scene.staff, "select id from tickets.comentar(%s, 'n', true)",
                        (scene.ticket,))
                public = as_user(api, scene.staff,
                                 "select id from tickets.comentar(%s, 'Resposta')",
                                 (scene.ticket,))
                second = say(api, scene.staff, scene.ticket, "Bom dia")
                as_user(api, scene.staff, "update tickets.tickets set status = "
                        "'em_atendimento' where id = %s returning id", (scene.ticket,))
                as_user(api, scene.client, "select id from tickets.abrir_ticket('Outro', 'x')")
                return [first, public, second]

        ids = await asyncio.to_thread(write)
        for joined in (client, staff):
            got = await joined.wait_for(4)
            await asyncio.sleep(0.3)  # and nothing more
            assert [m["event"] for m in got] == ["mensagem", "comentario", "mensagem",
                                                 "ticket_atualizado"]
            assert [m["meta"]["id"] for m in got[:3]] == [str(i) for i in ids]
            assert got[0]["payload"]["conteudo"] == "Olá"
        assert [m["event"] for m in await office.wait_for(3)] == [
            "nota_interna", "ticket_atualizado", "ticket_criado"]
        assert other.received == []
        for joined in (client, staff, other, office):
            await joined.close()

    asyncio.run(main())


def test_wrong_secret_expired_and_anon_tokens_are_refused(url: str, scene: Scene) -> None:
    wrong = sign(user_claims(str(scene.client)), "another-secret-of-enough-length-0123456789")
    expired = sign(user_claims(str(scene.client)), SECRET, ttl_seconds=-30)

    async def main() -> None:
        cases = {wrong: "JwtSignatureError: Failed to validate JWT signature",
                 expired: "InvalidJWTToken: Token has expired",
                 ANON: "Unauthorized: You do not have permissions to read from this Channel "
                       f"topic: {scene.topic}"}
        for bad, reason in cases.items():
            joined = await Joined.open(url, scene.topic, bad)
            assert joined.status == RealtimeSubscribeStates.CHANNEL_ERROR
            assert reason in joined.error
            await joined.close()
        refused = AsyncRealtimeClient(url, wrong, max_retries=1)  # at the handshake
        with pytest.raises(Exception, match="401"):
            await refused.connect()

    asyncio.run(main())


def test_a_client_broadcast_reaches_others_only_when_the_insert_probe_allows(
        url: str, scene: Scene, admin: psycopg.Connection[Any]) -> None:
    async def main() -> None:
        client = await Joined.open(url, scene.topic, token(scene.client))
        staff = await Joined.open(url, scene.topic, token(scene.staff))
        assert client.channel is not None
        await client.channel.send_broadcast("digitando", {"quem": "cliente"})
        got = await staff.wait_for(1)
        assert [(m["event"], m["payload"]) for m in got] == [("digitando", {"quem": "cliente"})]
        assert client.received == []  # self: false

        # The write probe now fails (no INSERT right): the read still works, sends are dropped.
        admin.execute("revoke insert on realtime.messages from authenticated")
        muted = await Joined.open(url, scene.topic, token(scene.client, nonce=1))
        assert muted.status == RealtimeSubscribeStates.SUBSCRIBED and muted.channel is not None
        await muted.channel.send_broadcast("digitando", {"quem": "mudo"})
        await asyncio.sleep(0.5)
        assert len(staff.received) == 1
        # the verdict of the first channel was cached when it was allowed
        await client.channel.send_broadcast("digitando", {"quem": "cliente de novo"})
        assert len(await staff.wait_for(2)) == 2
        for joined in (client, staff, muted):
            await joined.close()

    asyncio.run(main())


def test_access_token_refresh_reauthorizes_and_revocation_closes_the_channel(
        url: str, scene: Scene, admin: psycopg.Connection[Any]) -> None:
    async def main() -> None:
        staff = await Joined.open(url, scene.topic, token(scene.staff))
        assert staff.client is not None and staff.channel is not None
        closed: list[Any] = []
        staff.channel.on_system(closed.append)
        await staff.client.set_auth(token(scene.staff, nonce=2))  # still allowed
        await asyncio.sleep(0.3)
        assert staff.channel.is_joined
        admin.execute("update crm.equipe set ativo = false where user_id = %s", (scene.staff,))
        await staff.client.set_auth(token(scene.staff, nonce=3))
        await staff.wait_left()
        assert not staff.channel.is_joined
        await staff.close()

    asyncio.run(main())


def test_a_channel_keeps_the_verdict_of_its_join_until_a_new_token(
        url: str, db: str, scene: Scene, admin: psycopg.Connection[Any]) -> None:
    """As Supabase Realtime: the read probe decides what a private channel receives when it
    joins and at each new token, and the verdict is cached in between (REALTIME_PROTOCOL.md),
    so rows are not re-read per user. A staff member taken off the office keeps receiving the
    ticket's messages until its next token, which ends the channel. (The Python API re-reads
    every row as its user instead: test_realtime_subscribe.py.)"""
    async def main() -> None:
        staff = await Joined.open(url, scene.topic, token(scene.staff))
        assert staff.channel is not None and staff.client is not None
        admin.execute("update crm.equipe set ativo = false where user_id = %s", (scene.staff,))

        def write(text: str) -> uuid.UUID:
            with psycopg.connect(db, autocommit=True) as api:
                return say(api, scene.client, scene.ticket, text)

        first = await asyncio.to_thread(write, "ainda com acesso")
        got = await staff.wait_for(1)
        assert [m["meta"]["id"] for m in got] == [str(first)]
        await staff.client.set_auth(token(scene.staff, nonce=3))  # a new token: probe again
        await staff.wait_left()
        assert not staff.channel.is_joined
        assert staff.states[-1][0] == RealtimeSubscribeStates.CLOSED
        await asyncio.to_thread(write, "depois do novo token")
        await asyncio.sleep(0.3)
        assert [m["meta"]["id"] for m in staff.received] == [str(first)]
        await staff.close()

    asyncio.run(main())


def test_http_broadcast_endpoint(url: str, scene: Scene) -> None:
    http = url.replace("ws://", "http://")

    async def main() -> None:
        staff = await Joined.open(url, scene.topic, token(scene.staff))
        public = await Joined.open(url, "sala:publica", ANON, private=False)
        headers = {"apikey": ANON, "Authorization": f"Bearer {token(scene.client)}"}
        async with httpx.AsyncClient() as web:
            answer = await web.post(f"{http}/api/broadcast", headers=headers, json={"messages": [
                {"topic": scene.topic, "event": "digitando", "payload": {"n": 1},
                 "private": True},
                {"topic": "sala:publica", "event": "oi", "payload": {"n": 2}}]})
            assert answer.status_code == 202
            outsider = {"apikey": ANON,
                        "Authorization": f"Bearer {token(scene.other_office_staff)}"}
            answer = await web.post(f"{http}/api/broadcast", headers=outsider, json={
                "messages": [{"topic": scene.topic, "event": "intruso", "payload": {},
                              "private": True}]})
            assert answer.status_code == 202  # dropped silently, as the platform does
            answer = await web.post(f"{http}/api/broadcast", headers={"apikey": "x"},
                                    json={"messages": []})
            assert answer.status_code == 401 and "error" in answer.json()
        assert [m["event"] for m in await staff.wait_for(1)] == ["digitando"]
        assert [m["payload"] for m in await public.wait_for(1)] == [{"n": 2}]
        await asyncio.sleep(0.3)
        assert len(staff.received) == 1
        # the official client's own REST send (per-topic endpoint)
        assert staff.channel is not None
        sender = await Joined.open(url, scene.topic, token(scene.client))
        assert sender.channel is not None
        await sender.channel.http_send("http", {"n": 3})
        assert [m["event"] for m in await staff.wait_for(2)] == ["digitando", "http"]
        for joined in (staff, public, sender):
            await joined.close()

    asyncio.run(main())


def test_presence_and_postgres_changes_are_answered_not_supported(url: str,
                                                                 scene: Scene) -> None:
    async def main() -> None:
        client = AsyncRealtimeClient(url, ANON, max_retries=1)
        await client.connect()
        await client.set_auth(token(scene.client))
        channel = client.channel(scene.topic, {"config": {"private": True}})
        channel.on_postgres_changes("INSERT", lambda _p: None, table="tickets", schema="tickets")
        errors: list[str] = []
        await channel.subscribe(lambda status, error: errors.append(str(error or "")))
        assert any("postgres_changes is not supported" in e for e in errors)
        await client.close()

    asyncio.run(main())


def test_token_expiry_ends_the_channel(url: str, scene: Scene) -> None:
    async def main() -> None:
        short = sign(user_claims(str(scene.client)), SECRET, ttl_seconds=2)
        joined = await Joined.open(url, scene.topic, short)
        assert joined.channel is not None and joined.channel.is_joined
        await joined.wait_left(10)
        assert not joined.channel.is_joined  # system error "Token has expired", then phx_close
        await joined.close()

    asyncio.run(main())


def test_a_client_that_stops_reading_is_ended_after_the_messages_it_was_given(
        db: str, scene: Scene) -> None:
    """Back-pressure with the official client: its event loop stops reading, the kernel's
    buffers and the connection's write buffer fill, writing pauses, frames wait in the socket's
    outbox, and once 2,500 of the channel's wait there (--max-queue 2500) the channel is ended.
    When the client reads again it gets every message it was given, in order and once, then
    the system error naming the last of them, then phx_close: the error does not overtake the
    messages, so the client knows exactly where it stopped
    (realtime-py reports the error as CHANNEL_ERROR)."""
    log: list[str] = []
    joined: list[Joined] = []
    subscribed, resume = threading.Event(), threading.Event()

    def client(url: str) -> None:
        async def main() -> None:
            reader = await Joined.open(url, scene.topic, token(scene.client))
            joined.append(reader)
            subscribed.set()
            resume.wait(60)  # blocks the client's event loop: nothing is read meanwhile
            deadline = time.monotonic() + 30
            while reader.status != RealtimeSubscribeStates.CLOSED and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await reader.close()

        asyncio.run(main())

    with running_server(db, "--max-queue", "2500", log=log) as url:
        thread = threading.Thread(target=client, args=(url,))
        thread.start()
        try:
            assert subscribed.wait(30)
            assert joined[0].states == [(RealtimeSubscribeStates.SUBSCRIBED, "")]
            with psycopg.connect(db, autocommit=True) as admin:
                for batch in range(60):  # 100 per transaction: no burst alone exceeds the limit
                    admin.execute("select realtime.send(jsonb_build_object('n', n, 'pad', "
                                  "repeat('x', 8000)), 'carga', %s, true) "
                                  "from generate_series(%s::integer, %s::integer) as n",
                                  (scene.topic, batch * 100 + 1, batch * 100 + 100))
                sent = [str(row[0]) for row in admin.execute(
                    "select id from realtime.messages where topic = %s and event = 'carga' "
                    "order by inserted_at, id", (scene.topic,))]
            deadline = time.monotonic() + 30
            while not any("too slow" in line for line in log) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            resume.set()
            thread.join(60)
    assert any("realtime: ending a channel after the messages queued for it: subscriber too "
               "slow" in line for line in log), log
    states = joined[0].states
    received = [message["meta"]["id"] for message in joined[0].received]
    assert [status for status, _ in states] == [RealtimeSubscribeStates.SUBSCRIBED,
                                                RealtimeSubscribeStates.CHANNEL_ERROR,
                                                RealtimeSubscribeStates.CLOSED]
    error = states[1][1]
    assert f"subscriber too slow on {scene.topic}" in error
    assert 2500 < len(received) < len(sent)
    assert received == sent[:len(received)]  # in order, once, from the first
    assert f"after message {received[-1]}" in error  # the last one it got is the one named


def test_a_row_one_protocol_cannot_carry_ends_that_channel_only(
        db: str, scene: Scene) -> None:
    """Protocol 2.0.0 frames give the event name one byte of length: a row whose event is
    longer (written by server code) cannot reach a 2.0.0 channel. That channel is ended with a
    `system` error after the messages before it; the hub and every other channel go on (here a
    1.0.0 channel on the same topic gets all three rows). A client's broadcast with such an
    event is dropped for the 2.0.0 channel only: the sender's socket and the others go on."""
    send = ("select realtime.send(pg_catalog.jsonb_build_object('enviado_em', "
            "pg_catalog.clock_timestamp()), %s, %s, true)")
    log: list[str] = []
    with running_server(db, log=log) as base:
        collect = start_js(base, scene.topic, ANON, [token(scene.client)], 3)

        async def main() -> list[dict[str, Any]]:
            staff = await Joined.open(base, scene.topic, token(scene.staff))
            sender = await Joined.open(base, scene.topic, token(scene.client, nonce=1))
            assert sender.channel is not None
            await sender.channel.send_broadcast("b" * 300, {"quem": "cliente"})  # to every
            await sender.channel.send_broadcast("digitando", {"quem": "cliente"})  # channel
            with psycopg.connect(db, autocommit=True) as admin:
                for event in ("mensagem", "e" * 300, "mensagem"):
                    admin.execute(send, (event, scene.topic))
            got = await staff.wait_for(5)
            for joined in (staff, sender):
                await joined.close()
            return got

        staff_got = asyncio.run(main())
        js_got = collect(3)
    assert [len(m["event"]) for m in staff_got] == [300, 9, 8, 300, 8]
    assert len(js_got) == 1 and len(js_got[0]) == 1  # the first row, then the channel ended
    assert any("realtime: a client broadcast on realtime:" in line and "protocol 2.0.0" in line
               for line in log), log
    assert any("realtime: ending a channel: message" in line and "protocol 2.0.0" in line
               for line in log), log


@pytest.mark.parametrize("size", [10, 200, 70_000])
def test_frames_of_every_length_class_reach_the_official_client_intact(
        url: str, db: str, scene: Scene, size: int) -> None:
    """The server writes websocket frames itself, several per write: a payload under 126
    bytes, one under 64 KiB and one over it (the three length encodings) arrive whole."""
    async def main() -> None:
        joined = await Joined.open(url, scene.topic, token(scene.client))
        with psycopg.connect(db, autocommit=True) as admin:
            admin.execute("select realtime.send(jsonb_build_object('texto', repeat('ã', %s)), "
                          "'grande', %s, true)", (size, scene.topic))
        [got] = await joined.wait_for(1)
        assert got["event"] == "grande"
        assert got["payload"]["texto"] == "ã" * size
        await joined.close()

    asyncio.run(main())
