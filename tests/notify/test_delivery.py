"""Messages delivered end to end: a form dropped into the inbox, processed, its messages sent by
`dispatch_due` over the channels config.toml sets up, and read back as they arrived at a real
SMTP server or a real (signature-checking) robot server. Real forms, a real ledger (SQLite and
PostgreSQL), no mocks."""

from __future__ import annotations

import dataclasses
import email
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.header import decode_header
from email.message import EmailMessage
from email.message import Message as RawMessage
from pathlib import Path
from typing import Any

import pytest

from sales_sheets.demo import SALESPEOPLE
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.notify.dispatch import dispatch_due, utc_now, workspace_channels
from sales_sheets.workspace import Workspace

from ..helpers.config import configure
from ..helpers.forms import drop, one, order_header, query
from ..helpers.mail_server import MailServer, mail_server, make_certificate
from ..helpers.robot_server import RobotServer, robot_server

pytestmark = pytest.mark.ledgers

UNKNOWN = {"product_code": "NOPE", "quantity": 1, "unit_price": "100"}  # rejected
CHEAP = {"product_code": "P001", "quantity": 2, "unit_price": "12000"}  # below list: held
USER = "sales@example.com"
PASSWORD = "smtp-口令-Tr0ub4dor&3"
MOBILE = "13800000001"


def email_settings(server: MailServer, **changes: Any) -> dict[str, Any]:
    """[notify.email] for config.toml: the helper's settings for `server`, as a table."""
    return dataclasses.asdict(server.settings(**changes))


def outbox(ws: Workspace) -> list[tuple[str, str, str, int, str | None]]:
    return [(r[0], r[1], r[2], r[3], r[4]) for r in query(
        ws, "SELECT event, recipient, status, attempts, last_error FROM notifications "
            "ORDER BY id")]


def raw_name(data: bytes) -> list[str]:
    """Each attachment's Content-Type `name` as written (compat32 leaves RFC 2047 words alone),
    decoded as RFC 2047 says."""
    names = []
    for part in email.message_from_bytes(data).walk():
        if not isinstance(part, RawMessage) or part.get_content_disposition() != "attachment":
            continue
        raw = part.get_param("name")
        assert isinstance(raw, str) and "=?utf-8?b?" in raw, raw  # RFC 2047, not RFC 2231
        names.append("".join(text.decode(charset or "ascii") if isinstance(text, bytes) else text
                             for text, charset in decode_header(raw)))
    return names


def attachments(mail: EmailMessage) -> list[tuple[str | None, bytes]]:
    return [(part.get_filename(), part.get_payload(decode=True))  # type: ignore[misc]
            for part in mail.iter_attachments()]


