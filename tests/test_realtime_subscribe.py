"""schema_kit.realtime: joins authorized as Supabase Realtime does, delivery re-read as the
user, order, exactly-once under concurrent writers, resume after a purge, and an announcement
that reveals nothing to a mere LISTENer."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import psycopg
import pytest

from realtime_support import Scene, as_user, build_scene, say, write_concurrently
from schema_kit.realtime import Hub, JoinRefused, Message, ResumeError, subscribe
from schema_kit.realtime.tokens import user_claims


@pytest.fixture
def scene(admin: psycopg.Connection[Any]) -> Scene:
    return build_scene(admin)


def drain(sub: subscribe, count: int, timeout: float = 10.0) -> list[Message]:
    got: list[Message] = []
    while len(got) < count:
        message = sub.get(timeout)
        assert message is not None, f"only {len(got)} of {count} messages arrived"
        got.append(message)
    return got


def test_each_participant_receives_what_it_may_see_in_order(db: str, scene: Scene) -> None:
    with (psycopg.connect(db, autocommit=True) as api,
          subscribe(db, scene.topic, scene.client) as client,
          subscribe(db, scene.topic, scene.staff) as staff,
          subscribe(db, scene.office_topic, scene.staff) as office):
        first = say(api, scene.client, scene.ticket, "Olá")
        as_user(api, scene.staff, "select id from tickets.comentar(%s, 'Nota', true)",
                (scene.ticket,))
        public = as_user(api, scene.staff, "select id from tickets.comentar(%s, 'Resposta')",
                         (scene.ticket,))
        second = say(api, scene.staff, scene.ticket, "Bom dia")
        as_user(api, scene.staff, "update tickets.tickets set status = 'em_atendimento' "
                "where id = %s returning id", (scene.ticket,))
        novo = as_user(api, scene.client, "select id from tickets.abrir_ticket('Outro', 'x')")
        expected = ["mensagem", "comentario", "mensagem", "ticket_atualizado"]
        for sub in (client, staff):
            got = drain(sub, 4)
            assert [m.event for m in got] == expected
            assert [m.id for m in got[:3]] == [first, public, second]
            assert got[0].payload["conteudo"] == "Olá"
            assert sub.get(0.3) is None  # nothing else: the internal note is not on this topic
        office_got = drain(office, 3)
        assert [m.event for m in office_got] == ["nota_interna", "ticket_atualizado",
                                                 "ticket_criado"]
        assert office_got[2].payload["ticket_id"] == str(novo)
        assert office.get(0.3) is None


def test_every_row_is_reread_as_the_subscriber(db: str, scene: Scene,
                                              admin: psycopg.Connection[Any]) -> None:
    """The Python API asks RLS about every row, not only at the join: a staff member taken off
    the office stops receiving the ticket's messages from the next row on. (`realtime serve`
    keeps the join's verdict until a new token, as the platform does:
    test_realtime_serve_py.py.)"""
    with (psycopg.connect(db, autocommit=True) as api,
          subscribe(db, scene.topic, scene.staff) as staff):
        first = say(api, scene.client, scene.ticket, "antes")
        assert [m.id for m in drain(staff, 1)] == [first]
        admin.execute("update crm.equipe set ativo = false where user_id = %s", (scene.staff,))
        say(api, scene.client, scene.ticket, "depois")
        assert staff.get(0.5) is None


@pytest.mark.parametrize("who", ["other_client", "other_office_staff"])
def test_a_join_the_read_probe_does_not_see_is_refused(db: str, scene: Scene, who: str) -> None:
    with pytest.raises(JoinRefused) as refused:
        subscribe(db, scene.topic, getattr(scene, who))
    assert str(refused.value) == ("Unauthorized: You do not have permissions to read from this "
                                  f"Channel topic: {scene.topic}")


def test_clients_never_join_the_office_topic_and_anon_joins_nothing(db: str,
                                                                   scene: Scene) -> None:
    with pytest.raises(JoinRefused):
        subscribe(db, scene.office_topic, scene.client)
    with pytest.raises(JoinRefused):
        subscribe(db, scene.topic, claims={"role": "anon"})


def test_the_join_probe_leaves_nothing_behind(db: str, scene: Scene,
                                              admin: psycopg.Connection[Any]) -> None:
    before = admin.execute("select count(*) from realtime.messages").fetchone()
    with pytest.raises(JoinRefused):
        subscribe(db, scene.topic, scene.other_client)
    with subscribe(db, scene.topic, scene.client):
        pass
    assert admin.execute("select count(*) from realtime.messages").fetchone() == before


def test_thousand_messages_from_ten_writers_arrive_once_in_order(
        db: str, scene: Scene, admin: psycopg.Connection[Any]) -> None:
    async def main() -> dict[str, list[Message]]:
        async with Hub(db) as hub:  # one LISTEN connection, three subscriptions
            subs = {
                "client": await hub.subscribe(scene.topic, user_claims(str(scene.client))),
                "staff": await hub.subscribe(scene.topic, user_claims(str(scene.staff))),
                "staff2": await hub.subscribe(scene.topic, user_claims(str(scene.staff))),
            }
            await asyncio.to_thread(write_concurrently, db, scene, 10, 100)
            got: dict[str, list[Message]] = {}
            for name, sub in subs.items():
                got[name] = []
                while len(got[name]) < 1000:
                    message = await sub.get(15)
                    assert message is not None, f"{name}: {len(got[name])} of 1000"
                    got[name].append(message)
                assert await sub.get(0.3) is None
            return got

    got = asyncio.run(main())
    stored = [row[0] for row in admin.execute(
        "select id from realtime.messages where topic = %s and event = 'mensagem' "
        "order by inserted_at, id", (scene.topic,))]
    archived = admin.execute("select count(*) from tickets.chat_mensagens where ticket_id = %s",
                             (scene.ticket,)).fetchone()
    assert archived == (1000,)
    for messages in got.values():
        ids = [m.id for m in messages]
        assert len(set(ids)) == 1000
        assert ids == stored
        for n in range(10):  # and each writer's messages in the order it sent them
            mine = [m.payload["conteudo"] for m in messages
                    if m.payload["conteudo"].startswith(f"w{n}:")]
            assert mine == [f"w{n}:{i}" for i in range(100)]


def test_resume_after_the_last_id_has_no_gap_nor_duplicate_even_after_a_purge(
        db: str, scene: Scene, admin: psycopg.Connection[Any]) -> None:
    with psycopg.connect(db, autocommit=True) as api:
        with subscribe(db, scene.topic, scene.client) as sub:
            sent = [say(api, scene.staff, scene.ticket, f"m{i}") for i in range(10)]
            seen = drain(sub, 4)  # the subscriber dies after four
        sent += [say(api, scene.client, scene.ticket, f"m{i}") for i in range(10, 20)]
        # Supabase drops old partitions: the first seven messages (incl. the resume point)
        # are gone from realtime.messages, still in the archive.
        admin.execute("delete from realtime.messages where id = any(%s)", (sent[:7],))
        with subscribe(db, scene.topic, scene.client, since=seen[-1].id) as again:
            rest = drain(again, 16)
            assert again.get(0.3) is None
    assert [m.id for m in seen + rest] == sent
    assert [m.payload["conteudo"] for m in rest] == [f"m{i}" for i in range(4, 20)]
    assert {m.event for m in rest} == {"mensagem"}


def test_resume_from_an_unknown_id_is_an_error(db: str, scene: Scene) -> None:
    with pytest.raises(ResumeError):
        subscribe(db, scene.topic, scene.client, since=uuid.uuid4())


def test_a_listener_learns_no_topic_and_no_event(db: str, scene: Scene) -> None:
    with (psycopg.connect(db, autocommit=True) as spy, psycopg.connect(db, autocommit=True)
          as api):
        spy.execute("listen realtime_messages")
        channel = spy.execute("select realtime.announce_channel(%s)", (scene.topic,)).fetchone()
        assert channel is not None
        spy.execute(f'listen "{channel[0]}"')
        sent = say(api, scene.client, scene.ticket, "segredo")
        notes = list(spy.notifies(timeout=2, stop_after=1))
    assert [(n.channel, json.loads(n.payload)) for n in notes] == [(channel[0],
                                                                  {"id": str(sent)})]
    assert scene.topic not in channel[0]
