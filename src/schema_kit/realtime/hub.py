"""One LISTEN connection and one query connection serving many subscriptions.

Announcements (compat 0005) arrive per topic on ``rt_<md5(topic)>`` and carry only an id. The
hub does not trust them for content: an announcement only marks its topic as changed, and each
subscription then reads the topic's rows after its own position ``(inserted_at, id)``, as its
user (RLS decides delivery); or, when its join decides (``check="join"``: the platform's
behaviour, which ``realtime serve`` reproduces), as the hub (compat 0011). At commit a row
sorts after every message committed before it (compat 0005/0010), so that order is commit
order: nothing is delivered twice, nothing is skipped, and a subscriber that comes back with
the last id it saw resumes where it stopped. Subscriptions with the same reader and position
share one read, and every read a wake-up needs (all changed topics, all groups) is one
statement, ``realtime.read_as_subscribers``.

Hygiene: a topic's channel is UNLISTENed when its last subscription leaves, and each
subscription's queue is bounded: one that falls more than ``max_queue`` messages behind is
ended with :class:`SubscriberTooSlow`, which names the topic and the last id it was given (to
resume with ``since=`` that id).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from datetime import datetime
from types import TracebackType
from typing import Any, Literal
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from schema_kit.errors import SchemaKitError
from schema_kit.realtime import authorize
from schema_kit.realtime.messages import Message
from schema_kit.realtime.sql import load

Position = tuple[datetime, UUID]
# Who decides which private rows a subscription gets: RLS on every row, re-read as its
# subscriber ("rows", the Python API); or the read probe at join, as Supabase Realtime does,
# the rows then read by the hub for every channel of the topic ("join", `realtime serve`).
Check = Literal["rows", "join"]
START: Position = (datetime.min, UUID(int=0))
BATCH = 1000
MAX_QUEUE = 10_000  # messages a subscription may have waiting before it is ended
LISTEN_APPLICATION = "schema-kit realtime hub: listen"
READ_APPLICATION = "schema-kit realtime hub: reads"


class JoinRefused(Exception):
    """The subscriber may not read the topic; ``str()`` is the platform's reason."""

    def __init__(self, topic: str) -> None:
        super().__init__(
            f"Unauthorized: You do not have permissions to read from this Channel topic: {topic}")
        self.topic = topic


class NoDeliveryLayer(SchemaKitError):
    """The database lacks the compat layer's local delivery (a Supabase project, or one the
    compat layer was never applied to)."""


class ResumeError(Exception):
    """``since`` names a message that neither realtime.messages nor the archive holds."""


class HubClosed(Exception):
    """The hub stopped (closed, or its database connection was lost)."""


class SubscriberTooSlow(Exception):
    """A subscription fell more than the hub's ``max_queue`` messages behind and was ended.

    ``last_id`` is the last message it was given (None: none yet): subscribe again with
    ``since=last_id`` to resume with no gap.
    """

    def __init__(self, topic: str, last_id: UUID | None, limit: int) -> None:
        where, resume = (f"after message {last_id}", f"resume with since={last_id}") \
            if last_id is not None else ("before its first message", "subscribe again")
        super().__init__(f"subscriber too slow on {topic}: more than {limit} messages were "
                         f"waiting, so the subscription was ended {where}; {resume}")
        self.topic, self.last_id, self.limit = topic, last_id, limit


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


def _read_spec(sub: Subscription) -> dict[str, Any]:
    """One element of ``realtime.read_as_subscribers``'s argument: the topic after the
    subscription's position; private rows as its subscriber (Realtime's settings), or as the
    hub's login role when the join's verdict decides (compat 0011); public rows as the hub."""
    return {"topic": sub.topic, "after_at": sub.position[0].isoformat(),
            "after_id": str(sub.position[1]), "limit": BATCH, **sub.settings}


