"""A real HTTP server on 127.0.0.1 (in a thread) that answers as the group robots of 企业微信,
钉钉 and 飞书 do: it checks the key or token, recomputes each signature with the secret it holds,
checks the body's shape, answers with the service's own error codes, and records what it got.

    with robot_server() as robots:
        WeComRobot(robots.wecom_url, timeout=2).send(message)
        DingTalkRobot(robots.dingtalk_url, robots.dingtalk_secret, timeout=2).send(message)
        [request] = robots.accepted()
        request.body["text"]["content"]

A secret set to "" turns that robot's signature check off (a robot without 加签).
`robots.rate_limited = True` answers each service's rate-limit error (HTTP 200);
`robots.forced = (500, b"...")` answers every request with that status and body.
`robots.environ()` and `robots.notify()` set up all three for `channels_from`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sales_sheets.config import Notify, RobotChannel

# The answers of the real services (their documentation, and answers quoted in bug reports).
OK = {"wecom": {"errcode": 0, "errmsg": "ok"}, "dingtalk": {"errcode": 0, "errmsg": "ok"},
      "feishu": {"code": 0, "msg": "success", "data": {}}}
RATE_LIMITED = {
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
    "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "feishu": {"code": 11232, "msg": "frequency limited psm", "data": {}},
}
WECOM_BAD_KEY = {"errcode": 93000, "errmsg": "invalid webhook url"}
WECOM_TOO_LONG = {"errcode": 40058,
                  "errmsg": "text.content exceed max length 2048. invalid Request Parameter"}
WECOM_BAD_BODY = {"errcode": 40008, "errmsg": "invalid message type"}
DINGTALK_BAD_TOKEN = {"errcode": 300001, "errmsg": "token is not exist"}
DINGTALK_BAD_SIGN = {"errcode": 310000, "errmsg": "sign not match"}
DINGTALK_BAD_BODY = {"errcode": 40035, "errmsg": "缺少参数 json"}
FEISHU_BAD_HOOK = {"code": 19001, "msg": "param invalid: incoming webhook access token invalid",
                   "data": {}}
FEISHU_BAD_SIGN = {"code": 19021, "msg": "sign match fail or timestamp is not within one hour "
                   "from current time", "data": {}}
FEISHU_BAD_BODY = {"code": 9499, "msg": "Bad Request", "data": {}}

WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"
FEISHU_PATH = "/open-apis/bot/v2/hook/"


@dataclass(frozen=True)
class RobotRequest:
    """One request as the server got it, and whether it was accepted (answered with code 0)."""

    robot: str  # wecom, dingtalk, feishu, or "" for a path no robot has
    path: str
    query: dict[str, str]
    raw: bytes
    body: Any  # the parsed JSON, None when it was not JSON
    accepted: bool


def dingtalk_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _signed(timestamp: str, per_second: int, sign: str, signer: Callable[[str, str], str],
            secret: str) -> bool:
    """Both services' check: the timestamp within an hour of now and the signature right."""
    return (timestamp.isdigit() and abs(time.time() - int(timestamp) / per_second) < 3600
            and hmac.compare_digest(sign, signer(timestamp, secret)))


