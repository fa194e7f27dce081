"""The local realtime layer's commit-order stamp (compat 0005, per topic since 0010): writers on
the same topic still commit one after the other (so per topic (inserted_at, id) is commit
order); writers on different topics do not wait for each other; a transaction that wrote
several topics takes their locks in one fixed order, so two of them cannot deadlock."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest

# Long enough for a blocked commit to be told from a free one on a loaded machine, short
# enough to keep the test quick; a wait on the stamp's lock ends in 55P03 lock_not_available.
WAIT = "set local lock_timeout = '3s'"
# The advisory lock class of the per-topic stamp (compat/0010), keys hashtext(topic).
CLASSE = 1920233328


def send(conn: psycopg.Connection[Any], topic: str) -> None:
    conn.execute("select realtime.send('{}'::jsonb, 'teste', %s, true)", (topic,))


def stamp_now(conn: psycopg.Connection[Any]) -> None:
    """Fire the deferred stamp now, as COMMIT would: its locks are held until the end."""
    conn.execute("set constraints all immediate")


def test_writers_on_other_topics_do_not_wait_and_on_the_same_topic_do(db: str) -> None:
    with psycopg.connect(db) as first, psycopg.connect(db) as other, \
            psycopg.connect(db) as same:
        send(first, "ticket:a")
        stamp_now(first)  # first now holds topic a's stamp lock until it ends

        other.execute(WAIT)
        send(other, "ticket:b")
        other.commit()  # another topic: commits at once

        same.execute(WAIT)
        send(same, "ticket:a")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            same.commit()  # the same topic: waits for first
        first.commit()


def test_a_writer_of_two_topics_locks_them_in_key_order_not_in_write_order(db: str) -> None:
    """Write the topic with the larger lock key first: at commit the smaller key is still taken
    first (so two such writers can never hold one key each and wait for the other's)."""
    with psycopg.connect(db, autocommit=True) as admin:
        keys = dict(admin.execute("select t, hashtext(t) from unnest(%s::text[]) as t",
                                  (["ticket:x", "escritorio:y"],)).fetchall())
        small, big = sorted(keys, key=lambda t: keys[t])
        with psycopg.connect(db) as blocker, psycopg.connect(db) as writer:
            blocker.execute("select pg_advisory_xact_lock(%s, %s)", (CLASSE, keys[small]))
            send(writer, big)  # written first ...
            send(writer, small)  # ... second
            pid = writer.info.backend_pid
            stamping = threading.Thread(target=stamp_now, args=(writer,))
            stamping.start()
            for _ in range(300):
                if admin.execute("select 1 from pg_locks where pid = %s and not granted",
                                 (pid,)).fetchone():
                    break
                stamping.join(timeout=0.05)
            held = {int(r[0]) for r in admin.execute(
                "select objid::int from pg_locks where pid = %s and locktype = 'advisory' "
                "and classid = %s and granted", (pid, CLASSE)).fetchall()}
            waiting = admin.execute("select objid::int from pg_locks where pid = %s "
                                    "and locktype = 'advisory' and not granted",
                                    (pid,)).fetchone()
            blocker.commit()
            stamping.join(timeout=30)
            writer.commit()
    assert waiting is not None and waiting[0] == keys[small], "waits on the smaller key"
    assert keys[big] not in held, "the larger key, written first, is not taken before it"
