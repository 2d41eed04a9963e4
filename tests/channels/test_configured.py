"""Channels built from [notify] and the environment, and described for `status`: a missing
variable is a ConfigError naming it, and no secret is ever shown."""

from __future__ import annotations

import logging

import pytest

from sales_sheets.channels import (
    ConsoleChannel,
    DingTalkRobot,
    EmailSender,
    FeishuRobot,
    Message,
    SendFailed,
    WeComRobot,
    channels_from,
    describe,
)
from sales_sheets.config import EmailChannel, Notify, RobotChannel
from sales_sheets.errors import ConfigError
from sales_sheets.text import LANGUAGES

from ..helpers.mail_server import free_port, mail_server
from ..helpers.robot_server import RobotServer

PASSWORD = "s3cret-mail-password"
MAIL = EmailChannel(host="smtp.example.com", port=465, security="ssl", username="sales@example.com",
                    password_env="SMTP_PASSWORD", sender="销售部 <sales@example.com>")


def test_no_channel_is_the_console() -> None:
    [channel] = channels_from(Notify(), {})
    assert isinstance(channel, ConsoleChannel)
    assert describe(Notify(), {}, "en") == [
        "console: no channel is set up; messages are only written to the log"]


def test_every_channel_set_up_is_built_in_order(robots: RobotServer) -> None:
    notify = robots.notify(email=MAIL)
    built = channels_from(notify, robots.environ() | {"SMTP_PASSWORD": PASSWORD})
    assert [type(c) for c in built] == [EmailSender, WeComRobot, DingTalkRobot, FeishuRobot]
    assert [c.name for c in built] == ["email", "wecom", "dingtalk", "feishu"]


def test_the_built_robots_reach_their_groups(robots: RobotServer, message: Message) -> None:
    for channel in channels_from(robots.notify(), robots.environ()):
        assert channel.send(message).sent
    assert [r.robot for r in robots.accepted()] == ["wecom", "dingtalk", "feishu"]


def test_the_built_mail_channel_sends_through_the_configured_server(message: Message) -> None:
    with mail_server(users={"sales@example.com": PASSWORD}) as server:
        settings = server.settings(username="sales@example.com", password_env="SMTP_PASSWORD")
        [channel] = channels_from(Notify(email=settings), {"SMTP_PASSWORD": PASSWORD})
        assert channel.send(message).sent
    assert server.received[0].login == "sales@example.com"


@pytest.mark.parametrize(("notify", "variable"), [
    (Notify(email=MAIL), "SMTP_PASSWORD"),
    (Notify(wecom=RobotChannel(webhook_env="WECOM_WEBHOOK")), "WECOM_WEBHOOK"),
    (Notify(dingtalk=RobotChannel(webhook_env="DINGTALK_WEBHOOK", secret_env="DT_SECRET")),
     "DT_SECRET"),
    (Notify(feishu=RobotChannel(webhook_env="FEISHU_WEBHOOK", secret_env="FS_SECRET")),
     "FS_SECRET"),
])
def test_a_missing_variable_is_named(notify: Notify, variable: str, robots: RobotServer) -> None:
    environ = {"DINGTALK_WEBHOOK": robots.dingtalk_url, "FEISHU_WEBHOOK": robots.feishu_url}
    with pytest.raises(ConfigError, match=f"environment variable {variable} is not set"):
        channels_from(notify, environ)
    with pytest.raises(ConfigError):
        channels_from(notify, environ | {variable: "  "})  # empty counts as missing


@pytest.mark.parametrize(("notify", "said"), [
    (Notify(email=EmailChannel(host="h", security="tls", sender="a@b.c")),
     "security = 'tls'; use one of starttls, ssl, none"),
    (Notify(email=EmailChannel(host="", sender="a@b.c")), "host is empty"),
    (Notify(email=EmailChannel(host="h")), "sender must be the e-mail address"),
    (Notify(email=EmailChannel(host="h", sender="a@b.c", username="u")), "needs password_env"),
    (Notify(email=EmailChannel(host="h", sender="a@b.c", password_env="P")),
     "username is empty"),
    (Notify(wecom=RobotChannel()), "[notify.wecom] webhook_env is empty"),
    (Notify(wecom=RobotChannel(webhook_env="W", secret_env="S")), "企业微信 robots sign nothing"),
])
def test_settings_that_cannot_work_say_why(notify: Notify, said: str) -> None:
    with pytest.raises(ConfigError) as error:
        channels_from(notify, {"W": "https://qyapi.weixin.qq.com/x", "P": "p", "S": "s"})
    assert said in str(error.value)


