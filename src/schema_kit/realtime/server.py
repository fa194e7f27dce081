"""``schema-kit realtime serve``: a local endpoint that Supabase's Realtime clients connect to.

A development and CI stand-in for the platform's Realtime cluster (broadcast on private and
public channels), never a production server. Clients get the base URL
``ws://HOST:PORT/realtime/v1`` and open ``/realtime/v1/websocket?apikey=…&vsn=1.0.0|2.0.0``.

- The ``apikey`` (a JWT: anon or service key) is checked at the handshake: 401 + ``{error}``.
- ``phx_join`` verifies the user's ``access_token`` (HS256/384/512, ``role`` + ``exp``), then
  on private channels runs Realtime's read probe through the database (:mod:`authorize`).
- Rows of ``realtime.messages`` reach joined channels through one :class:`Hub`. As on the
  platform, a private channel's read verdict is taken at join and at each new token (the read
  probe) and cached: the hub reads each changed topic once for all its channels (compat 0011),
  not once per user under RLS. Private rows only on private channels, public ones only on
  public channels.
- Client broadcasts (socket or ``POST /realtime/v1/api/broadcast``) are fanned out in memory,
  on private channels only when Realtime's INSERT probe allows it (verdict cached per channel
  until a new token); unauthorized ones are dropped silently, as the platform does.
- Heartbeats, ``access_token`` refresh (re-authorizes; refusal or expiry closes the channel
  with a ``system`` error then ``phx_close``), ``phx_leave``. Presence and postgres_changes are
  answered with an explicit "not supported" join error.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable
from typing import Any
from uuid import UUID

from aiohttp import WSMsgType, web

from schema_kit.realtime.hub import (
    MAX_QUEUE,
    Hub,
    HubClosed,
    JoinRefused,
    SubscriberTooSlow,
    Subscription,
)
from schema_kit.realtime.messages import Message
from schema_kit.realtime.protocol import (
    V1,
    VERSIONS,
    Frame,
    FrameError,
    decode,
    encode,
    encode_broadcast,
    ws_frame,
)
from schema_kit.realtime.tokens import TokenRefused, verify

BASE = "/realtime/v1"
PREFIX = "realtime:"
WRITE_BUFFER_LIMIT = 256 * 1024  # bytes the kernel did not take before writing waits
WRITE_WAIT = 0.005  # seconds between looks at a full write buffer
UNSUPPORTED = ("Unsupported: {what} is not supported by schema-kit realtime serve, a local "
               "stand-in for broadcast only; use Supabase Realtime for it")


def _ok(response: Any) -> dict[str, Any]:
    return {"status": "ok", "response": response}


def _error(reason: str) -> dict[str, Any]:
    return {"status": "error", "response": {"reason": reason}}


class Undeliverable(Exception):
    """A row of the topic that the channel's protocol cannot carry: the channel is ended (the
    other channels, and the hub, go on)."""


class Channel:
    """One joined topic on one socket."""

    def __init__(self, socket: Socket, wire_topic: str, join_ref: str | None, private: bool,
                 claims: dict[str, Any], echo: bool, ack: bool) -> None:
        self.socket, self.wire_topic, self.join_ref = socket, wire_topic, join_ref
        self.topic = wire_topic.removeprefix(PREFIX)
        self.private, self.claims, self.echo, self.ack = private, claims, echo, ack
        self.may_write: bool | None = None  # Realtime's cached write verdict
        self.subscription: Subscription | None = None
        self.expiry: asyncio.TimerHandle | None = None

    def deliver(self, event: str, payload: Any, meta: dict[str, Any] | None) -> None:
        """A client's broadcast, if this channel's protocol can carry it (1.0.0 has no binary
        payloads; 2.0.0 frames give the event name one byte of length): otherwise it is
        dropped for this channel only, and logged."""
        if self.socket.vsn == V1 and isinstance(payload, bytes | bytearray):
            return
        try:
            frame = encode_broadcast(self.wire_topic, event, payload, meta, self.socket.vsn)
        except FrameError as exc:
            self.socket.server.log(f"realtime: a client broadcast on {self.wire_topic} cannot "
                                   f"be sent with protocol {self.socket.vsn}: {exc}")
            return
        self.socket.send(ws_frame(frame))

    def follow(self, subscription: Subscription) -> None:
        """Database rows of the topic, in order, for as long as the join's verdict stands: the
        hub pushes each one straight into the socket's outbox (push mode), and the socket
        reports each frame it hands to the connection, so a channel whose client stops reading
        ends once ``--max-queue`` of its frames wait."""
        self.subscription = subscription
        socket, frames, wire_topic = self.socket, self.socket.server.frames, self.wire_topic

        def receive(message: Message) -> None:
            try:
                frame = frames.of(message, wire_topic, socket.vsn)
            except FrameError as exc:  # this channel cannot carry it (protocol 2.0.0 limits)
                subscription.end(Undeliverable(f"message {message.id} cannot be sent on "
                                               f"{wire_topic} with protocol {socket.vsn}: {exc}"))
                return
            socket.send(frame, subscription)

        subscription.on_end = self.ended
        subscription.push_to(receive)

    def ended(self, exc: BaseException) -> None:
        """The hub ended this channel's subscription."""
        if isinstance(exc, SubscriberTooSlow):
            self.socket.server.log(f"realtime: ending a channel after the messages queued for "
                                   f"it: {exc}")
            # After the frames already queued for the socket, not ahead of them: the last
            # message the client receives is the one the error names.
            self.socket.system_error(self, str(exc), in_order=True)
        elif isinstance(exc, Undeliverable):
            self.socket.server.log(f"realtime: ending a channel: {exc}")
            self.socket.system_error(self, str(exc), in_order=True)
        else:
            self.socket.system_error(self, f"Unable to read the topic: {exc}")

    def watch_expiry(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
        left = float(self.claims["exp"]) - time.time()
        self.expiry = asyncio.get_running_loop().call_later(
            max(left, 0), self.socket.system_error, self, "Token has expired")

    def stop(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
        if self.subscription is not None:
            self.subscription.on_end = None
            self.subscription.close()
        self.socket.server.unregister(self)


class Socket:
    """One websocket connection: its frames in order, its channels.

    Frames are queued already framed (RFC 6455) and written to the connection's transport
    directly, everything queued in one write (aiohttp's ``send_*`` make one system call, and
    wake the client once, per frame), by a callback the first queued frame schedules: no task
    switch between the hub's read and the write. A client that reads too slowly fills the
    transport's buffer; writing then pauses until it drains, and frames wait in the outbox
    (each channel's count is its subscription's ``waiting``)."""

    def __init__(self, server: RealtimeServer, ws: web.WebSocketResponse, vsn: str,
                 apikey: str, transport: asyncio.BaseTransport | None) -> None:
        self.server, self.ws, self.vsn, self.apikey = server, ws, vsn, apikey
        self.transport = transport if isinstance(transport, asyncio.WriteTransport) else None
        self.channels: dict[str, Channel] = {}
        # Control frames (replies, system, close) go before queued broadcasts: a heartbeat
        # reply stuck behind a burst of broadcasts would make the client reconnect.
        self.control: deque[bytes] = deque()
        # Broadcasts, with the subscription each came from (None: a client's broadcast).
        self.outbox: deque[tuple[bytes, Subscription | None]] = deque()
        self.loop = asyncio.get_running_loop()
        self.flushing = False  # a flush is scheduled, or writing waits for the client
        self.done = False  # the connection is over: nothing more is written

    def send(self, frame: bytes, subscription: Subscription | None = None) -> None:
        """Queue one websocket frame (``ws_frame``) for the client, after those queued."""
        self.outbox.append((frame, subscription))
        self._schedule()

    def send_control(self, data: str | bytes) -> None:
        """Queue a reply or a channel's end ahead of the queued broadcasts."""
        self.control.append(ws_frame(data))
        self._schedule()

    def _queue(self, data: str | bytes, *, in_order: bool) -> None:
        if in_order:
            self.send(ws_frame(data))
        else:
            self.send_control(data)

    def _schedule(self) -> None:
        if not self.flushing:
            self.flushing = True
            self.loop.call_soon(self.flush)

    def reply(self, frame: Frame, payload: dict[str, Any]) -> None:
        self.send_control(encode(Frame(frame.join_ref, frame.ref, frame.topic, "phx_reply",
                                       payload), self.vsn))

    def system_error(self, channel: Channel, message: str, *, in_order: bool = False) -> None:
        """End a channel as the platform does: a ``system`` error, then ``phx_close``; ahead
        of queued broadcasts, or after them (``in_order``)."""
        self._queue(encode(Frame(channel.join_ref, None, channel.wire_topic, "system", {
            "channel": channel.topic, "extension": "system", "message": message,
            "status": "error"}), self.vsn), in_order=in_order)
        self.close_channel(channel, in_order=in_order)

    def close_channel(self, channel: Channel, *, in_order: bool = False) -> None:
        channel.stop()
        if self.channels.get(channel.wire_topic) is channel:
            del self.channels[channel.wire_topic]
        self._queue(encode(Frame(channel.join_ref, channel.join_ref, channel.wire_topic,
                                 "phx_close", {}), self.vsn), in_order=in_order)

    def flush(self) -> None:
        """Write everything queued, control frames first, in one write; if the client has
        not taken the last writes yet, wait until it has (polled: aiohttp owns the
        transport's flow-control callbacks)."""
        transport = self.transport
        if self.done or transport is None or transport.is_closing():
            self.control.clear()
            self.outbox.clear()
            return  # flushing stays set: nothing more is scheduled
        if transport.get_write_buffer_size() > WRITE_BUFFER_LIMIT:
            self.loop.call_later(WRITE_WAIT, self.flush)
            return
        chunks = list(self.control)
        self.control.clear()
        for frame, subscription in self.outbox:
            chunks.append(frame)
            if subscription is not None:
                subscription.waiting -= 1
        self.outbox.clear()
        self.flushing = False
        if chunks:
            transport.write(b"".join(chunks))

    async def run(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    frame = decode(msg.data, self.vsn)
                except FrameError:
                    continue  # Phoenix ignores frames it cannot read
                await self.handle(frame)
        finally:
            for channel in list(self.channels.values()):
                channel.stop()
            self.channels.clear()
            self.flush()  # what is queued goes before aiohttp's close frame
            self.done = True

    async def handle(self, frame: Frame) -> None:
        if frame.topic == "phoenix":
            if frame.event == "heartbeat":
                self.reply(frame, _ok({}))
            return
        if frame.event == "phx_join":
            await self.join(frame)
            return
        channel = self.channels.get(frame.topic)
        if channel is None:
            self.reply(frame, _error("unmatched topic"))
            return
        if frame.event == "phx_leave":
            self.reply(frame, _ok({}))
            self.close_channel(channel)
        elif frame.event == "access_token":
            await self.refresh(channel, frame)
        elif frame.event == "broadcast":
            await self.broadcast(channel, frame)
        elif frame.event == "presence":
            self.reply(frame, _error(UNSUPPORTED.format(what="presence")))
        else:
            self.reply(frame, _error(f"unknown event {frame.event}"))

    async def join(self, frame: Frame) -> None:
        payload = frame.payload if isinstance(frame.payload, dict) else {}
        config = payload.get("config") or {}
        if config.get("postgres_changes"):
            self.reply(frame, _error(UNSUPPORTED.format(what="postgres_changes")))
            return
        if (config.get("presence") or {}).get("enabled"):
            self.reply(frame, _error(UNSUPPORTED.format(what="presence")))
            return
        try:
            claims = verify(payload.get("access_token") or self.apikey, self.server.secret)
        except TokenRefused as exc:
            self.reply(frame, _error(str(exc)))
            return
        if frame.topic in self.channels:  # a re-join replaces the earlier channel
            self.channels.pop(frame.topic).stop()
        broadcast = config.get("broadcast") or {}
        channel = Channel(self, frame.topic, frame.join_ref, bool(config.get("private")),
                          claims, bool(broadcast.get("self")), bool(broadcast.get("ack")))
        try:
            # The join's read probe decides what the channel receives until a new token, as on
            # the platform: rows are read once per topic, not once per user under RLS.
            subscription = await self.server.hub.subscribe(channel.topic, claims,
                                                           private=channel.private, check="join")
        except JoinRefused as exc:
            self.reply(frame, _error(str(exc)))
            return
        except HubClosed as exc:
            self.reply(frame, _error(f"DatabaseConnectionError: {exc}"))
            return
        self.channels[frame.topic] = channel
        self.server.register(channel)
        self.reply(frame, _ok({"postgres_changes": []}))
        channel.follow(subscription)  # after the reply: rows come after the join's answer
        channel.watch_expiry()

    async def refresh(self, channel: Channel, frame: Frame) -> None:
        token = (frame.payload or {}).get("access_token")
        try:
            claims = verify(token, self.server.secret)
        except TokenRefused as exc:
            self.system_error(channel, str(exc))
            return
        if channel.private and not await self.server.hub.can_read(channel.topic, claims):
            self.system_error(channel, str(JoinRefused(channel.topic)))
            return
        channel.claims, channel.may_write = claims, None
        if channel.subscription is not None:
            channel.subscription.set_claims(claims)
        channel.watch_expiry()

    async def broadcast(self, channel: Channel, frame: Frame) -> None:
        body = frame.payload if isinstance(frame.payload, dict) else {}
        event = body.get("event")
        if channel.private and channel.may_write is None:
            channel.may_write = await self.server.hub.can_write(channel.topic, channel.claims)
        if isinstance(event, str) and (not channel.private or channel.may_write):
            self.server.fan_out(channel.topic, channel.private, event, body.get("payload"),
                                sender=None if channel.echo else channel)
        if channel.ack:
            self.reply(frame, _ok({}))


class FrameCache:
    """Each database message is encoded once per (wire topic, protocol), not once per channel:
    every subscriber of a topic gets the same bytes. Bounded: the oldest entries go first."""

    SIZE = 4096

    def __init__(self) -> None:
        self._frames: OrderedDict[tuple[UUID, str, str], bytes] = OrderedDict()

    def of(self, message: Message, wire_topic: str, vsn: str) -> bytes:
        """The websocket frame (``ws_frame``) of ``message`` for the topic and protocol."""
        key = (message.id, wire_topic, vsn)
        frame = self._frames.get(key)
        if frame is None:
            frame = ws_frame(encode_broadcast(wire_topic, message.event or "", message.payload,
                                              {"id": str(message.id)}, vsn))
            self._frames[key] = frame
            if len(self._frames) > self.SIZE:
                self._frames.popitem(last=False)
        return frame


class RealtimeServer:
    """The aiohttp application and the channels it serves."""

    def __init__(self, hub: Hub, secret: str, log: Callable[[str], None] = lambda _l: None):
        self.hub, self.secret, self.log = hub, secret, log
        self.joined: dict[tuple[str, bool], set[Channel]] = defaultdict(set)
        self.frames = FrameCache()

    def register(self, channel: Channel) -> None:
        self.joined[(channel.topic, channel.private)].add(channel)

    def unregister(self, channel: Channel) -> None:
        self.joined[(channel.topic, channel.private)].discard(channel)

    def fan_out(self, topic: str, private: bool, event: str, payload: Any,
                sender: Channel | None) -> None:
        """A client broadcast to every channel of the topic (and privacy) but the sender."""
        for channel in list(self.joined.get((topic, private), ())):
            if channel is not sender:
                channel.deliver(event, payload, None)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(f"{BASE}/websocket", self.websocket)
        app.router.add_post(f"{BASE}/api/broadcast", self.http_broadcast)
        app.router.add_post(f"{BASE}/api/broadcast/{{topic}}/events/{{event}}",
                            self.http_broadcast_one)
        return app

    def _check_apikey(self, request: web.Request) -> dict[str, Any]:
        return verify(request.query.get("apikey") or request.headers.get("apikey"), self.secret)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        try:
            self._check_apikey(request)
        except TokenRefused as exc:
            return web.json_response({"error": str(exc)}, status=401)
        vsn = request.query.get("vsn", V1)
        if vsn not in VERSIONS:
            return web.json_response({"error": f"unsupported vsn {vsn}"}, status=400)
        # No permessage-deflate, as Phoenix (Supabase Realtime) by default: compressing every
        # frame for every subscriber cost more than encoding it.
        ws = web.WebSocketResponse(autoping=True, compress=False)
        await ws.prepare(request)
        apikey = request.query.get("apikey") or request.headers.get("apikey") or ""
        await Socket(self, ws, vsn, apikey, request.transport).run()
        return ws

    async def _sender(self, request: web.Request) -> dict[str, Any]:
        """Who sends over HTTP: the Bearer token, else the apikey (both verified)."""
        apikey_claims = self._check_apikey(request)
        bearer = request.headers.get("Authorization", "")
        if bearer.lower().startswith("bearer "):
            return verify(bearer[7:].strip(), self.secret)
        return apikey_claims

    async def _send(self, claims: dict[str, Any], topic: str, event: str, payload: Any,
                    private: bool) -> None:
        if private and not await self.hub.can_write(topic, claims):
            return  # dropped silently, as the platform does
        self.fan_out(topic, private, event, payload, sender=None)

    async def http_broadcast(self, request: web.Request) -> web.StreamResponse:
        try:
            claims = await self._sender(request)
        except TokenRefused as exc:
            return web.json_response({"error": str(exc)}, status=401)
        try:
            body = await request.json()
            messages = body["messages"]
            assert isinstance(messages, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            return web.json_response({"error": "expected {\"messages\": [...]}"}, status=400)
        for item in messages:
            if isinstance(item, dict) and isinstance(item.get("topic"), str) \
                    and isinstance(item.get("event"), str):
                await self._send(claims, item["topic"].removeprefix(PREFIX), item["event"],
                                 item.get("payload"), bool(item.get("private")))
        return web.Response(status=202)

    async def http_broadcast_one(self, request: web.Request) -> web.StreamResponse:
        try:
            claims = await self._sender(request)
        except TokenRefused as exc:
            return web.json_response({"error": str(exc)}, status=401)
        raw = await request.read()
        payload: Any = raw
        if request.content_type != "application/octet-stream":
            try:
                payload = await request.json()
            except ValueError:
                return web.json_response({"error": "payload must be JSON"}, status=400)
        private = request.query.get("private", "false").lower() == "true"
        await self._send(claims, request.match_info["topic"].removeprefix(PREFIX),
                         request.match_info["event"], payload, private)
        return web.Response(status=202)


async def serve(dsn: str, host: str, port: int, secret: str,
                log: Callable[[str], None], stop: asyncio.Event, *,
                max_queue: int = MAX_QUEUE) -> None:
    """Run until ``stop`` is set; a channel more than ``max_queue`` messages behind is ended."""
    async with Hub(dsn, max_queue=max_queue) as hub:
        server = RealtimeServer(hub, secret, log)
        runner = web.AppRunner(server.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        log(f"realtime: listening on ws://{host}:{port}{BASE} (protocols {', '.join(VERSIONS)})")
        try:
            await stop.wait()
        finally:
            await runner.cleanup()


__all__ = ["BASE", "RealtimeServer", "serve"]
