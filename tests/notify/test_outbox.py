"""The outbox of messages: written in the transaction of the outcome that causes it, sent by the
dispatcher over a real channel, retried with backoff, dead after `max_attempts`, never sent
twice for one key. Real forms, a real ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import logging
import socket
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from sales_sheets.api import ledger_status
from sales_sheets.cli import main
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger.database import ledger_of
from sales_sheets.ledger.notifications import Notice, enqueue
from sales_sheets.notify.dispatch import dispatch_due, utc_now, workspace_channels
from sales_sheets.workspace import Workspace

from ..helpers.approvals import decide
from ..helpers.config import configure
from ..helpers.forms import drop, one, order_header, query

pytestmark = pytest.mark.ledgers

CHEAP = {"product_code": "P001", "quantity": 2, "unit_price": "12000"}  # below list: held
UNKNOWN = {"product_code": "NOPE", "quantity": 1, "unit_price": "100"}


def rows(ws: Workspace) -> list[tuple[str, str, str, str]]:
    return [(r[0], r[1], r[2], r[3]) for r in query(
        ws, "SELECT event, channel, recipient, status FROM notifications ORDER BY id")]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_rejected_file_stores_its_message_with_its_outcome(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    result = one(loaded)
    assert result.status == "rejected"
    # stored by intake itself, before anything is sent
    assert rows(loaded) == [("file_rejected", "console", "S01", "pending")]
    [(payload,)] = query(loaded, "SELECT payload FROM notifications")
    facts = json.loads(payload)
    assert facts["problem_count"] == 1 and facts["file"] == "S01/bad.xlsx"
    assert facts["attachments"] == [result.outputs[1]]  # the annotated copy
    assert (loaded.root / result.outputs[1]).exists()


def test_the_console_channel_tells_who_would_be_told_what_once(
    loaded: Workspace, caplog: pytest.LogCaptureFixture,
) -> None:
    drop(loaded, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    one(loaded)
    with caplog.at_level(logging.INFO, "sales_sheets.notify"):
        done = dispatch_due(loaded, workspace_channels(loaded))
    assert (done.sent, done.retried, done.dead) == (1, 0, 0)
    [told] = done.told
    assert (told.channel, told.to) == ("console", "zhangwei@example.cn")
    assert told.subject == "【退回】S01/bad.xlsx 有 1 处问题"
    assert "zhangwei@example.cn" in caplog.text and "问题标注" in caplog.text
    assert rows(loaded) == [("file_rejected", "console", "S01", "sent")]
    assert dispatch_due(loaded, workspace_channels(loaded)).sent == 0  # never twice


def test_a_held_order_tells_the_approver_and_the_decision_tells_the_salesperson(
    loaded: Workspace,
) -> None:
    drop(loaded, "order", "S01/SO-1.xlsx", order_header(), [CHEAP])
    held = one(loaded)
    assert held.status == "held"
    assert [(e, r) for e, _, r, _ in rows(loaded)] == [
        ("file_held", "S01"), ("approval_waiting", "李强")]
    [(payload,)] = query(loaded, "SELECT payload FROM notifications WHERE event = ?",
                         "approval_waiting")
    request = next(o for o in held.outputs if o.startswith("outbox/approvals/"))
    assert json.loads(payload)["attachments"] == [request]
    decide(loaded, loaded.root / request, "李强/审批.xlsx", decision="同意", approver="李强",
           approved_on=date(2026, 11, 3))
    assert one(loaded).status == "accepted"
    assert rows(loaded)[-1] == ("approval_decided", "console", "S01", "pending")
    done = dispatch_due(loaded, workspace_channels(loaded))
    assert [t.subject for t in done.told][-1] == "【审批通过】订货单 SO-1"


def test_a_key_is_stored_once(workspace: Workspace) -> None:
    notice = Notice("report_ready:2026-11:M01:console", "report_ready", "console", "M01",
                    {"period": "2026年11月", "file": "x.xlsx"})
    with ledger_of(workspace).begin() as conn:
        assert enqueue(conn, [notice], utc_now()) == 1
    with ledger_of(workspace).begin() as conn:
        assert enqueue(conn, [notice, notice], utc_now()) == 0
    assert len(rows(workspace)) == 1


def test_an_unreachable_server_is_retried_with_backoff_then_given_up(
    loaded: Workspace,
) -> None:
    ws = configure(loaded, notify={
        "max_attempts": 3, "retry_seconds": 60.0, "administrators": ["admin@example.cn"],
        "email": {"host": "127.0.0.1", "port": closed_port(), "security": "none",
                  "sender": "sales@example.cn", "timeout": 2.0}})
    drop(ws, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    one(ws)
    channels = workspace_channels(ws)
    start = utc_now()
    assert dispatch_due(ws, channels, start).retried == 1
    # not due again before its wait (60 s, then 120 s) is over
    assert dispatch_due(ws, channels, start + timedelta(seconds=30)).retried == 0
    assert dispatch_due(ws, channels, start + timedelta(seconds=61)).retried == 1
    assert dispatch_due(ws, channels, start + timedelta(seconds=150)).retried == 0
    done = dispatch_due(ws, channels, start + timedelta(seconds=190))
    # given up; the administrator is told (and that message, too, cannot go)
    assert done.dead == 1
    assert [(e, r, s) for e, _, r, s in rows(ws)][0] == ("file_rejected", "S01", "dead")
    assert ("notification_dead", "admin@example.cn") in [(e, r) for e, _, r, _ in rows(ws)]
    [(attempts, error)] = query(ws, "SELECT attempts, last_error FROM notifications "
                                    "WHERE event = ?", "file_rejected")
    assert attempts == 3 and error
    dead = ledger_status(ws).notifications.dead
    assert [d.key for d in dead if d.key.startswith("file_rejected")]
    shown = CliRunner().invoke(main, ["status", "-w", str(ws.root)])
    assert shown.exit_code == 0 and "失败放弃 1" in shown.output


def test_an_event_switched_off_stores_nothing(loaded: Workspace) -> None:
    ws = configure(loaded, notify={"events": {"file_rejected": False}})
    drop(ws, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    one(ws)
    assert rows(ws) == []


def test_messages_follow_the_language_and_an_office_may_reword_them(loaded: Workspace) -> None:
    ws = configure(loaded, language="en")
    drop(ws, "order", "S01/bad.xlsx", order_header(), [UNKNOWN], language="en")
    one(ws)
    [told] = dispatch_due(ws, workspace_channels(ws)).told
    assert told.subject == "[Returned] S01/bad.xlsx: 1 problem(s)"
    reworded = ws.templates / "messages" / "en" / "file_rejected.txt"
    assert reworded.exists()  # written on first use, for the office to reword
    reworded.write_text("Please fix {{ file }}\n{{ name }}: {{ problem_count }}\n",
                        encoding="utf-8")
    drop(ws, "order", "S01/bad2.xlsx", order_header(no="SO-2"), [UNKNOWN], language="en")
    one(ws)
    [told] = dispatch_due(ws, workspace_channels(ws)).told
    assert told.subject == "Please fix S01/bad2.xlsx"
    # a broken text falls back to the shipped one instead of stopping the message
    reworded.write_text("{% if %}\n", encoding="utf-8")
    drop(ws, "order", "S01/bad3.xlsx", order_header(no="SO-3"), [UNKNOWN], language="en")
    one(ws)
    [told] = dispatch_due(ws, workspace_channels(ws)).told
    assert told.subject == "[Returned] S01/bad3.xlsx: 1 problem(s)"


def test_process_sends_what_its_files_stored(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    result = CliRunner().invoke(main, ["process", "-w", str(loaded.root)])
    assert result.exit_code == 3
    assert rows(loaded) == [("file_rejected", "console", "S01", "sent")]


def test_a_missing_secret_stops_the_command_before_any_file_moves(
    loaded: Workspace, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SALES_MAIL_PASSWORD", raising=False)
    ws = configure(loaded, notify={"email": {
        "host": "127.0.0.1", "port": 25, "username": "sales", "sender": "sales@example.cn",
        "password_env": "SALES_MAIL_PASSWORD"}})
    drop(ws, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    result = CliRunner().invoke(main, ["process", "-w", str(ws.root)])
    assert result.exit_code == 1 and "SALES_MAIL_PASSWORD" in result.output
    assert (ws.inbox / "S01" / "bad.xlsx").exists()
    assert process_inbox(ws)  # the library itself does not need the channels
