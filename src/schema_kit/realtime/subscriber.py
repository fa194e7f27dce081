"""``subscribe`` / ``asubscribe``: the messages of one topic, as one user, in order.

::

    for message in subscribe(dsn, "ticket:" + ticket_id, user_id):        # sync
        print(message.event, message.payload)

    async for message in asubscribe(dsn, topic, claims={"sub": uid, "role": "authenticated"},
                                    since=last_id):                        # asyncio
        ...

Each call owns one :class:`~schema_kit.realtime.hub.Hub` (two connections); to serve many
subscriptions on one LISTEN connection, use a ``Hub`` and ``hub.subscribe`` directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import Any
from uuid import UUID

from schema_kit.realtime.hub import Hub, Subscription
from schema_kit.realtime.messages import Message
from schema_kit.realtime.tokens import user_claims


def claims_for(user_id: UUID | str | None, claims: Mapping[str, Any] | None) -> dict[str, Any]:
    """Explicit claims win; else a signed-in user's; one of the two is required."""
    if claims is not None:
        return dict(claims)
    if user_id is None:
        raise ValueError("subscribe needs a user_id or JWT claims")
    return user_claims(str(user_id))


async def asubscribe(dsn: str, topic: str, user_id: UUID | str | None = None, *,
                     claims: Mapping[str, Any] | None = None, since: UUID | str | None = None,
                     private: bool = True) -> AsyncIterator[Message]:
    """Async iterator of the topic's messages; a refused join raises JoinRefused."""
    who = claims_for(user_id, claims)
    async with Hub(dsn) as hub:
        sub = await hub.subscribe(topic, who, private=private, since=since)
        async for message in sub:
            yield message


class subscribe(Iterator[Message]):
    """Blocking iterator of the topic's messages (its own event loop); close() when done."""

    def __init__(self, dsn: str, topic: str, user_id: UUID | str | None = None, *,
                 claims: Mapping[str, Any] | None = None, since: UUID | str | None = None,
                 private: bool = True) -> None:
        who = claims_for(user_id, claims)
        self._loop = asyncio.new_event_loop()
        self._hub = Hub(dsn)
        try:
            self._loop.run_until_complete(self._hub.start())
            self._sub: Subscription = self._loop.run_until_complete(
                self._hub.subscribe(topic, who, private=private, since=since))
        except BaseException:
            self.close()
            raise

    def __next__(self) -> Message:
        return self._loop.run_until_complete(self._sub.__anext__())

    def get(self, timeout: float | None = None) -> Message | None:
        """The next message, or None when ``timeout`` seconds pass without one."""
        return self._loop.run_until_complete(self._sub.get(timeout))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.run_until_complete(self._hub.close())
        self._loop.close()

    def __enter__(self) -> subscribe:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
