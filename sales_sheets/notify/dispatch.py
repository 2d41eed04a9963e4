"""Sending the stored messages: lease the due ones, compose each for its recipient, send it over
its channel outside any transaction, then record sent, a retry with backoff, or dead.

Intake never waits for this: it only stores rows. `watch` runs a `Dispatcher` thread beside it;
`process` and `sales-sheets notify send` call `dispatch_due` once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..channels import Channel, channels_from
from ..channels.message import Attachment, Message, SendFailed
from ..ledger import Books, Ledger, Outgoing
from ..workspace import Workspace
from .events import notices
from .texts import message_text

log = logging.getLogger("sales_sheets.notify")

# A leased message is another dispatcher's again after this: longer than any send may take.
_LEASE = timedelta(minutes=5)
_BATCH = 50
_IDLE_SECONDS = 30.0  # the longest a dispatcher sleeps without looking (a row another wrote)
_QUIET_SECONDS = 0.5  # intake quiet this long: its messages go out
_LONGEST_WAIT = 30.0  # a stream of files that never stops still has its messages sent


def utc_now() -> datetime:
    """Now as the outbox stores times: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Told:
    channel: str
    to: str
    subject: str


@dataclass
class Dispatched:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0  # not tried: their channel had failed earlier in the same pass
    told: list[Told] = field(default_factory=list)  # what was sent, to whom

    def __iadd__(self, other: Dispatched) -> Dispatched:
        self.sent += other.sent
        self.retried += other.retried
        self.dead += other.dead
        self.deferred += other.deferred
        self.told += other.told
        return self

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retried": self.retried, "dead": self.dead,
                "deferred": self.deferred}


def workspace_channels(workspace: Workspace) -> dict[str, Channel]:
    """The workspace's configured channels by name (the console when none is).

    Raises:
        ConfigError: a secret's environment variable is missing, or a setting is wrong.
    """
    return {c.name: c for c in channels_from(workspace.settings.notify, os.environ)}


def dispatch_due(workspace: Workspace, channels: Mapping[str, Channel],
                 now: datetime | None = None) -> Dispatched:
    """Send every message due at `now` (naive UTC; the current time by default), batch by
    batch, until none is due."""
    ledger = Ledger.of(workspace)
    done = Dispatched()
    # A channel that failed once in this pass (its server is down, its password wrong) is not
    # tried again until the next pass: its other messages wait without an attempt counted,
    # instead of each waiting for the same timeout.
    failing: set[str] = set()
    while True:
        moment = now or utc_now()
        with ledger.transaction() as books:
            batch = books.lease_due(moment, _LEASE, _BATCH)
        if not batch:
            return done
        deferred = [m for m in batch if m.channel in failing]
        for message in batch:
            if message.channel in failing:
                with ledger.transaction() as books:
                    books.release_message(message.id)
                done.deferred += 1
                continue
            done += _send(workspace, channels, message, now, failing)
        if deferred and len(deferred) == len(batch):
            return done


def _send(workspace: Workspace, channels: Mapping[str, Channel], message: Outgoing,
          now: datetime | None, failing: set[str]) -> Dispatched:
    ledger = Ledger.of(workspace)
    try:
        with ledger.connect() as books:
            composed = compose(workspace, books, message)
        channel = channels.get(message.channel)
        if channel is None:
            raise SendFailed(f"the channel {message.channel} is not configured any more")
    except SendFailed as failure:
        return _failed(workspace, message, failure.reason, now)
    try:
        channel.send(composed)
    except SendFailed as failure:
        failing.add(message.channel)
        return _failed(workspace, message, failure.reason, now)
    except Exception as exc:
        log.exception("sending %s failed", message.key)
        failing.add(message.channel)
        return _failed(workspace, message, f"{type(exc).__name__}: {exc}", now)
    with ledger.transaction() as books:
        books.mark_sent(message.id, now or utc_now())
    log.info("sent %s", message.key)
    to = "、".join(composed.emails) or message.recipient
    return Dispatched(sent=1, told=[Told(message.channel, to, composed.subject)])


def _failed(workspace: Workspace, message: Outgoing, reason: str,
            now: datetime | None) -> Dispatched:
    notify = workspace.settings.notify
    moment = now or utc_now()
    with Ledger.of(workspace).transaction() as books:
        dead = books.mark_failed(message, reason, moment, notify.max_attempts,
                                 timedelta(seconds=notify.retry_seconds))
        if dead and message.event != "notification_dead":
            books.enqueue(notices(notify, "notification_dead", message.key,
                                  notify.administrators,
                                  {"key": message.key, "recipient": message.recipient,
                                   "attempts": message.attempts + 1, "error": reason}), moment)
    if dead:
        log.error("giving up %s after %d attempts: %s", message.key, message.attempts + 1,
                  reason)
        return Dispatched(dead=1)
    log.warning("sending %s failed (attempt %d), will retry: %s", message.key,
                message.attempts + 1, reason)
    return Dispatched(retried=1)


