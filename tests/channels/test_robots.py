"""The group robots against a server that checks what 企业微信, 钉钉 and 飞书 check: keys,
signatures, the body's shape; and answers as they do, errors with HTTP 200 included."""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_sheets.channels import DingTalkRobot, FeishuRobot, Message, SendFailed, WeComRobot
from sales_sheets.channels.robots import truncate_utf8

from ..helpers.mail_server import free_port
from ..helpers.robot_server import RobotServer

Robot = WeComRobot | DingTalkRobot | FeishuRobot


def _robot(name: str, robots: RobotServer, **options: float) -> Robot:
    timeout = options.get("timeout", 2.0)
    if name == "wecom":
        return WeComRobot(robots.wecom_url, timeout=timeout)
    if name == "dingtalk":
        return DingTalkRobot(robots.dingtalk_url, robots.dingtalk_secret, timeout=timeout)
    return FeishuRobot(robots.feishu_url, robots.feishu_secret, timeout=timeout)


ROBOTS = ["wecom", "dingtalk", "feishu"]


@pytest.mark.parametrize("name", ROBOTS)
def test_a_robot_posts_the_subject_and_body(name: str, robots: RobotServer,
                                            message: Message) -> None:
    delivery = _robot(name, robots).send(message)
    assert (delivery.channel, delivery.sent) == (name, True)
    [request] = robots.received
    assert (request.robot, request.accepted) == (name, True)
    text = (request.body["content"]["text"] if name == "feishu"
            else request.body["text"]["content"])
    assert text.startswith(f"{message.subject}\n{message.body}")
    assert "对账函_C001_2026-Q4.docx" not in request.raw.decode()  # robots send no attachments


def test_wecom_mentions_by_mobile_and_userid(robots: RobotServer, message: Message) -> None:
    WeComRobot(robots.wecom_url).send(message)
    text = robots.received[0].body["text"]
    assert text["mentioned_mobile_list"] == ["13800000001"]
    assert text["mentioned_list"] == ["zhangsan"]


def test_dingtalk_signs_the_query_and_mentions_in_at_and_text(robots: RobotServer,
                                                              message: Message) -> None:
    DingTalkRobot(robots.dingtalk_url, robots.dingtalk_secret).send(message)
    [request] = robots.received
    assert set(request.query) == {"access_token", "timestamp", "sign"}
    assert abs(int(request.query["timestamp"]) / 1000 - time.time()) < 60  # milliseconds
    assert request.body["at"] == {"atMobiles": ["13800000001"], "atUserIds": ["zhangsan"],
                                  "isAtAll": False}
    assert request.body["text"]["content"].endswith("\n@13800000001")


def test_feishu_signs_the_body_and_mentions_in_the_text(robots: RobotServer,
                                                        message: Message) -> None:
    FeishuRobot(robots.feishu_url, robots.feishu_secret).send(message)
    [request] = robots.received
    assert request.query == {}
    assert abs(int(request.body["timestamp"]) - time.time()) < 60  # seconds
    assert request.body["content"]["text"].endswith('\n<at user_id="zhangsan"></at> @13800000001')


@pytest.mark.parametrize("name", ["dingtalk", "feishu"])
def test_an_unsigned_robot_sends_no_signature(name: str, robots: RobotServer,
                                              message: Message) -> None:
    robots.dingtalk_secret = robots.feishu_secret = ""
    _robot(name, robots).send(message)
    [request] = robots.accepted()
    assert "sign" not in request.query and "sign" not in request.body


@pytest.mark.parametrize(("name", "said"), [
    ("dingtalk", "errcode 310000: sign not match"),
    ("feishu", "code 19021: sign match fail or timestamp is not within one hour"),
])
def test_a_wrong_secret_is_refused(name: str, said: str, robots: RobotServer,
                                   message: Message) -> None:
    robot = (DingTalkRobot(robots.dingtalk_url, "SEC-wrong-secret-0123456789") if name == "dingtalk"
             else FeishuRobot(robots.feishu_url, "wrong-secret-0123456789"))
    with pytest.raises(SendFailed) as failed:
        robot.send(message)
    assert failed.value.retry
    assert said in failed.value.reason
    assert "wrong-secret" not in failed.value.reason
    assert robots.accepted() == []


