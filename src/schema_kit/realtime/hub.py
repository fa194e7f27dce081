"""One LISTEN connection and one query connection serving many subscriptions.

Announcements (compat 0005) arrive per topic on ``rt_<md5(topic)>`` and carry only an id. The
hub does not trust them for content: an announcement only marks its topic as changed, and each
subscription then reads the topic's rows after its own position ``(inserted_at, id)``, as its
user (RLS decides delivery). Rows are re-stamped at commit, so that order is commit order:
nothing is delivered twice, nothing is skipped, and a subscriber that comes back with the last
id it saw resumes where it stopped. Subscriptions with the same user and position share one
query.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import defaultdict, deque
from collections.abc import Mapping
from contextlib import aclosing, suppress
from datetime import datetime
from types import TracebackType
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from schema_kit.realtime import authorize
from schema_kit.realtime.messages import Message
from schema_kit.realtime.sql import load

Position = tuple[datetime, UUID]
START: Position = (datetime.min, UUID(int=0))
BATCH = 1000
_POLL_SECONDS = 0.05  # how long the LISTEN loop waits before serving a new LISTEN request


class JoinRefused(Exception):
    """The subscriber may not read the topic; ``str()`` is the platform's reason."""

    def __init__(self, topic: str) -> None:
        super().__init__(
            f"Unauthorized: You do not have permissions to read from this Channel topic: {topic}")
        self.topic = topic


class ResumeError(Exception):
    """``since`` names a message that neither realtime.messages nor the archive holds."""


class HubClosed(Exception):
    """The hub stopped (closed, or its database connection was lost)."""


def channel_of(topic: str) -> str:
    """The pg_notify channel of a topic (same as ``realtime.announce_channel``)."""
    return "rt_" + hashlib.md5(topic.encode("utf-8")).hexdigest()


def _ticket_of(topic: str) -> UUID | None:
    kind, _, rest = topic.partition(":")
    if kind != "ticket":
        return None
    try:
        return UUID(rest)
    except ValueError:
        return None


class Subscription:
    """Messages of one topic for one subscriber, in order; an async iterator."""

    def __init__(self, hub: Hub, topic: str, claims: Mapping[str, Any] | None, private: bool,
                 position: Position, headers: Mapping[str, str] | None = None) -> None:
        self.hub, self.topic, self.private = hub, topic, private
        self.claims = dict(claims) if claims is not None else None
        self.headers = dict(headers or {})
        self.position = position
        self.queue: asyncio.Queue[Message | BaseException] = asyncio.Queue()

    def _key(self) -> tuple[bool, str, Position]:
        return self.private, json.dumps(self.claims, sort_keys=True), self.position

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Message:
        item = await self.queue.get()
        if isinstance(item, BaseException):
            self.queue.put_nowait(item)  # every later read fails the same way
            raise item
        return item

    async def get(self, timeout: float | None = None) -> Message | None:
        """The next message, or None when ``timeout`` seconds pass without one."""
        try:
            return await asyncio.wait_for(self.__anext__(), timeout)
        except TimeoutError:
            return None

    def set_claims(self, claims: Mapping[str, Any]) -> None:
        """New JWT claims (access_token refresh): later reads run as them."""
        self.claims = dict(claims)

    def close(self) -> None:
        self.hub._forget(self)


