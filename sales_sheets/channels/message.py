"""What a channel is given and what it answers: one message, its attachments, what became of it
(a Delivery) or why it could not go (SendFailed), and the Channel protocol every channel meets."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Protocol

# The types we send, fixed here rather than left to the platform's mime.types, which lacks the
# Office ones on some machines and so would make the same file differ from one office to another.
_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xlam": "application/vnd.ms-excel.addin.macroEnabled.12",
    ".pdf": "application/pdf",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".zip": "application/zip",
}


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its name (Chinese welcome) and its bytes."""

    name: str
    data: bytes

    @property
    def mime_type(self) -> str:
        """The MIME type guessed from the name's extension; application/octet-stream when it
        says nothing."""
        suffix = "." + self.name.rpartition(".")[2].lower() if "." in self.name else ""
        return _TYPES.get(suffix) or mimetypes.guess_type(self.name)[0] or \
            "application/octet-stream"


@dataclass(frozen=True)
class Message:
    """One message to some people. `emails` are the mail recipients (`a@x.com` or
    `Name <a@x.com>`); `mobiles` and `user_ids` are whom a group robot @-mentions (`user_ids` in
    the robot service's own ids: 企业微信's userid, 钉钉's userId or 飞书's user_id/open_id). A
    robot sends the subject and the body, never the attachments: a body that has attachments
    should say where the files are."""

    subject: str
    body: str
    emails: tuple[str, ...]
    mobiles: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Delivery:
    """What one channel did with one message. `sent` is False when the channel had nothing to
    do (a mail channel given a message with no e-mail address); `note` says why, or names the
    addresses a mail server refused while it took the message for the others (sending again
    would send those others a second copy, so that is not a failure)."""

    channel: str
    sent: bool
    note: str = ""


class SendFailed(Exception):
    """A message did not go. `reason` is plain text for a person and the notifications table,
    never holding a password, a webhook's key or token, a signing secret or a signature.
    `retry` says whether sending it again may help: True for everything a server or the network
    answered, wrong passwords and refused webhooks included (settings may be fixed while the
    message waits); False only for a message that can never be sent as it is."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class Channel(Protocol):
    """One way of telling people: e-mail, a group robot, or the console (the log)."""

    @property
    def name(self) -> str:
        """The channel's name as in config.toml: email, wecom, dingtalk, feishu or console."""
        ...

    def send(self, message: Message) -> Delivery:
        """Send `message` once.

        Raises:
            SendFailed: when it did not go.
        """
        ...
