"""Realtime on plain PostgreSQL: subscribe to topics as a user, and a local Supabase Realtime.

- :func:`subscribe` / :func:`asubscribe`: messages of one topic, authorized and re-read as the
  user exactly as Supabase Realtime authorizes private channels (RLS decides), in order, with
  ``since=<last id>`` to resume without gap or duplicate.
- :class:`Hub`: one LISTEN connection serving many subscriptions.
- ``schema-kit realtime serve`` (:mod:`schema_kit.realtime.server`): a development and CI
  stand-in that Supabase's own client libraries connect to.
"""

from __future__ import annotations

from schema_kit.realtime.hub import (
    Hub,
    HubClosed,
    JoinRefused,
    NoDeliveryLayer,
    ResumeError,
    SubscriberTooSlow,
    Subscription,
)
from schema_kit.realtime.messages import Message
from schema_kit.realtime.subscriber import asubscribe, subscribe

__all__ = ["Hub", "HubClosed", "JoinRefused", "Message", "NoDeliveryLayer", "ResumeError",
           "SubscriberTooSlow", "Subscription", "asubscribe", "subscribe"]