class Hub:
    """Shared LISTEN + query connections; use as ``async with Hub(dsn) as hub``."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._listen: psycopg.AsyncConnection[Any] | None = None
        self._db: psycopg.AsyncConnection[Any] | None = None
        self._db_lock = asyncio.Lock()
        self._channels: dict[str, str] = {}
        self._requests: deque[tuple[str, str, asyncio.Future[None]]] = deque()
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._failure: BaseException | None = None

    async def start(self) -> Hub:
        self._listen = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
        self._db = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
        self._tasks = [asyncio.create_task(self._pump()), asyncio.create_task(self._deliver())]
        return self

    async def __aenter__(self) -> Hub:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        self._fail(HubClosed("the realtime hub is closed"))
        for conn in (self._listen, self._db):
            if conn is not None:
                await conn.close()

    # -- authorization ------------------------------------------------------------------------

    def _conn(self) -> psycopg.AsyncConnection[Any]:
        if self._failure is not None:
            raise HubClosed(str(self._failure))
        if self._db is None:
            raise HubClosed("the realtime hub is not started")
        return self._db

    async def can_read(self, topic: str, claims: Mapping[str, Any],
                       headers: Mapping[str, str] | None = None) -> bool:
        async with self._db_lock:
            return "broadcast" in await authorize.can_read(self._conn(), topic, claims, headers)

    async def can_write(self, topic: str, claims: Mapping[str, Any],
                        headers: Mapping[str, str] | None = None) -> bool:
        async with self._db_lock:
            return await authorize.can_write(self._conn(), topic, claims, headers)

    # -- subscriptions ------------------------------------------------------------------------

    async def subscribe(self, topic: str, claims: Mapping[str, Any] | None, *,
                        private: bool = True, since: UUID | str | None = None,
                        headers: Mapping[str, str] | None = None) -> Subscription:
        """Join ``topic`` (authorized as ``claims`` when private) from now, or after ``since``.

        Raises :class:`JoinRefused` when the read probe does not see the topic and
        :class:`ResumeError` when ``since`` is unknown.
        """
        if private and (claims is None or not await self.can_read(topic, claims, headers)):
            raise JoinRefused(topic)
        await self._ensure_listening(topic)
        async with self._db_lock:
            position, backlog = await self._start(topic, claims if private else None,
                                                  None if since is None else UUID(str(since)))
        sub = Subscription(self, topic, claims if private else None, private, position, headers)
        for message in backlog:
            sub.queue.put_nowait(message)
        self._subs[topic].add(sub)
        self.touch(topic)
        return sub

    def touch(self, topic: str) -> None:
        """Re-read ``topic`` for its subscribers now (as an announcement does)."""
        self._dirty.add(topic)
        self._wake.set()

    def _forget(self, sub: Subscription) -> None:
        self._subs[sub.topic].discard(sub)

    async def _ensure_listening(self, topic: str) -> None:
        self._conn()  # fails fast once the hub is closed
        channel = channel_of(topic)
        if channel in self._channels:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._requests.append((channel, topic, future))
        await future

    async def _start(self, topic: str, claims: Mapping[str, Any] | None,
                     since: UUID | None) -> tuple[Position, list[Message]]:
        conn = self._conn()
        if since is None:
            cur = await conn.execute(load("latest"), {"topic": topic})
            row = await cur.fetchone()
            return (row[0], row[1]) if row else START, []
        cur = await conn.execute(load("locate"), {"id": since, "topic": topic})
        row = await cur.fetchone()
        if row:
            return (row[0], row[1]), []
        ticket = _ticket_of(topic)
        if ticket is not None:
            async with conn.transaction():
                if claims is not None:
                    await authorize.become(conn, topic, claims)
                cur = await conn.execute(load("archive_locate"), {"id": since, "ticket_id": ticket})
                found = await cur.fetchone()
                if found:
                    cur = await conn.execute(load("archive_after"), {
                        "ticket_id": ticket, "after_at": found[0], "after_id": found[1]})
                    return START, [Message.from_row(r) for r in await cur.fetchall()]
        raise ResumeError(f"cannot resume {topic} after {since}: that message is neither in "
                          "realtime.messages nor in the chat archive")

    # -- the two loops ------------------------------------------------------------------------

    async def _pump(self) -> None:
        """LISTEN on request; each announcement marks its topic for re-reading."""
        assert self._listen is not None
        listen = self._listen
        try:
            while True:
                while self._requests:
                    channel, topic, future = self._requests.popleft()
                    if channel not in self._channels:
                        await listen.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                        self._channels[channel] = topic
                    if not future.done():
                        future.set_result(None)
                async with aclosing(listen.notifies(timeout=_POLL_SECONDS)) as notes:
                    async for note in notes:
                        announced = self._channels.get(note.channel)
                        if announced is not None:
                            self.touch(announced)
                        if self._requests:
                            break
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._fail(HubClosed(f"realtime LISTEN connection lost: {exc}"))

    async def _deliver(self) -> None:
        """Read every changed topic for its subscribers, grouped by user and position."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                topics, self._dirty = self._dirty, set()
                async with self._db_lock:
                    for topic in topics:
                        await self._deliver_topic(topic)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._fail(HubClosed(f"realtime delivery failed: {exc}"))

    async def _deliver_topic(self, topic: str) -> None:
        groups: dict[tuple[bool, str, Position], list[Subscription]] = defaultdict(list)
        for sub in self._subs.get(topic, ()):
            groups[sub._key()].append(sub)
        conn = self._conn()
        for members in groups.values():
            first = members[0]
            while True:
                # One round trip (pipeline): BEGIN, become the user, read, COMMIT.
                async with conn.pipeline(), conn.transaction():
                    if first.claims is not None:
                        await authorize.become(conn, topic, first.claims, first.headers)
                    cur = await conn.execute(load("read_after"), {
                        "topic": topic, "private": first.private, "after_at": first.position[0],
                        "after_id": first.position[1], "limit": BATCH})
                rows = await cur.fetchall()
                for row in rows:
                    message = Message.from_row(row)
                    for sub in members:
                        sub.queue.put_nowait(message)
                if rows:
                    last = rows[-1]
                    for sub in members:
                        sub.position = (last[4], last[0])
                if len(rows) < BATCH:
                    break

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc
        for subs in self._subs.values():
            for sub in subs:
                sub.queue.put_nowait(exc)
        while self._requests:
            _channel, _topic, future = self._requests.popleft()
            if not future.done():
                future.set_exception(exc)
