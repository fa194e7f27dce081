"""Hub hygiene: a topic's channel is UNLISTENed when its last subscription leaves (seen with
pg_listening_channels() on the hub's own LISTEN connection), and a subscriber that falls too
far behind is ended with an error naming the topic and the last id it was given, from which it
resumes with no gap. Real PostgreSQL, no timing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg
import pytest

from realtime_support import Scene, build_scene, say
from schema_kit.realtime import Hub, HubClosed, JoinRefused, Message, ResumeError, SubscriberTooSlow
from schema_kit.realtime.hub import LISTEN_APPLICATION, READ_APPLICATION, channel_of
from schema_kit.realtime.sql import load
from schema_kit.realtime.tokens import user_claims
from schema_kit.testing import act_as


@pytest.fixture
def scene(admin: psycopg.Connection[Any]) -> Scene:
    return build_scene(admin)


def _burst(db: str, scene: Scene, count: int) -> list[uuid.UUID]:
    """``count`` chat messages from staff in ONE transaction: they become visible at once."""
    with psycopg.connect(db, autocommit=True) as api, api.transaction():
        act_as(api, scene.staff)
        ids = []
        for i in range(count):
            row = api.execute("select tickets.enviar_mensagem(%s, %s)",
                              (scene.ticket, f"m{i}")).fetchone()
            assert row is not None
            ids.append(row[0])
        return ids


async def _next(sub: Any) -> Message:
    message: Message = await asyncio.wait_for(sub.__anext__(), 15)
    return message


def test_a_topic_is_unlistened_when_its_last_subscription_leaves(db: str, scene: Scene) -> None:
    ticket, office = channel_of(scene.topic), channel_of(scene.office_topic)

    async def main() -> None:
        async with Hub(db) as hub:
            assert await hub.listening() == set()
            client = await hub.subscribe(scene.topic, user_claims(str(scene.client)))
            staff = await hub.subscribe(scene.topic, user_claims(str(scene.staff)))
            desk = await hub.subscribe(scene.office_topic, user_claims(str(scene.staff)))
            assert await hub.listening() == {ticket, office}
            client.close()
            assert await hub.listening() == {ticket, office}  # staff still on the ticket
            staff.close()
            assert await hub.listening() == {office}
            # a join that fails (refused, or an unknown resume point) leaves nothing behind
            with pytest.raises(JoinRefused):
                await hub.subscribe(scene.topic, user_claims(str(scene.other_client)))
            with pytest.raises(ResumeError):
                await hub.subscribe(scene.topic, user_claims(str(scene.client)),
                                    since=uuid.uuid4())
            assert await hub.listening() == {office}
            desk.close()
            assert await hub.listening() == set()
            # a topic joined again is heard again
            again = await hub.subscribe(scene.topic, user_claims(str(scene.client)))
            assert await hub.listening() == {ticket}
            with psycopg.connect(db, autocommit=True) as api:
                sent = await asyncio.to_thread(say, api, scene.staff, scene.ticket, "de volta")
            assert (await _next(again)).id == sent

    asyncio.run(main())


def test_a_subscriber_too_far_behind_is_ended_and_resumes_after_its_last_id(
        db: str, scene: Scene) -> None:
    async def main() -> tuple[list[Message], SubscriberTooSlow, list[Message], list[uuid.UUID],
                              set[str]]:
        async with Hub(db, max_queue=5) as hub:
            slow = await hub.subscribe(scene.topic, user_claims(str(scene.client)))
            sent = await asyncio.to_thread(_burst, db, scene, 20)  # never read meanwhile
            got: list[Message] = []
            with pytest.raises(SubscriberTooSlow) as ended:
                while True:
                    got.append(await _next(slow))
            with pytest.raises(SubscriberTooSlow):  # ended for good
                await _next(slow)
            left = await hub.listening()
        async with Hub(db) as hub:
            again = await hub.subscribe(scene.topic, user_claims(str(scene.client)),
                                        since=ended.value.last_id)
            rest = [await _next(again) for _ in range(len(sent) - len(got))]
            assert await again.get(0.3) is None
        return got, ended.value, rest, sent, left

    got, ended, rest, sent, left = asyncio.run(main())
    assert [m.id for m in got] == sent[:5]  # what fit in its queue, then the end
    assert ended.topic == scene.topic and ended.last_id == sent[4]
    assert str(ended) == (f"subscriber too slow on {scene.topic}: more than 5 messages were "
                          f"waiting, so the subscription was ended after message {sent[4]}; "
                          f"resume with since={sent[4]}")
    assert left == set()  # the ended subscription was the topic's last: UNLISTENed
    assert [m.id for m in got + rest] == sent  # no gap, no duplicate


def test_a_public_subscription_gets_the_public_rows_only(db: str,
                                                         admin: psycopg.Connection[Any]) -> None:
    topic = "sala:publica"

    def send(payload: str, private: bool) -> None:
        admin.execute("select realtime.send(jsonb_build_object('n', %s::text), 'oi', %s, %s)",
                      (payload, topic, private))

    async def main() -> list[Message]:
        async with Hub(db) as hub:
            sub = await hub.subscribe(topic, None, private=False)
            for n, private in enumerate([False, True, False, True, False]):
                await asyncio.to_thread(send, str(n), private)
            got = [await _next(sub) for _ in range(3)]
            assert await sub.get(0.3) is None
            return got

    assert [m.payload["n"] for m in asyncio.run(main())] == ["0", "2", "4"]


def test_a_message_whose_transaction_started_first_but_committed_last_comes_last(
        db: str, scene: Scene) -> None:
    """Commit order, not start order: the slow transaction's row is stamped with its start,
    before the fast one's, until its commit moves it after every message committed before it.
    Delivered after the fast one, and a resume from the fast one's id does not skip it."""
    send = "select realtime.send(jsonb_build_object('n', %s::text), 'mensagem', %s, true)"

    async def main() -> tuple[list[str], list[str]]:
        async with Hub(db) as hub:
            sub = await hub.subscribe(scene.topic, user_claims(str(scene.client)))
            with psycopg.connect(db) as slow, psycopg.connect(db, autocommit=True) as fast:
                slow.execute("select pg_sleep(0.01)")  # its transaction starts first
                slow.execute(send, ("slow", scene.topic))
                fast.execute(send, ("fast", scene.topic))
                got = [(await _next(sub)).payload["n"]]
                fast_at = fast.execute(load("latest"), {"topic": scene.topic}).fetchone()
                assert fast_at is not None  # (inserted_at, id) of the topic's newest message
                slow.commit()
            got.append((await _next(sub)).payload["n"])
            resumed = await hub.subscribe(scene.topic, user_claims(str(scene.client)),
                                          since=fast_at[1])
            return got, [(await _next(resumed)).payload["n"]]

    delivered, after_fast = asyncio.run(main())
    assert delivered == ["fast", "slow"]
    assert after_fast == ["slow"]


@pytest.mark.parametrize(("connection", "reason"), [
    (LISTEN_APPLICATION, "realtime LISTEN connection lost"),
    (READ_APPLICATION, "realtime delivery failed"),
])
def test_a_lost_connection_ends_every_subscription_with_the_reason(
        db: str, scene: Scene, admin: psycopg.Connection[Any], connection: str,
        reason: str) -> None:
    """Either of the hub's two connections cut by the server (a restart, a DBA's
    pg_terminate_backend): every subscription ends with HubClosed saying so, instead of
    waiting forever for announcements that will never come."""
    async def main() -> HubClosed:
        async with Hub(db) as hub:
            sub = await hub.subscribe(scene.topic, user_claims(str(scene.client)))
            cut = admin.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                                "where application_name = %s and datname = current_database()",
                                (connection,)).fetchall()
            assert cut == [(True,)]
            with psycopg.connect(db, autocommit=True) as api:  # a message: the reads notice
                await asyncio.to_thread(say, api, scene.staff, scene.ticket, "depois do corte")
            with pytest.raises(HubClosed) as ended:
                await _next(sub)
            return ended.value

    assert str(asyncio.run(main())).startswith(reason)
