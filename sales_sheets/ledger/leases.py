"""Leased claims: which watcher (or `process` run) holds each claimed file, and who is watching.

Every holder has a row in `watchers` whose `last_seen` a heartbeat thread renews every third of
`watch.lease_seconds`; its claims are live while that heartbeat is younger than a lease. Another
holder takes a claim over only when its owner stopped, its lease ran out, or (on the same machine)
its process is gone, and only through one conditional UPDATE whose row count says who won. On
PostgreSQL every machine compares against the server's clock, so their own clocks may drift.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..errors import StorageError
from ..workspace import Workspace
from .database import ledger_of
from .schema import claims, watchers

T = TypeVar("T")

log = logging.getLogger(__name__)

# A holder's row (and so its record in `status`) is kept this long after its last heartbeat;
# claims of an owner whose row is gone are free.
KEEP = timedelta(days=7)


def ledger_now(conn: Connection) -> datetime:
    """Now in UTC, by the server's clock on PostgreSQL (shared by every machine), by this
    machine's on SQLite (a file that only one machine writes)."""
    if conn.dialect.name == "postgresql":
        found: datetime = conn.execute(text("SELECT timezone('UTC', now())")).scalar_one()
        return found
    return datetime.now(UTC).replace(tzinfo=None)


def this_node() -> str:
    """This machine and its process namespace: where a pid names the same process."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}"


def pid_alive(pid: int) -> bool:
    """Whether process `pid` of this node still runs. Only POSIX can ask without harm (on
    Windows os.kill terminates): elsewhere the answer is yes and the lease decides."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Owner:
    """What the ledger knows about a claim's owner."""

    node: str
    pid: int
    last_seen: datetime
    stopped: bool


def is_live(owner: Owner | None, now: datetime, lease: timedelta, node: str,
            alive: Callable[[int], bool] = pid_alive) -> bool:
    """Whether `owner` still holds its claims at `now`: it has a row, did not stop, its
    heartbeat is younger than `lease`, and, when it runs on this `node`, its process exists (so a
    crashed run's claims are taken up at once by the next run on the same machine)."""
    if owner is None or owner.stopped:
        return False
    if owner.node == node and not alive(owner.pid):
        return False
    return now - owner.last_seen < lease


