"""The console channel: one readable log line per message, saying who would have been told what."""

from __future__ import annotations

import logging

import pytest

from sales_sheets.channels import ConsoleChannel, Message


def test_a_message_is_one_line_of_the_notify_log(message: Message,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="sales_sheets.notify"):
        delivery = ConsoleChannel().send(message)
    assert (delivery.channel, delivery.sent) == ("console", True)
    [record] = caplog.records
    assert (record.name, record.levelno) == ("sales_sheets.notify", logging.INFO)
    assert record.getMessage() == (
        "to wang@example.com, 李会计 <li@example.com>, 13800000001, @zhangsan: "
        "对账函已生成：C001 2026年第4季度 [attachments: 对账函_C001_2026-Q4.docx, "
        "对账单_杭州华东机电有限公司_2026年第4季度_含回函.xlsx] "
        "(console: no channel is set up in [notify])")
    assert "\n" not in record.getMessage()


def test_a_message_to_nobody_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="sales_sheets.notify"):
        ConsoleChannel().send(Message("月报已生成", "见 outbox/reports/", ()))
    assert caplog.records[0].getMessage().startswith("to nobody: 月报已生成 (console")
