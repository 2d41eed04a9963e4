"""Group robots (群机器人) of 企业微信 (WeCom), 钉钉 (DingTalk) and 飞书 (Feishu): one JSON POST
to a webhook, signed where the robot has a secret, and judged by the JSON answer, not only HTTP 200.

Robots send the subject and body as text and @-mention the message's mobiles and user ids; they
send no attachments.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import time
from collections.abc import Callable
from typing import Any

from .masking import mask_url, scrub, scrubbed_log, url_secrets
from .message import Delivery, Message, SendFailed

WECOM_TEXT_BYTES = 2048  # 企业微信: "文本内容，最长不超过2048个字节，必须是utf8编码"
ELLIPSIS = "…"

Clock = Callable[[], float]


def truncate_utf8(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, on a character boundary, ending with an
    ellipsis when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    return data[:room].decode("utf-8", "ignore") + ELLIPSIS


def _text(message: Message) -> str:
    return f"{message.subject}\n{message.body}" if message.body else message.subject


class _Robot:
    """What the three robots share: posting, reading the answer, keeping secrets out of it."""

    name = ""
    label = ""
    _code_key = "errcode"
    _message_key = "errmsg"

    def __init__(self, webhook: str, secret: str = "", *, timeout: float = 10.0,
                 clock: Clock = time.time) -> None:
        self.webhook = webhook
        self._secret = secret
        self.timeout = timeout
        self.clock = clock

    def __repr__(self) -> str:
        return f"{type(self).__name__}({mask_url(self.webhook)!r})"

    def send(self, message: Message) -> Delivery:
        """Post `message` to the robot's group.

        Raises:
            SendFailed: (retry=True) the robot could not be reached or did not answer within
                the timeout, answered an HTTP status other than 200, something other than JSON,
                or a non-zero error code (a wrong key or signature, a rate limit), which the
                reason quotes.
        """
        url, body = self._request(message)
        secrets = [*url_secrets(self.webhook), *url_secrets(url), self._secret,
                   *(str(v) for k, v in body.items() if k == "sign")]
        try:
            answer = self._post(url, body, secrets)
        except SendFailed as failed:
            raise SendFailed(scrub(failed.reason, secrets), retry=failed.retry) from None
        code = answer.get(self._code_key, answer.get("StatusCode"))
        if code != 0:
            said = answer.get(self._message_key, answer.get("StatusMessage", ""))
            raise SendFailed(scrub(f"{self.label} answered {self._code_key} {code}: {said}",
                                   secrets))
        return Delivery(self.name, sent=True)

    def _request(self, message: Message) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def _post(self, url: str, body: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
        import httpx  # here: `status` shows the channels without loading it

        where = f"{self.label} at {mask_url(self.webhook)}"
        try:
            with scrubbed_log("httpx", secrets), httpx.Client(timeout=self.timeout) as client:
                response = client.post(url, json=body)
        except httpx.TimeoutException:
            raise SendFailed(f"{where} did not answer within {self.timeout:g} s") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise SendFailed(f"{where} cannot be reached: {exc}") from None
        if response.status_code != 200:
            raise SendFailed(f"{where} answered HTTP {response.status_code}: "
                             f"{_excerpt(response.text)}")
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise SendFailed(f"{where} answered something that is not a JSON object: "
                             f"{_excerpt(response.text)}")
        return answer

    def _signature(self, string_key: str, message: str) -> str:
        digest = hmac.new(string_key.encode("utf-8"), message.encode("utf-8"),
                          hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")


class WeComRobot(_Robot):
    """A 企业微信 group robot: `webhook` is `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.
    The text is cut to 2048 bytes; mobiles go to `mentioned_mobile_list`, user ids (企业微信
    userids) to `mentioned_list`."""

    name = "wecom"
    label = "企业微信 robot (wecom)"

    def __init__(self, webhook: str, *, timeout: float = 10.0) -> None:
        super().__init__(webhook, timeout=timeout)

    def _request(self, message: Message) -> tuple[str, dict[str, Any]]:
        text: dict[str, Any] = {"content": truncate_utf8(_text(message), WECOM_TEXT_BYTES)}
        if message.user_ids:
            text["mentioned_list"] = list(message.user_ids)
        if message.mobiles:
            text["mentioned_mobile_list"] = list(message.mobiles)
        return self.webhook, {"msgtype": "text", "text": text}


class DingTalkRobot(_Robot):
    """A 钉钉 group robot: `webhook` is `https://oapi.dingtalk.com/robot/send?access_token=…`;
    with a secret (加签) each request carries `timestamp` (ms) and `sign` in its query. Mobiles
    are @-mentioned in `at.atMobiles` and written into the text (钉钉 shows a mention only where
    the text names it); user ids (钉钉 userIds) go to `at.atUserIds`."""

    name = "dingtalk"
    label = "钉钉 robot (dingtalk)"

    def _request(self, message: Message) -> tuple[str, dict[str, Any]]:
        text = _text(message)
        if message.mobiles:
            text += "\n" + " ".join(f"@{mobile}" for mobile in message.mobiles)
        at: dict[str, Any] = {"atMobiles": list(message.mobiles),
                              "atUserIds": list(message.user_ids), "isAtAll": False}
        url = self.webhook
        if self._secret:
            timestamp = str(int(self.clock() * 1000))
            sign = self._signature(self._secret, f"{timestamp}\n{self._secret}")
            import httpx

            query = httpx.QueryParams({"timestamp": timestamp, "sign": sign})
            url += ("&" if "?" in url else "?") + str(query)
        return url, {"msgtype": "text", "text": {"content": text}, "at": at}


class FeishuRobot(_Robot):
    """A 飞书 group robot: `webhook` is `https://open.feishu.cn/open-apis/bot/v2/hook/…`; with a
    secret (签名校验) the body carries `timestamp` (s) and `sign`, the HMAC keyed by
    "timestamp\\nsecret" over nothing. User ids (飞书 user_id or open_id) are mentioned with
    `<at user_id="…"></at>`; mobiles, which a 飞书 robot cannot mention, are written as @mobile."""

    name = "feishu"
    label = "飞书 robot (feishu)"
    _code_key = "code"
    _message_key = "msg"

    def _request(self, message: Message) -> tuple[str, dict[str, Any]]:
        mentions = [f'<at user_id="{html.escape(uid)}"></at>' for uid in message.user_ids]
        mentions += [f"@{mobile}" for mobile in message.mobiles]
        text = _text(message) + ("\n" + " ".join(mentions) if mentions else "")
        body: dict[str, Any] = {}
        if self._secret:
            timestamp = str(int(self.clock()))
            body = {"timestamp": timestamp,
                    "sign": self._signature(f"{timestamp}\n{self._secret}", "")}
        body |= {"msg_type": "text", "content": {"text": text}}
        return self.webhook, body


def _excerpt(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + ELLIPSIS