class Subscription:
    """Messages of one topic for one subscriber, in order; an async iterator."""

    def __init__(self, hub: Hub, topic: str, claims: Mapping[str, Any] | None, private: bool,
                 position: Position, headers: Mapping[str, str] | None = None,
                 check: Check = "rows") -> None:
        self.hub, self.topic, self.private, self.check = hub, topic, private, check
        self.claims = dict(claims) if claims is not None else None
        self.headers = dict(headers or {})
        self._identify()
        self.position = position
        self.queue: asyncio.Queue[Message | BaseException] = asyncio.Queue()
        self.limit = hub.max_queue
        self.last_id: UUID | None = None  # the last message handed on
        self.ended = False
        # Called with the reason when the hub ends the subscription (before the subscriber
        # has read the messages still queued ahead of it).
        self.on_end: Callable[[BaseException], None] | None = None
        # Push mode (push_to): messages go to this callback, not to the queue.
        self._receive: Callable[[Message], None] | None = None
        self.waiting = 0  # push mode: handed on, not yet reported sent

    def offer(self, message: Message) -> bool:
        """Hand on one message; with ``limit`` already waiting, end the subscription instead
        (False)."""
        if self.ended:
            return False
        receive = self._receive
        if (self.waiting if receive is not None else self.queue.qsize()) >= self.limit:
            self.end(SubscriberTooSlow(self.topic, self.last_id, self.limit))
            return False
        if receive is None:
            self.queue.put_nowait(message)
        else:
            self.waiting += 1
            receive(message)
            if self.ended:  # the consumer could not take it and ended the subscription
                return False
        self.last_id = message.id
        return True

    def push_to(self, receive: Callable[[Message], None]) -> None:
        """Push mode, for a consumer with a queue of its own (``realtime serve``'s sockets):
        each message is given to ``receive`` as soon as it is read, with no queue and no task
        switch in between. The consumer lowers ``waiting`` as it sends them: a subscription with
        ``limit`` messages waiting is ended, as in queue mode, and the end comes through
        ``on_end`` (set it first). Messages already queued (a resume's backlog) go first."""
        self._receive = receive
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if isinstance(item, Message):
                self.waiting += 1
                receive(item)
            elif self.on_end is not None:  # ended before it was followed
                self.on_end(item)

    def end(self, exc: BaseException) -> None:
        """No more messages: ``exc`` comes after those already queued; the hub forgets it."""
        if not self.ended:
            self.ended = True
            if self._receive is None:
                self.queue.put_nowait(exc)
            self.hub._forget(self)
            if self.on_end is not None:
                self.on_end(exc)

    def _identify(self) -> None:
        """Who reads (computed once, not at every wake-up) and the identity subscriptions are
        grouped by: for a private subscription, Realtime's settings (``check="rows"``) or the
        hub itself, one read for every such subscription of the topic (``check="join"``);
        public ones are read by the hub."""
        self.settings: dict[str, Any] = {}
        self.identity = ""
        if self.private and self.check == "join":
            self.settings = {"private": True}
        elif self.private and self.claims is not None:
            self.settings = authorize.settings(self.topic, self.claims, self.headers)
            self.identity = json.dumps([self.claims, self.headers], sort_keys=True)

    def _key(self) -> tuple[bool, str, Position]:
        return self.private, self.identity, self.position

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
        self._identify()

    def close(self) -> None:
        """No more messages (the subscriber leaves); the hub forgets it."""
        self.ended = True
        self.hub._forget(self)


