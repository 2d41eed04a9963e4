"""Fixtures of the channel tests: a TLS certificate made once, a message with Chinese attachment
names, the robot server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sales_sheets.channels import Attachment, Message

from ..helpers.mail_server import Certificate, make_certificate
from ..helpers.robot_server import RobotServer, robot_server

LETTER = Attachment("对账函_C001_2026-Q4.docx", b"PK\x03\x04 a letter " + bytes(range(256)))
STATEMENT = Attachment("对账单_杭州华东机电有限公司_2026年第4季度_含回函.xlsx",
                       b"PK\x03\x04 a statement " * 50)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def message() -> Message:
    return Message(subject="对账函已生成：C001 2026年第4季度",
                   body="王经理您好：\n附件为 2026 年第 4 季度对账函，"
                        "请于 1 月 15 日前回函。\n谢谢！",
                   emails=("wang@example.com", "李会计 <li@example.com>"),
                   mobiles=("13800000001",), user_ids=("zhangsan",),
                   attachments=(LETTER, STATEMENT))


@pytest.fixture
def robots() -> Iterator[RobotServer]:
    with robot_server() as server:
        yield server
