"""The outbox of messages: written with the outcome that causes them, leased by one dispatcher
at a time, then marked sent, retried later or given up (dead).

Times are naive UTC. A message is sent outside any transaction (a slow mail server must not
hold the ledger's write lock, which intake needs), so a dispatcher killed between the server's
acceptance and `mark_sent` sends it again once its lease ends: delivery is at least once to the
server, never twice for one key otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from .bulk import insert_or_skip
from .schema import notifications

PENDING, SENT, DEAD = "pending", "sent", "dead"


@dataclass(frozen=True)
class Notice:
    """One message to one recipient over one channel, before it is stored. `key` names the
    message for de-duplication (e.g. `approval_waiting:SO-1:v2:M01:email`)."""

    key: str
    event: str
    channel: str
    recipient: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    """A leased message: what the dispatcher sends."""

    id: int
    key: str
    event: str
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class DeadMessage:
    key: str
    recipient: str
    attempts: int
    last_error: str


@dataclass(frozen=True)
class Queue:
    """The outbox as `status` shows it."""

    pending: int
    sent_today: int
    dead: list[DeadMessage]
    next_attempt: datetime | None  # naive UTC; None when nothing waits

    def as_dict(self) -> dict[str, Any]:
        return {"pending": self.pending, "sent_today": self.sent_today,
                "dead": [vars(d) for d in self.dead],
                "next_attempt": self.next_attempt.isoformat() if self.next_attempt else None}


def enqueue(conn: Connection, notices: Iterable[Notice], now: datetime) -> int:
    """Store `notices` in the caller's transaction; a key stored before is left as it is.
    Returns how many were new."""
    rows = [{"key": n.key, "event": n.event, "channel": n.channel, "recipient": n.recipient,
             "payload": json.dumps(n.payload, ensure_ascii=False, sort_keys=True),
             "status": PENDING, "attempts": 0, "next_attempt": now, "created_at": now}
            for n in notices]
    if not rows:
        return 0
    # RETURNING counts what was new on both databases (psycopg's rowcount is -1 here).
    statement = insert_or_skip(conn, notifications, ["key"]).returning(notifications.c.id)
    return sum(len(conn.execute(statement, row).all()) for row in rows)


def attachments_moved(conn: Connection, moved: Mapping[str, str]) -> int:
    """Messages not sent yet that attach a file that has moved (old -> new path, relative to
    the workspace) attach it where it is now: a request filed away once decided still goes out
    with the message that announced it. Returns how many messages changed."""
    if not moved:
        return 0
    changed = 0
    rows = conn.execute(select(notifications.c.id, notifications.c.payload)
                        .where(notifications.c.status == PENDING,
                               or_(*(notifications.c.payload.contains(old) for old in moved))))
    for message_id, stored in rows.all():
        payload = json.loads(stored)
        attached = payload.get("attachments", [])
        now_at = [moved.get(path, path) for path in attached]
        if now_at != attached:
            payload["attachments"] = now_at
            conn.execute(update(notifications).where(notifications.c.id == message_id).values(
                payload=json.dumps(payload, ensure_ascii=False, sort_keys=True)))
            changed += 1
    return changed


def lease_due(conn: Connection, now: datetime, lease: timedelta, limit: int) -> list[Outgoing]:
    """Lease up to `limit` messages due now, oldest first, until `now + lease`. Two
    dispatchers never lease the same row: on PostgreSQL a row one of them is leasing is
    skipped (SKIP LOCKED); SQLite's write lock serialises them."""
    query = (select(notifications)
             .where(notifications.c.status == PENDING, notifications.c.next_attempt <= now,
                    or_(notifications.c.claimed_until.is_(None),
                        notifications.c.claimed_until < now))
             .order_by(notifications.c.id).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = conn.execute(query).mappings().all()
    if rows:
        conn.execute(update(notifications)
                     .where(notifications.c.id.in_([r["id"] for r in rows]))
                     .values(claimed_until=now + lease))
    return [Outgoing(r["id"], r["key"], r["event"], r["channel"], r["recipient"],
                     json.loads(r["payload"]), r["attempts"]) for r in rows]


def mark_sent(conn: Connection, message_id: int, now: datetime) -> None:
    conn.execute(update(notifications).where(notifications.c.id == message_id).values(
        status=SENT, sent_at=now, attempts=notifications.c.attempts + 1, claimed_until=None,
        last_error=None))


def mark_failed(conn: Connection, message: Outgoing, error: str, now: datetime,
                max_attempts: int, first_wait: timedelta) -> bool:
    """Record a failed attempt: retried after `first_wait` doubled per earlier attempt, or
    dead after `max_attempts`. Returns whether it is dead."""
    attempts = message.attempts + 1
    dead = attempts >= max_attempts
    conn.execute(update(notifications).where(notifications.c.id == message.id).values(
        status=DEAD if dead else PENDING, attempts=attempts, last_error=error[:2000],
        claimed_until=None, next_attempt=now + first_wait * 2 ** (attempts - 1)))
    return dead


def release(conn: Connection, message_id: int) -> None:
    """Give a leased message back unsent (the dispatcher is stopping)."""
    conn.execute(update(notifications).where(notifications.c.id == message_id)
                 .values(claimed_until=None))


def next_due(conn: Connection) -> datetime | None:
    """When the next pending message falls due (naive UTC), or None."""
    found: datetime | None = conn.execute(
        select(func.min(notifications.c.next_attempt))
        .where(notifications.c.status == PENDING)).scalar()
    return found


def queue(conn: Connection, day_start: datetime, dead_shown: int = 10) -> Queue:
    """Pending and dead messages, and those sent since `day_start` (naive UTC)."""
    pending = conn.execute(select(func.count()).where(
        notifications.c.status == PENDING)).scalar_one()
    sent = conn.execute(select(func.count()).where(
        and_(notifications.c.status == SENT, notifications.c.sent_at >= day_start))).scalar_one()
    dead = conn.execute(
        select(notifications.c.key, notifications.c.recipient, notifications.c.attempts,
               notifications.c.last_error)
        .where(notifications.c.status == DEAD)
        .order_by(notifications.c.id.desc()).limit(dead_shown)).all()
    return Queue(pending, sent, [DeadMessage(r.key, r.recipient, r.attempts, r.last_error or "")
                                 for r in dead], next_due(conn))