@dataclass(frozen=True)
class _Contact:
    name: str
    email: str
    mobile: str
    user_id: str


def compose(workspace: Workspace, books: Books, message: Outgoing) -> Message:
    """The message as its recipients get it: their names and addresses from the roster (read
    now, so a corrected address counts at the next attempt), the text from the templates.

    Raises:
        SendFailed: an attachment is missing (not written yet), or a person on a mail channel
            has no address.
    """
    contacts = [_contact(books, who) for who in message.recipient.split(",") if who]
    if message.channel == "email" and not any(c.email for c in contacts):
        names = "、".join(c.name for c in contacts) or "nobody"
        raise SendFailed(f"no e-mail address for {names} in the roster (业务员 master data)")
    facts: dict[str, Any] = {**message.payload,
                             "name": "、".join(c.name for c in contacts)}
    text = message_text(workspace, message.event, facts)
    return Message(
        subject=text.subject, body=text.body,
        emails=tuple(c.email or c.name for c in contacts),
        mobiles=tuple(c.mobile for c in contacts if c.mobile),
        user_ids=tuple(c.user_id for c in contacts if c.user_id),
        attachments=tuple(_attachment(workspace, relative)
                          for relative in message.payload.get("attachments", [])))


def _contact(books: Books, who: str) -> _Contact:
    if "@" in who:
        return _Contact(who, who, "", "")
    record = books.person(who)
    if record is None:
        return _Contact(who, "", "", "")
    return _Contact(str(record["name"] or who), str(record["email"] or ""),
                    str(record["mobile"] or ""), str(record["wecom_userid"] or ""))


def _attachment(workspace: Workspace, relative: str) -> Attachment:
    path = workspace.root / relative
    try:
        return Attachment(path.name, path.read_bytes())
    except OSError as exc:
        raise SendFailed(f"the attachment {relative} cannot be read yet: {exc.strerror}") from None


class Dispatcher:
    """The watcher's sender: a thread that sends what is due, sleeps until the next message
    falls due (or `wake` is called after intake stored some), and stops with `stop`."""

    def __init__(self, workspace: Workspace, channels: Mapping[str, Channel]) -> None:
        self.workspace = workspace
        self.channels = channels
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._woken = 0.0  # monotonic time of the last wake
        self._thread = threading.Thread(target=self._run, name="notify", daemon=True)

    def start(self) -> Dispatcher:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._woken = time.monotonic()
        self._wake.set()

    def _settle(self) -> None:
        """Wait while intake is busy: until it has been quiet for _QUIET_SECONDS since the last
        wake, at most _LONGEST_WAIT. Composing mail competes with intake for the interpreter,
        so a burst of files is answered first and told right after; a lone file is told within
        a second."""
        began = time.monotonic()
        while not self._stop.is_set():
            quiet = time.monotonic() - self._woken
            if quiet >= _QUIET_SECONDS or time.monotonic() - began >= _LONGEST_WAIT:
                return
            self._stop.wait(_QUIET_SECONDS - quiet)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self._settle()
            try:
                dispatch_due(self.workspace, self.channels)
                with Ledger.of(self.workspace).connect() as books:
                    due = books.next_message_due()
            except Exception:
                log.exception("sending messages failed; trying again shortly")
                due = None
            wait = _IDLE_SECONDS
            if due is not None:
                wait = min(wait, max(0.05, (due - utc_now()).total_seconds()))
            self._wake.wait(wait)


@dataclass(frozen=True)
class Tried:
    channel: str
    error: str  # "" when it was sent


def send_test(workspace: Workspace, channels: Mapping[str, Channel], to: str) -> list[Tried]:
    """Send the test message to `to` (an address, or a code or name from the roster) over
    every configured channel at once, outside the outbox: it proves the settings."""
    tried = []
    for name, channel in channels.items():
        message = Outgoing(0, "test", "test", name, to, {"channel": name}, 0)
        try:
            with Ledger.of(workspace).connect() as books:
                channel.send(compose(workspace, books, message))
        except SendFailed as failure:
            tried.append(Tried(name, failure.reason))
        else:
            tried.append(Tried(name, ""))
    return tried
