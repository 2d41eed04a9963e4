"""What the delivery tests share: a mail server that takes its time over each mail (to kill a
dispatcher in the middle of its work, or to keep two of them busy at once), messages stored
straight into the outbox, `sales-sheets` run as a real process, and counts of what arrived.

    with slow_mail_server(delay=0.2) as server:        # each DATA answered after 0.2 s
        enqueue_reports(workspace, 30)                  # 30 pending mails, subjects K001…K030
        sales_sheets("notify", "send", "-w", str(workspace.root))
        arrived(server)                                 # Counter of subjects
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from sales_sheets.ledger import Ledger, Notice
from sales_sheets.notify.dispatch import utc_now
from sales_sheets.workspace import Workspace

from .mail_server import SENDER, Received, free_port

SCRIPT = Path(sys.executable).with_name("sales-sheets")


@dataclass
class SlowMailServer:
    """A plain SMTP server on 127.0.0.1 that waits `delay` seconds before it takes each mail
    (answers DATA). A mail counts as received once the server took it, whether or not the
    client was still there to read the answer: what a real server would deliver.

    With `gate` = N, no mail is taken until N clients are sending one at the same moment (at
    most `gate_timeout` seconds): a dispatcher sends one mail at a time, so N clients in DATA
    at once are N dispatchers at work side by side, however long each took to start."""

    host: str
    port: int
    delay: float
    gate: int = 0
    gate_timeout: float = 60.0
    received: list[Received] = field(default_factory=list)
    most_at_once: int = 0  # the most clients that were in DATA at the same moment

    def settings(self, **changes: object) -> dict[str, object]:
        """[notify.email] for config.toml pointing at this server, with `changes`."""
        return {"host": self.host, "port": self.port, "security": "none", "sender": SENDER,
                "timeout": 5.0, **changes}


class _SlowHandler:
    def __init__(self, server: SlowMailServer) -> None:
        self.server = server
        self.sending = 0
        self.open = asyncio.Event()  # bound to the server's loop at its first wait

    async def handle_DATA(self, server: SMTP, session: Session,  # noqa: N802
                          envelope: Envelope) -> str:
        self.sending += 1
        self.server.most_at_once = max(self.server.most_at_once, self.sending)
        try:
            if self.sending >= self.server.gate:
                self.open.set()
            try:
                await asyncio.wait_for(self.open.wait(), self.server.gate_timeout)
            except TimeoutError:
                self.open.set()  # the test sees it in most_at_once
            await asyncio.sleep(self.server.delay)  # the delay may change while it runs
        finally:
            self.sending -= 1
        self.server.received.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos),
                                             envelope.original_content or b"", None))
        return "250 OK"


@contextmanager
def slow_mail_server(delay: float, gate: int = 0) -> Iterator[SlowMailServer]:
    """A running slow SMTP server (see SlowMailServer), stopped on leaving."""
    server = SlowMailServer("127.0.0.1", free_port(), delay, gate)
    controller = Controller(_SlowHandler(server), hostname=server.host, port=server.port,
                            server_hostname="mail.test")
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def report_subject(number: int) -> str:
    """The subject the shipped report_ready text gives the `number`th stored report message."""
    return f"【报表】{report_period(number)} 销售汇总已生成"


def report_period(number: int) -> str:
    return f"K{number:03d}"


def enqueue_reports(workspace: Workspace, count: int, channel: str = "email") -> list[str]:
    """Store `count` report_ready messages, each to its own address and with its own subject
    (see `report_subject`), in one transaction. Returns their keys, in order."""
    notices = [Notice(f"report_ready:{report_period(i)}:{channel}", "report_ready", channel,
                      f"r{i}@example.cn", {"period": report_period(i), "file": f"{i}.xlsx"})
               for i in range(1, count + 1)]
    with Ledger.of(workspace).transaction() as books:
        assert books.enqueue(notices, utc_now()) == count
    return [n.key for n in notices]


def arrived(received: list[Received]) -> Counter[str]:
    """How many times each subject arrived."""
    return Counter(str(r.message()["Subject"]) for r in received)


def environment(**variables: str) -> dict[str, str]:
    """This process's environment with `variables`, for a `sales-sheets` child."""
    return {**os.environ, **variables}


def start(*args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """`sales-sheets ARGS` started as a process of its own, its output kept."""
    return subprocess.Popen([str(SCRIPT), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(env) if env is not None else None)


def sales_sheets(*args: str, env: Mapping[str, str] | None = None,
                 timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`sales-sheets ARGS` run to its end in a process of its own."""
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(env) if env is not None else None, check=False)