@dataclass
class RobotServer:
    host: str
    port: int
    wecom_key: str = field(default_factory=lambda: "wk-" + secrets.token_hex(16))
    dingtalk_token: str = field(default_factory=lambda: "dt-" + secrets.token_hex(16))
    dingtalk_secret: str = field(default_factory=lambda: "SEC" + secrets.token_hex(16))
    feishu_hook: str = field(default_factory=lambda: "fh-" + secrets.token_hex(16))
    feishu_secret: str = field(default_factory=lambda: "fs-" + secrets.token_hex(16))
    rate_limited: bool = False
    forced: tuple[int, bytes] | None = None
    received: list[RobotRequest] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def wecom_url(self) -> str:
        return f"{self.base}{WECOM_PATH}?key={self.wecom_key}"

    @property
    def dingtalk_url(self) -> str:
        return f"{self.base}{DINGTALK_PATH}?access_token={self.dingtalk_token}"

    @property
    def feishu_url(self) -> str:
        return f"{self.base}{FEISHU_PATH}{self.feishu_hook}"

    def secrets(self) -> list[str]:
        """Every secret this server holds, to check that none leaked."""
        return [self.wecom_key, self.dingtalk_token, self.dingtalk_secret, self.feishu_hook,
                self.feishu_secret]

    def accepted(self) -> list[RobotRequest]:
        return [request for request in self.received if request.accepted]

    def environ(self) -> dict[str, str]:
        """Environment variables holding the three robots' webhooks and secrets, named as in
        `notify()`."""
        return {"WECOM_WEBHOOK": self.wecom_url, "DINGTALK_WEBHOOK": self.dingtalk_url,
                "DINGTALK_SECRET": self.dingtalk_secret, "FEISHU_WEBHOOK": self.feishu_url,
                "FEISHU_SECRET": self.feishu_secret}

    def notify(self, **changes: Any) -> Notify:
        """[notify] with all three robots, reading `environ()`, and `changes`."""
        return Notify(**({"wecom": RobotChannel(webhook_env="WECOM_WEBHOOK"),
                          "dingtalk": RobotChannel(webhook_env="DINGTALK_WEBHOOK",
                                                   secret_env="DINGTALK_SECRET"),
                          "feishu": RobotChannel(webhook_env="FEISHU_WEBHOOK",
                                                 secret_env="FEISHU_SECRET")} | changes))

    def answer(self, path: str, query: dict[str, str], body: Any) -> tuple[str, dict[str, Any]]:
        """Which robot `path` is, and what it answers."""
        if path == WECOM_PATH:
            return "wecom", self._wecom(query, body)
        if path == DINGTALK_PATH:
            return "dingtalk", self._dingtalk(query, body)
        if path.startswith(FEISHU_PATH):
            return "feishu", self._feishu(path.removeprefix(FEISHU_PATH), body)
        return "", {"errcode": 404, "errmsg": "no such robot"}

    def _wecom(self, query: dict[str, str], body: Any) -> dict[str, Any]:
        if query.get("key") != self.wecom_key:
            return WECOM_BAD_KEY
        if not isinstance(body, dict) or body.get("msgtype") != "text":
            return WECOM_BAD_BODY
        text = body.get("text")
        if (not isinstance(text, dict) or not isinstance(text.get("content"), str)
                or not all(isinstance(text.get(key, []), list)
                           for key in ("mentioned_list", "mentioned_mobile_list"))):
            return WECOM_BAD_BODY
        if len(text["content"].encode("utf-8")) > 2048:
            return WECOM_TOO_LONG
        return RATE_LIMITED["wecom"] if self.rate_limited else OK["wecom"]

    def _dingtalk(self, query: dict[str, str], body: Any) -> dict[str, Any]:
        if query.get("access_token") != self.dingtalk_token:
            return DINGTALK_BAD_TOKEN
        if self.dingtalk_secret and not _signed(query.get("timestamp", ""), 1000,
                                                str(query.get("sign", "")),
                                                dingtalk_sign, self.dingtalk_secret):
            return DINGTALK_BAD_SIGN
        if (not isinstance(body, dict) or body.get("msgtype") != "text"
                or not isinstance(body.get("text"), dict)
                or not isinstance(body["text"].get("content"), str)
                or not isinstance(body.get("at", {}), dict)
                or not isinstance(body.get("at", {}).get("atMobiles", []), list)):
            return DINGTALK_BAD_BODY
        return RATE_LIMITED["dingtalk"] if self.rate_limited else OK["dingtalk"]

    def _feishu(self, hook: str, body: Any) -> dict[str, Any]:
        if hook != self.feishu_hook:
            return FEISHU_BAD_HOOK
        if not isinstance(body, dict):
            return FEISHU_BAD_BODY
        if self.feishu_secret and not _signed(str(body.get("timestamp", "")), 1,
                                              str(body.get("sign", "")),
                                              feishu_sign, self.feishu_secret):
            return FEISHU_BAD_SIGN
        content = body.get("content")
        if (body.get("msg_type") != "text" or not isinstance(content, dict)
                or not isinstance(content.get("text"), str)):
            return FEISHU_BAD_BODY
        return RATE_LIMITED["feishu"] if self.rate_limited else OK["feishu"]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        robots = self.server.robots
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        query = dict(parse_qsl(parts.query))
        robot, answer = robots.answer(parts.path, query, body)
        accepted = robots.forced is None and answer.get("errcode", answer.get("code")) == 0
        robots.received.append(RobotRequest(robot, parts.path, query, raw, body, accepted))
        status, data = robots.forced or (200, json.dumps(answer, ensure_ascii=False).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Quiet: the request line holds the keys, and tests read `received` instead."""


class _Server(ThreadingHTTPServer):
    robots: RobotServer


@contextmanager
def robot_server() -> Iterator[RobotServer]:
    """A running robot server on 127.0.0.1 (a free port), stopped on leaving."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.robots = RobotServer("127.0.0.1", int(server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server.robots
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
