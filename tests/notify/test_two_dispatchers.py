"""Dispatchers as real processes: two `sales-sheets notify send` at once on one PostgreSQL ledger
send each message exactly once, and one killed with SIGKILL in the middle of its work loses
nothing. A real SMTP server that takes its time over each mail, a real ledger."""

from __future__ import annotations

import re
import signal
import time
from datetime import timedelta

import pytest

from sales_sheets.notify.dispatch import dispatch_due, utc_now, workspace_channels
from sales_sheets.workspace import Workspace

from ..helpers.config import configure
from ..helpers.dispatching import (
    arrived,
    enqueue_reports,
    report_subject,
    slow_mail_server,
    start,
)
from ..helpers.forms import query


def statuses(ws: Workspace) -> list[str]:
    return [r[0] for r in query(ws, "SELECT status FROM notifications ORDER BY id")]


@pytest.mark.ledgers("postgresql")
def test_two_dispatchers_on_one_ledger_send_each_message_once(workspace: Workspace) -> None:
    """The server takes no mail until both dispatchers are sending one (its gate): the first
    to start holds its leased batch (50) until the second, which finds only the rest, is at
    work too. Neither sends a row the other leased."""
    count = 60
    with slow_mail_server(delay=0.01, gate=2) as server:
        ws = configure(workspace, notify={"email": server.settings()})
        enqueue_reports(ws, count)
        command = ("notify", "send", "-w", str(ws.root))
        both = [start(*command), start(*command)]
        outputs = [process.communicate(timeout=60) for process in both]
    for process, (_, err) in zip(both, outputs, strict=True):
        assert process.returncode == 0, err
    assert server.most_at_once == 2  # they sent side by side
    sent = [int(re.findall(r"已发送 (\d+)", out)[0]) for out, _ in outputs]
    assert sum(sent) == count
    assert all(n > 0 for n in sent), sent
    assert statuses(ws) == ["sent"] * count
    assert arrived(server.received) == {report_subject(i): 1 for i in range(1, count + 1)}
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(
        f"r{i}@example.cn" for i in range(1, count + 1))


@pytest.mark.ledgers
def test_a_dispatcher_killed_mid_way_loses_nothing_and_repeats_at_most_one(
    workspace: Workspace,
) -> None:
    """`notify send` is killed with SIGKILL while it sends 30 mails (each taken by the server
    after 0.2 s). Its leased rows wait out their lease (5 minutes); a second pass after it sends
    them. Every row ends `sent`, every message arrived at least once, and only the one in
    flight at the kill (taken by the server, not yet marked sent) may have arrived twice:
    delivery is at least once to the server, never twice otherwise."""
    count = 30
    with slow_mail_server(delay=0.2) as server:
        ws = configure(workspace, notify={"email": server.settings()})
        enqueue_reports(ws, count)
        victim = start("notify", "send", "-w", str(ws.root))
        deadline = time.monotonic() + 60
        while len(server.received) < 8 and time.monotonic() < deadline:
            assert victim.poll() is None, victim.communicate()
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        time.sleep(0.3)  # the mail in flight at the kill, if any, is taken by now
        before = len(server.received)
        assert 8 <= before < count
        # Within the lease nothing is sent again: the rows are still the dead process's.
        assert dispatch_due(ws, workspace_channels(ws), utc_now()).sent == 0
        server.delay = 0.0
        done = dispatch_due(ws, workspace_channels(ws), utc_now() + timedelta(minutes=6))
    assert statuses(ws) == ["sent"] * count
    got = arrived(server.received)
    assert set(got) == {report_subject(i) for i in range(1, count + 1)}
    twice = [subject for subject, n in got.items() if n > 1]
    assert len(twice) <= 1 and max(got.values()) <= 2, got
    assert done.sent == count - before + len(twice)
