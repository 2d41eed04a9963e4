"""From an event to the messages it stores: one per recipient on a personal channel (mail, the
console), one per group robot mentioning every recipient; none when the event is switched off
in `[notify.events]`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from ..config import Notify
from ..ledger import Notice

GROUP_CHANNELS = ("wecom", "dingtalk", "feishu")
_KEY_LENGTH = 200  # the column's width


def channel_names(notify: Notify) -> tuple[str, ...]:
    """The channels configured, in a stable order; the console when none is."""
    names = tuple(name for name in ("email", *GROUP_CHANNELS)
                  if getattr(notify, name) is not None)
    return names or ("console",)


def notices(notify: Notify, event: str, about: str, recipients: Iterable[str],
            facts: dict[str, Any]) -> list[Notice]:
    """The messages of `event` about `about` (what makes it one message: a document and its
    version, a period) to `recipients` (codes, names or e-mail addresses)."""
    if not getattr(notify.events, event):
        return []
    people = list(dict.fromkeys(r for r in recipients if r))
    found = []
    for channel in channel_names(notify):
        if channel in GROUP_CHANNELS:
            found.append(Notice(_key(event, about, channel), event, channel, ",".join(people),
                                facts))
        else:
            found += [Notice(_key(event, about, who, channel), event, channel, who, facts)
                      for who in people]
    return found


def _key(*parts: str) -> str:
    key = ":".join(parts)
    if len(key) <= _KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{key[:_KEY_LENGTH - 17]}~{digest}"
