"""The channels config.toml sets up: built with their secrets from the environment, and
described for `status` with those secrets masked."""

from __future__ import annotations

from collections.abc import Mapping

from ..config import EmailChannel, Notify, RobotChannel
from ..errors import ConfigError
from ..text import Text
from .masking import mask_url
from .message import Channel

ROBOTS = ("wecom", "dingtalk", "feishu")


def channels_from(notify: Notify, environ: Mapping[str, str]) -> list[Channel]:
    """The channels [notify] sets up, in the order email, wecom, dingtalk, feishu; the console
    channel alone when there is none.

    Args:
        notify: the [notify] settings.
        environ: where the secrets are read from (`os.environ` at the entry points).

    Raises:
        ConfigError: a setting names an environment variable that is not set (the error names
            the variable, never a value), a webhook is not an http(s) URL, a user has no
            password, `security` is unknown.
    """
    # The senders are imported here, not with `describe`: `status` describes the channels and
    # sends nothing, and smtplib and the e-mail package would cost its start.
    from .console import ConsoleChannel
    from .email import EmailSender
    from .robots import DingTalkRobot, FeishuRobot, WeComRobot

    built: list[Channel] = []
    if notify.email is not None:
        built.append(EmailSender(notify.email, _password(notify.email, environ)))
    for name in ROBOTS:
        settings: RobotChannel | None = getattr(notify, name)
        if settings is None:
            continue
        webhook = _webhook(name, settings, environ)
        if name == "wecom":
            if settings.secret_env:
                raise ConfigError("[notify.wecom] secret_env: 企业微信 robots sign nothing; "
                                  "remove it (the webhook's key is the secret)")
            built.append(WeComRobot(webhook))
        else:
            secret = (_variable(environ, f"[notify.{name}] secret_env", settings.secret_env,
                                "the robot's signing secret (加签/签名校验)")
                      if settings.secret_env else "")
            robot = DingTalkRobot if name == "dingtalk" else FeishuRobot
            built.append(robot(webhook, secret))
    return built or [ConsoleChannel()]


def _password(settings: EmailChannel, environ: Mapping[str, str]) -> str:
    if settings.password_env and not settings.username:
        raise ConfigError("[notify.email] password_env is set but username is empty: name the "
                          "account to log in as")
    if not settings.username:
        return ""
    if not settings.password_env:
        raise ConfigError(f"[notify.email] username = {settings.username!r} needs password_env: "
                          "the name of the environment variable that holds the password")
    return _variable(environ, "[notify.email] password_env", settings.password_env,
                     "the mail account's password")


def _webhook(name: str, settings: RobotChannel, environ: Mapping[str, str]) -> str:
    setting = f"[notify.{name}] webhook_env"
    if not settings.webhook_env:
        raise ConfigError(f"{setting} is empty: name the environment variable that holds the "
                          "robot's webhook URL")
    url = _variable(environ, setting, settings.webhook_env, "the robot's webhook URL")
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"{setting}: the environment variable {settings.webhook_env} does not "
                          "hold a webhook URL (one starting with https://)")
    return url


def _variable(environ: Mapping[str, str], setting: str, variable: str, what: str) -> str:
    value = environ.get(variable, "").strip()
    if not value:
        raise ConfigError(f"{setting} = {variable!r}, but the environment variable {variable} is "
                          f"not set (or is empty); set it to {what} where sales-sheets runs")
    return value


_WORDS = {
    "console": Text("控制台：未设置通知渠道，消息只写入日志",
                    "console: no channel is set up; messages are only written to the log"),
    "email": Text("邮件：{host}:{port}（{security}），发件人 {sender}{login}",
                  "e-mail: {host}:{port} ({security}), from {sender}{login}"),
    "login": Text("，用户 {user}，密码取自环境变量 {variable}（{state}）",
                  ", user {user}, password from environment variable {variable} ({state})"),
    "robot": Text("{robot}：{url}（取自环境变量 {variable}）{signed}",
                  "{robot}: {url} (from environment variable {variable}){signed}"),
    "no_url": Text("{robot}：环境变量 {variable} 未设置", "{robot}: environment variable "
                   "{variable} is not set"),
    "signed": Text("，签名密钥取自环境变量 {variable}（{state}）",
                   ", signed with the secret in environment variable {variable} ({state})"),
    "unsigned": Text("，未签名", ", not signed"),
    "set": Text("已设置", "set"),
    "not_set": Text("未设置", "not set"),
    "wecom": Text("企业微信机器人", "WeCom robot"),
    "dingtalk": Text("钉钉机器人", "DingTalk robot"),
    "feishu": Text("飞书机器人", "Feishu robot"),
}


def describe(notify: Notify, environ: Mapping[str, str], language: str = "zh") -> list[str]:
    """One line per channel [notify] sets up (the console's when none) for `status`, in
    `language`: server or masked webhook URL, and which environment variables hold the secrets
    and whether they are set. Never a secret; never raises for a variable that is not set."""
    lines = []
    if (email := notify.email) is not None:
        login = (_WORDS["login"].format(language, user=email.username,
                                        variable=email.password_env or "-",
                                        state=_state(environ, email.password_env, language))
                 if email.username else "")
        lines.append(_WORDS["email"].format(language, host=email.host or "-", port=email.port,
                                            security=email.security,
                                            sender=email.sender or email.username or "-",
                                            login=login))
    for name in ROBOTS:
        settings: RobotChannel | None = getattr(notify, name)
        if settings is None:
            continue
        robot = _WORDS[name](language)
        url = environ.get(settings.webhook_env, "").strip() if settings.webhook_env else ""
        if not url:
            lines.append(_WORDS["no_url"].format(language, robot=robot,
                                                 variable=settings.webhook_env or "-"))
            continue
        signed = "" if name == "wecom" else (
            _WORDS["signed"].format(language, variable=settings.secret_env,
                                    state=_state(environ, settings.secret_env, language))
            if settings.secret_env else _WORDS["unsigned"](language))
        lines.append(_WORDS["robot"].format(language, robot=robot, url=mask_url(url),
                                            variable=settings.webhook_env, signed=signed))
    return lines or [_WORDS["console"](language)]


def _state(environ: Mapping[str, str], variable: str, language: str) -> str:
    return _WORDS["set" if variable and environ.get(variable, "").strip() else "not_set"](
        language)