def test_a_webhook_variable_that_holds_no_url_is_refused_without_its_value() -> None:
    with pytest.raises(ConfigError) as error:
        channels_from(Notify(wecom=RobotChannel(webhook_env="W")), {"W": "key=0123456789abcdef"})
    assert "W does not hold a webhook URL" in str(error.value)
    assert "0123456789abcdef" not in str(error.value)


def test_describe_masks_every_secret(robots: RobotServer) -> None:
    environ = robots.environ() | {"SMTP_PASSWORD": PASSWORD}
    notify = robots.notify(email=MAIL)
    assert describe(notify, environ, "en") == [
        "e-mail: smtp.example.com:465 (ssl), from 销售部 <sales@example.com>, user "
        "sales@example.com, password from environment variable SMTP_PASSWORD (set)",
        f"WeCom robot: {robots.base}/cgi-bin/webhook/send?key=****{robots.wecom_key[-4:]} "
        "(from environment variable WECOM_WEBHOOK)",
        f"DingTalk robot: {robots.base}/robot/send?access_token=****"
        f"{robots.dingtalk_token[-4:]} (from environment variable DINGTALK_WEBHOOK), signed "
        "with the secret in environment variable DINGTALK_SECRET (set)",
        f"Feishu robot: {robots.base}/open-apis/bot/v2/hook/****{robots.feishu_hook[-4:]} "
        "(from environment variable FEISHU_WEBHOOK), signed with the secret in environment "
        "variable FEISHU_SECRET (set)",
    ]
    for language in LANGUAGES:
        text = "\n".join(describe(notify, environ, language))
        for secret in [*robots.secrets(), PASSWORD]:
            assert secret not in text


def test_describe_says_what_is_not_set_without_raising() -> None:
    notify = Notify(email=MAIL, wecom=RobotChannel(webhook_env="WECOM_WEBHOOK"),
                    feishu=RobotChannel(webhook_env="FEISHU_WEBHOOK"))
    environ = {"FEISHU_WEBHOOK": "https://open.feishu.cn/open-apis/bot/v2/hook/abc"}
    assert describe(notify, environ, "zh") == [
        "邮件：smtp.example.com:465（ssl），发件人 销售部 <sales@example.com>，用户 "
        "sales@example.com，密码取自环境变量 SMTP_PASSWORD（未设置）",
        "企业微信机器人：环境变量 WECOM_WEBHOOK 未设置",
        "飞书机器人：https://open.feishu.cn/open-apis/bot/v2/hook/****（取自环境变量 "
        "FEISHU_WEBHOOK），未签名",
    ]


def test_no_secret_in_any_reason_or_log(robots: RobotServer, message: Message,
                                        caplog: pytest.LogCaptureFixture) -> None:
    """Every channel set up, every one failing (the servers refuse, or are gone)."""
    environ = robots.environ() | {"SMTP_PASSWORD": PASSWORD}
    with mail_server(users={"sales@example.com": "another"}) as server:
        settings = server.settings(username="sales@example.com", password_env="SMTP_PASSWORD")
        channels = channels_from(robots.notify(email=settings), environ)
        robots.rate_limited = True
        reasons = []
        with caplog.at_level(logging.DEBUG):
            for channel in channels:
                with pytest.raises(SendFailed) as failed:
                    channel.send(message)
                reasons.append(failed.value.reason)
            robots.port = free_port()  # nobody there
            for channel in channels_from(robots.notify(), robots.environ()):
                with pytest.raises(SendFailed) as failed:
                    channel.send(message)
                reasons.append(failed.value.reason)
    assert len(reasons) == 7
    text = "\n".join([*reasons, caplog.text, *map(repr, channels)])
    for secret in [*robots.secrets(), PASSWORD]:
        assert secret not in text