def body(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


# -- mail ----------------------------------------------------------------------------------


@pytest.fixture(params=["none", "starttls"])
def mailed(request: pytest.FixtureRequest, loaded: Workspace, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Workspace, MailServer]]:
    """The demo workspace with [notify.email] on a real SMTP server: plain, or STARTTLS with a
    login. `workspace_channels` builds its own SSL context from the system's trusted
    authorities; OpenSSL reads those from SSL_CERT_FILE, which is how the server's self-signed
    certificate is trusted here, as an office would add its own CA."""
    if request.param == "none":
        with mail_server(security="none") as server:
            yield configure(loaded, notify={"email": email_settings(server)}), server
        return
    certificate = make_certificate(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    monkeypatch.setenv("DELIVERY_SMTP_PASSWORD", PASSWORD)
    with mail_server(security="starttls", certificate=certificate,
                     users={USER: PASSWORD}) as server:
        settings = email_settings(server, username=USER, password_env="DELIVERY_SMTP_PASSWORD")
        yield configure(loaded, notify={"email": settings}), server


def test_a_rejected_file_is_mailed_with_its_annotated_copy(
    mailed: tuple[Workspace, MailServer],
) -> None:
    ws, server = mailed
    drop(ws, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    result = one(ws)
    assert result.status == "rejected"
    annotated = ws.root / result.outputs[1]
    assert annotated.name.endswith("_问题标注.xlsx")
    done = dispatch_due(ws, workspace_channels(ws))
    assert (done.sent, done.retried, done.dead) == (1, 0, 0)
    [received] = server.received
    assert received.rcpt_tos == ("zhangwei@example.cn",)
    if server.security == "starttls":
        assert received.login == USER
    mail = email.message_from_bytes(received.data, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["Subject"] == "【退回】S01/bad.xlsx 有 1 处问题"
    text = body(mail)
    assert text.startswith("张伟，")
    assert "订货单!A17" in text and "NOPE" in text  # where the problem is, and what
    assert attachments(mail) == [(annotated.name, annotated.read_bytes())]
    assert raw_name(received.data) == [annotated.name]
    assert outbox(ws) == [("file_rejected", "S01", "sent", 1, None)]
    assert dispatch_due(ws, workspace_channels(ws)).sent == 0
    assert len(server.received) == 1


def test_an_approver_missing_from_the_roster_is_mailed_once_added(
    mailed: tuple[Workspace, MailServer],
) -> None:
    """The approver 李强 is only a name in the salespeople's manager column, with no address:
    the approval request waits (retried, not lost) while the salesperson is told at once; once
    李强 is in the roster, the next pass after the backoff mails the request."""
    ws, server = mailed
    drop(ws, "order", "S01/SO-1.xlsx", order_header(), [CHEAP])
    held = one(ws)
    assert held.status == "held"
    [request] = [ws.root / o for o in held.outputs if o.startswith("outbox/approvals/")]
    start = utc_now()
    done = dispatch_due(ws, workspace_channels(ws), start)
    assert (done.sent, done.retried, done.dead) == (1, 1, 0)
    [told] = server.received
    assert told.rcpt_tos == ("zhangwei@example.cn",)
    told_mail = told.message()
    assert told_mail["Subject"] == "【待审批】SO-1 已提交审批"
    assert attachments(told_mail) == []
    [held_row, waiting] = outbox(ws)
    assert held_row == ("file_held", "S01", "sent", 1, None)
    event, recipient, status, attempts, error = waiting
    assert (event, recipient, status, attempts) == ("approval_waiting", "李强", "pending", 1)
    assert error is not None and "李强" in error and "roster" in error

    drop(ws, "salespeople", "roster.xlsx", lines=[
        {"code": "M01", "name": "李强", "region": "华东", "email": "liqiang@example.cn"}])
    assert [r.status for r in process_inbox(ws)] == ["accepted"]
    # not due before its backoff (retry_seconds, 60 s by default) is over
    assert dispatch_due(ws, workspace_channels(ws), start + timedelta(seconds=30)).sent == 0
    done = dispatch_due(ws, workspace_channels(ws), start + timedelta(seconds=61))
    assert (done.sent, done.retried) == (1, 0)
    [_, asked] = server.received
    assert asked.rcpt_tos == ("liqiang@example.cn",)
    mail = asked.message()
    assert str(mail["Subject"]).startswith("【请审批】订货单 SO-1")
    assert body(mail).startswith("李强，")
    assert request.name.endswith("审批单.xlsx")
    assert attachments(mail) == [(request.name, request.read_bytes())]
    assert raw_name(asked.data) == [request.name]
    assert [r[2:4] for r in outbox(ws)] == [("sent", 1), ("sent", 2)]


# -- group robots ----------------------------------------------------------------------------


ROBOTS = {"wecom": {"webhook_env": "WECOM_WEBHOOK"},
          "dingtalk": {"webhook_env": "DINGTALK_WEBHOOK", "secret_env": "DINGTALK_SECRET"},
          "feishu": {"webhook_env": "FEISHU_WEBHOOK", "secret_env": "FEISHU_SECRET"}}


@pytest.fixture
def robot_room(loaded: Workspace,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Workspace, RobotServer]]:
    """The demo workspace told through all three group robots of a real robot server, S01
    with a mobile number in the roster."""
    with robot_server() as robots:
        for name, value in robots.environ().items():
            monkeypatch.setenv(name, value)
        ws = configure(loaded, notify=ROBOTS)
        drop(ws, "salespeople", "roster.xlsx", lines=[
            {**person, "mobile": MOBILE if person["code"] == "S01" else ""}
            for person in SALESPEOPLE])
        assert [r.status for r in process_inbox(ws)] == ["accepted"]
        yield ws, robots


def test_a_rejected_file_reaches_every_robot_signed_and_mentions_the_salesperson(
    robot_room: tuple[Workspace, RobotServer],
) -> None:
    ws, robots = robot_room
    drop(ws, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    assert one(ws).status == "rejected"
    done = dispatch_due(ws, workspace_channels(ws))
    assert (done.sent, done.retried, done.dead) == (3, 0, 0)
    assert [r.robot for r in robots.received] == ["wecom", "dingtalk", "feishu"]
    assert all(r.accepted for r in robots.received)  # keys right, signatures checked
    wecom, dingtalk, feishu = (r.body for r in robots.received)
    assert wecom["text"]["mentioned_mobile_list"] == [MOBILE]
    assert wecom["text"]["content"].startswith("【退回】S01/bad.xlsx 有 1 处问题\n张伟，")
    # DingTalk: signed in the query, @-mentioned in `at` and in the text (where it shows)
    assert {"timestamp", "sign"} <= set(robots.received[1].query)
    assert dingtalk["at"]["atMobiles"] == [MOBILE]
    assert f"@{MOBILE}" in dingtalk["text"]["content"]
    assert "NOPE" in dingtalk["text"]["content"]
    # Feishu: signed in the body; a mobile cannot be mentioned, so it is written
    assert {"timestamp", "sign"} <= set(feishu)
    assert f"@{MOBILE}" in feishu["content"]["text"]
    assert [(e, r, s) for e, r, s, _, _ in outbox(ws)] == [("file_rejected", "S01", "sent")] * 3
    assert dispatch_due(ws, workspace_channels(ws)).sent == 0
    assert len(robots.received) == 3


def test_a_rate_limited_robot_is_retried_after_its_backoff(
    robot_room: tuple[Workspace, RobotServer],
) -> None:
    ws, robots = robot_room
    drop(ws, "order", "S01/bad.xlsx", order_header(), [UNKNOWN])
    one(ws)
    robots.rate_limited = True  # each service's own rate-limit answer, with HTTP 200
    start = utc_now()
    done = dispatch_due(ws, workspace_channels(ws), start)
    assert (done.sent, done.retried, done.dead) == (0, 3, 0)
    assert robots.accepted() == []
    rows = outbox(ws)
    assert [(s, a) for _, _, s, a, _ in rows] == [("pending", 1)] * 3
    errors = [error or "" for *_, error in rows]
    assert "errcode 45009" in errors[0]  # 企业微信: api freq out of limit
    assert "errcode 130101" in errors[1]  # 钉钉: send too fast
    assert "code 11232" in errors[2]  # 飞书: frequency limited
    robots.rate_limited = False
    assert dispatch_due(ws, workspace_channels(ws), start + timedelta(seconds=30)).sent == 0
    assert len(robots.received) == 3  # nothing tried before its wait is over
    done = dispatch_due(ws, workspace_channels(ws), start + timedelta(seconds=61))
    assert (done.sent, done.retried) == (3, 0)
    assert [r.robot for r in robots.accepted()] == ["wecom", "dingtalk", "feishu"]
    assert robots.accepted()[1].body["at"]["atMobiles"] == [MOBILE]
    assert [(s, a, e) for _, _, s, a, e in outbox(ws)] == [("sent", 2, None)] * 3