class Holder:
    """This process as the holder of claims: its `watchers` row and the heartbeat renewing it.

    Use it as a context manager (or call `stop`): a clean stop frees its claims at once."""

    def __init__(self, engine: Engine, owner: str, lease: timedelta, node: str) -> None:
        self.engine = engine
        self.owner = owner
        self.lease = lease
        self.node = node
        self.files_done = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="sales-sheets heartbeat",
                                        daemon=True)

    def start(self) -> Holder:
        self._thread.start()
        return self

    def __enter__(self) -> Holder:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def counting(self, then: Callable[[T], None] | None) -> Callable[[T], None]:
        """`then`, also counting each call as a file done (shown by `status`)."""
        def counted(result: T) -> None:
            self.files_done += 1
            if then is not None:
                then(result)
        return counted

    def record(self, claim_ids: list[str]) -> None:
        """Note claims as ours, in one transaction; called before their folders exist, so
        whoever sees a folder finds its owner."""
        try:
            with self.engine.begin() as conn:
                now = ledger_now(conn)
                conn.execute(insert(claims), [{"claim_id": claim_id, "owner": self.owner,
                                               "taken_at": now} for claim_id in claim_ids])
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot record a claim in the ledger: {exc}") from None

    def forget(self, claim_ids: Iterable[str]) -> None:
        """Forget finished (or never made) claims of ours."""
        ids = list(claim_ids)
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(delete(claims).where(claims.c.claim_id.in_(ids),
                                              claims.c.owner == self.owner))

    def take(self, found: Iterable[str]) -> set[str]:
        """Of the claims found in the inbox, those this holder may work on now: its own, those
        of an owner that is not live (taken over here), and those nobody recorded (left by a
        version without leases, or finished a moment ago: a claim's row exists before its
        folder does)."""
        ids = list(found)
        if not ids:
            return set()
        with self.engine.begin() as conn:
            now = ledger_now(conn)
            query = (select(claims.c.claim_id, claims.c.owner, watchers.c.node, watchers.c.pid,
                            watchers.c.last_seen, watchers.c.stopped_at)
                     .select_from(claims.outerjoin(watchers, claims.c.owner == watchers.c.owner))
                     .where(claims.c.claim_id.in_(ids)))
            recorded = {row.claim_id: row for row in conn.execute(query)}
            held: set[str] = set()
            for claim_id in ids:
                row = recorded.get(claim_id)
                if row is None:
                    won = self._take_unrecorded(conn, claim_id, now)
                elif row.owner == self.owner:
                    won = True
                elif is_live(_owner(row), now, self.lease, self.node):
                    won = False
                else:
                    # Whoever else saw the same dead owner changes this row first; then it no
                    # longer matches here and the row count is 0.
                    won = conn.execute(
                        update(claims)
                        .where(claims.c.claim_id == claim_id, claims.c.owner == row.owner)
                        .values(owner=self.owner, taken_at=now)).rowcount == 1
                    if won:
                        log.info("took over claim %s of %s", claim_id, row.owner)
                if won:
                    held.add(claim_id)
        return held

    def _take_unrecorded(self, conn: Connection, claim_id: str, now: datetime) -> bool:
        try:
            with conn.begin_nested():
                conn.execute(insert(claims).values(claim_id=claim_id, owner=self.owner,
                                                   taken_at=now))
        except IntegrityError:
            return False  # another holder recorded it first
        return True

    def renew(self) -> None:
        """One heartbeat: the lease of every claim of ours starts again."""
        with self.engine.begin() as conn:
            conn.execute(update(watchers).where(watchers.c.owner == self.owner)
                         .values(last_seen=ledger_now(conn), files_done=self.files_done))

    def stop(self) -> None:
        """Stop the heartbeat, mark this holder stopped and drop its claims' records: claims it
        did not finish are free for the next holder at once."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        try:
            with self.engine.begin() as conn:
                now = ledger_now(conn)
                conn.execute(update(watchers).where(watchers.c.owner == self.owner).values(
                    last_seen=now, stopped_at=now, files_done=self.files_done))
                conn.execute(delete(claims).where(claims.c.owner == self.owner))
        except SQLAlchemyError:
            # The ledger is down: the lease runs out instead.
            log.warning("could not mark %s stopped in the ledger", self.owner, exc_info=True)

    def _beat(self) -> None:
        # Its own thread, so the lease outlives a batch (or one big file) that takes longer
        # than a lease; it sleeps in between, nothing is polled.
        while not self._stopping.wait(self.lease.total_seconds() / 3):
            try:
                self.renew()
            except SQLAlchemyError:
                log.warning("heartbeat of %s failed; trying again", self.owner, exc_info=True)


def _owner(row: Any) -> Owner | None:
    if row.last_seen is None:  # the owner's row is gone: it stopped long ago
        return None
    return Owner(row.node, row.pid, row.last_seen, row.stopped_at is not None)


def hold_claims(workspace: Workspace, command: str) -> Holder:
    """Register this process (running `command`, "watch" or "process") as a holder of claims in
    the workspace's ledger and start its heartbeat; rows of holders gone for a week go."""
    engine = ledger_of(workspace)
    owner = uuid.uuid4().hex
    node = this_node()
    try:
        with engine.begin() as conn:
            now = ledger_now(conn)
            conn.execute(delete(watchers).where(watchers.c.last_seen < now - KEEP))
            conn.execute(delete(claims).where(claims.c.owner.not_in(select(watchers.c.owner))))
            conn.execute(insert(watchers).values(
                owner=owner, command=command, host=socket.gethostname(), node=node,
                pid=os.getpid(), workspace=str(workspace.root), inbox=str(workspace.inbox),
                started=now, last_seen=now, files_done=0))
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot register with the ledger: {exc}") from None
    lease = timedelta(seconds=workspace.settings.watch.lease_seconds)
    return Holder(engine, owner, lease, node).start()


@dataclass(frozen=True)
class Seen:
    """A live holder as `status` shows it; times are this machine's local time."""

    command: str
    host: str
    pid: int
    workspace: str
    started: datetime
    last_seen: datetime
    files_done: int

    def as_dict(self) -> dict[str, Any]:
        return {"command": self.command, "host": self.host, "pid": self.pid,
                "workspace": self.workspace, "started": self.started.isoformat(sep=" "),
                "last_seen": self.last_seen.isoformat(sep=" "), "files_done": self.files_done}


@dataclass(frozen=True)
class Watching:
    """Who is watching: the live holders, how many of them watch `inbox`, and when a holder of
    `inbox` was last seen."""

    live: list[Seen]
    inbox_last_seen: datetime | None  # local time; None when none ever was
    quiet_seconds: float | None  # since then
    inbox_watchers: int  # live `watch` holders of the inbox (`process` runs end by themselves)


def watching(conn: Connection, inbox: str, lease: timedelta) -> Watching:
    """The holders live now (oldest first) and the last heartbeat of any holder of `inbox`."""
    now = ledger_now(conn)
    node = this_node()
    rows = conn.execute(select(watchers).order_by(watchers.c.started)).all()
    alive = [r for r in rows
             if is_live(Owner(r.node, r.pid, r.last_seen, r.stopped_at is not None), now, lease,
                        node)]
    live = [Seen(r.command, r.host, r.pid, r.workspace, _local(r.started), _local(r.last_seen),
                 r.files_done) for r in alive]
    seen = [r.last_seen for r in rows if r.inbox == inbox]
    last = max(seen, default=None)
    quiet = (now - last).total_seconds() if last is not None else None
    ours = sum(1 for r in alive if r.inbox == inbox and r.command == "watch")
    return Watching(live, _local(last) if last is not None else None, quiet, ours)


def _local(utc: datetime) -> datetime:
    return utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None, microsecond=0)