class Hub:
    """Shared LISTEN + query connections; use as ``async with Hub(dsn) as hub``."""

    def __init__(self, dsn: str, *, max_queue: int = MAX_QUEUE) -> None:
        self.dsn = dsn
        self.max_queue = max_queue
        self._listen: psycopg.AsyncConnection[Any] | None = None
        self._db: psycopg.AsyncConnection[Any] | None = None
        self._db_lock = asyncio.Lock()
        self._channels: dict[str, str] = {}
        # Work for the LISTEN connection, run by _pump between waits for notifications.
        self._requests: deque[tuple[Callable[[psycopg.AsyncConnection[Any]], Awaitable[Any]],
                                    asyncio.Future[Any]]] = deque()
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._joining: Counter[str] = Counter()  # subscribe() calls under way, per topic
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._requested = asyncio.Event()  # work is waiting for the LISTEN connection
        self._listen_fd = -1
        self._tasks: list[asyncio.Task[None]] = []
        self._failure: BaseException | None = None

    async def start(self) -> Hub:
        # Named for pg_stat_activity (DBAs, and the tests that cut them).
        self._listen = await psycopg.AsyncConnection.connect(
            self.dsn, autocommit=True, application_name=LISTEN_APPLICATION)
        self._db = await psycopg.AsyncConnection.connect(
            self.dsn, autocommit=True, application_name=READ_APPLICATION)
        cur = await self._db.execute(load("delivery_layer"))
        row = await cur.fetchone()
        if not (row and row[0]):
            await self.close()
            raise NoDeliveryLayer(
                "this database has no local realtime delivery (realtime.read_as_subscribers, "
                "compat/0010): apply the project to it with `schema-kit apply` (target "
                "postgres); on Supabase, subscribe through Supabase Realtime instead")
        # Re-reads fetch a handful of rows: JIT compiling one (when the policies' estimated
        # cost crosses jit_above_cost) would cost tens of ms for a sub-ms read.
        await self._db.execute("SET jit = off")
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
                        check: Check = "rows",
                        headers: Mapping[str, str] | None = None) -> Subscription:
        """Join ``topic`` (authorized as ``claims`` when private) from now, or after ``since``.

        ``check`` (private topics): ``"rows"`` re-reads every row as the subscriber, so RLS
        decides each one; ``"join"`` lets the join's read probe decide, as Supabase Realtime
        does, and the hub reads the topic's private rows once for all such subscriptions (the
        caller re-authorizes at each new token: :meth:`can_read`).

        Raises :class:`JoinRefused` when the read probe does not see the topic and
        :class:`ResumeError` when ``since`` is unknown.
        """
        if private and (claims is None or not await self.can_read(topic, claims, headers)):
            raise JoinRefused(topic)
        self._joining[topic] += 1  # keeps the channel LISTENed until the subscription is in
        try:
            await self._ensure_listening(topic)
            async with self._db_lock:
                position, backlog = await self._start(
                    topic, claims if private else None,
                    None if since is None else UUID(str(since)))
            sub = Subscription(self, topic, claims if private else None, private, position,
                               headers, check)
            sub.limit += len(backlog)  # a long resume backlog is not "falling behind"
            for message in backlog:
                sub.offer(message)
            self._subs[topic].add(sub)
        finally:
            self._joining[topic] -= 1
            if not self._joining[topic]:
                del self._joining[topic]
            self._unlisten_if_unused(topic)
        self.touch(topic)
        return sub

    def touch(self, topic: str) -> None:
        """Re-read ``topic`` for its subscribers now (as an announcement does)."""
        self._dirty.add(topic)
        self._wake.set()

    def _forget(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.topic)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.topic]
        self._unlisten_if_unused(sub.topic)

    def _unused(self, topic: str) -> bool:
        return not self._subs.get(topic) and not self._joining[topic]

    def _on_listen(self, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[Any]],
                   ) -> asyncio.Future[Any]:
        """Queue ``work`` for the LISTEN connection; requests run in order."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self._failure is not None:
            future.set_exception(HubClosed(str(self._failure)))
        else:
            self._requests.append((work, future))
            self._requested.set()
        return future

    async def _ensure_listening(self, topic: str) -> None:
        self._conn()  # fails fast once the hub is closed
        channel = channel_of(topic)

        async def listen(conn: psycopg.AsyncConnection[Any]) -> None:
            if channel not in self._channels:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                self._channels[channel] = topic

        if channel not in self._channels:
            await self._on_listen(listen)

    def _unlisten_if_unused(self, topic: str) -> None:
        """UNLISTEN the topic's channel once no subscription (nor join) needs it any more."""
        channel = channel_of(topic)
        if channel not in self._channels or not self._unused(topic) or self._failure:
            return

        async def unlisten(conn: psycopg.AsyncConnection[Any]) -> None:
            if channel in self._channels and self._unused(topic):  # nobody came back since
                await conn.execute(sql.SQL("UNLISTEN {}").format(sql.Identifier(channel)))
                del self._channels[channel]

        # Nobody awaits it: retrieve a failure (the hub closing) so asyncio does not log it.
        self._on_listen(unlisten).add_done_callback(
            lambda done: done.cancelled() or done.exception())

    async def listening(self) -> set[str]:
        """The channels the LISTEN connection listens to, as the server reports them."""
        async def ask(conn: psycopg.AsyncConnection[Any]) -> set[str]:
            cur = await conn.execute("SELECT pg_catalog.pg_listening_channels()")
            return {row[0] for row in await cur.fetchall()}

        found: set[str] = await self._on_listen(ask)
        return found

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
        """LISTEN / UNLISTEN on request; in between, a reader callback on the LISTEN socket
        turns each announcement into a re-read of its topic, with no task switch per
        notification (announcements that arrive during a request come through psycopg's
        notify handler)."""
        assert self._listen is not None
        listen = self._listen
        loop = asyncio.get_running_loop()
        socket = self._listen_fd = listen.pgconn.socket  # still known once the link is lost
        listen.add_notify_handler(self._on_notify)
        try:
            while True:
                self._drain()  # anything libpq absorbed during the last request
                loop.add_reader(socket, self._on_readable)
                try:
                    await self._requested.wait()
                finally:
                    loop.remove_reader(socket)
                self._requested.clear()
                while self._requests:
                    work, future = self._requests.popleft()
                    result = await work(listen)
                    if not future.done():
                        future.set_result(result)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._fail(HubClosed(f"realtime LISTEN connection lost: {exc}"))

    def _announced(self, channel: str) -> None:
        """An announcement on ``channel``: re-read its topic, if a subscription still needs it."""
        topic = self._channels.get(channel)
        if topic is not None:
            self.touch(topic)

    def _on_notify(self, note: psycopg.Notify) -> None:
        self._announced(note.channel)

    def _on_readable(self) -> None:
        assert self._listen is not None
        try:
            self._listen.pgconn.consume_input()
        except psycopg.Error as exc:
            asyncio.get_running_loop().remove_reader(self._listen_fd)
            self._fail(HubClosed(f"realtime LISTEN connection lost: {exc}"))
            return
        self._drain()

    def _drain(self) -> None:
        assert self._listen is not None
        pgconn = self._listen.pgconn
        while (note := pgconn.notifies()) is not None:
            self._announced(note.relname.decode())

    async def _deliver(self) -> None:
        """Read every changed topic for its subscribers, grouped by user and position."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                topics, self._dirty = self._dirty, set()
                async with self._db_lock:
                    await self._deliver_topics(topics)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._fail(HubClosed(f"realtime delivery failed: {exc}"))

    async def _deliver_topics(self, topics: set[str]) -> None:
        """One statement reads, for every group of every topic, what is new (compat 0010:
        ``realtime.read_as_subscribers``, each private read as its subscriber)."""
        groups: dict[tuple[str, bool, str, Position], list[Subscription]] = defaultdict(list)
        for topic in topics:
            for sub in self._subs.get(topic, ()):
                groups[(topic, *sub._key())].append(sub)
        pending = list(groups.values())
        conn = self._conn()
        while pending:
            reads = [_read_spec(members[0]) for members in pending]
            cur = await conn.execute(load("read_as_subscribers"), {"reads": Jsonb(reads)})
            found: dict[int, list[Message]] = defaultdict(list)
            for row in await cur.fetchall():
                found[row[0]].append(Message.from_row(row[1:]))
            more = []
            for number, members in enumerate(pending, start=1):
                messages = found.get(number, [])
                for message in messages:
                    for sub in members:
                        sub.offer(message)
                if messages:
                    last = messages[-1]
                    for sub in members:
                        sub.position = (last.inserted_at, last.id)
                if len(messages) == BATCH:
                    live = [sub for sub in members if not sub.ended]
                    if live:
                        more.append(live)
            pending = more

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc
        for subs in list(self._subs.values()):
            for sub in list(subs):
                sub.end(exc)
        while self._requests:
            _work, future = self._requests.popleft()
            if not future.done():
                future.set_exception(exc)