@pytest.mark.parametrize("name", ["dingtalk", "feishu"])
def test_a_clock_two_hours_off_is_refused(name: str, robots: RobotServer,
                                          message: Message) -> None:
    robot = (DingTalkRobot(robots.dingtalk_url, robots.dingtalk_secret,
                           clock=lambda: time.time() - 7200) if name == "dingtalk"
             else FeishuRobot(robots.feishu_url, robots.feishu_secret,
                              clock=lambda: time.time() - 7200))
    with pytest.raises(SendFailed, match="310000|19021"):
        robot.send(message)


def test_a_wrong_wecom_key_is_refused(robots: RobotServer, message: Message) -> None:
    url = robots.wecom_url.replace(robots.wecom_key, "wk-not-the-key-0123456789abcdef")
    with pytest.raises(SendFailed) as failed:
        WeComRobot(url).send(message)
    assert failed.value.reason.endswith("errcode 93000: invalid webhook url")
    assert "wk-not-the-key-0123456789abcdef" not in failed.value.reason


@pytest.mark.parametrize(("name", "code"), [("wecom", "errcode 45009"),
                                            ("dingtalk", "errcode 130101"),
                                            ("feishu", "code 11232")])
def test_a_rate_limit_answered_with_http_200_is_a_failure_to_retry(
        name: str, code: str, robots: RobotServer, message: Message) -> None:
    robots.rate_limited = True
    with pytest.raises(SendFailed) as failed:
        _robot(name, robots).send(message)
    assert failed.value.retry
    assert code in failed.value.reason


@pytest.mark.parametrize("name", ROBOTS)
def test_http_500_is_a_failure(name: str, robots: RobotServer, message: Message) -> None:
    robots.forced = (500, b"<html>Internal Server Error</html>")
    with pytest.raises(SendFailed) as failed:
        _robot(name, robots).send(message)
    assert failed.value.retry
    assert "answered HTTP 500: <html>Internal Server Error</html>" in failed.value.reason


@pytest.mark.parametrize("body", [b"<html>ok</html>", b"[0]", b""])
def test_an_answer_that_is_not_a_json_object_is_a_failure(body: bytes, robots: RobotServer,
                                                          message: Message) -> None:
    robots.forced = (200, body)
    with pytest.raises(SendFailed, match="not a JSON object"):
        WeComRobot(robots.wecom_url).send(message)


@pytest.mark.parametrize("name", ROBOTS)
def test_a_robot_nobody_listens_for(name: str, robots: RobotServer, message: Message) -> None:
    robots.port = free_port()
    with pytest.raises(SendFailed) as failed:
        _robot(name, robots).send(message)
    assert failed.value.retry
    assert "cannot be reached" in failed.value.reason
    for secret in robots.secrets():
        assert secret not in failed.value.reason


def test_a_robot_that_never_answers_times_out(robots: RobotServer, message: Message) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        robots.port = silent.getsockname()[1]
        with pytest.raises(SendFailed) as failed:
            WeComRobot(robots.wecom_url, timeout=0.3).send(message)
    assert "did not answer within 0.3 s" in failed.value.reason


def test_wecom_text_is_cut_to_2048_bytes_of_valid_utf8(robots: RobotServer) -> None:
    body = "对账函" * 300 + "a" * 5 + "回函逾期" * 200  # far beyond 2048 bytes, mixed widths
    WeComRobot(robots.wecom_url).send(Message("逾期提醒", body, ()))
    [request] = robots.accepted()
    content = request.body["text"]["content"]
    data = content.encode("utf-8")
    assert 2048 - 3 <= len(data) <= 2048
    assert content.endswith("…")
    assert f"逾期提醒\n{body}".startswith(content[:-1])


@given(st.text(), st.integers(min_value=3, max_value=300))
def test_truncation_keeps_whole_characters(text: str, limit: int) -> None:
    cut = truncate_utf8(text, limit)
    assert len(cut.encode("utf-8")) <= limit
    assert cut == text or (cut.endswith("…") and text.startswith(cut[:-1]))


@pytest.mark.parametrize("name", ROBOTS)
def test_no_secret_reaches_the_log(name: str, robots: RobotServer, message: Message,
                                   caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        _robot(name, robots).send(message)
        robots.rate_limited = True
        with pytest.raises(SendFailed):
            _robot(name, robots).send(message)
    assert any(r.name == "httpx" for r in caplog.records)  # httpx did log its requests
    signs = [str(r.query.get("sign") or r.body.get("sign") or "") for r in robots.received]
    for secret in [*robots.secrets(), *filter(None, signs), *map(quote, filter(None, signs))]:
        assert secret not in caplog.text
