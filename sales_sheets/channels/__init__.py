"""Sending one message by e-mail, a group robot (企业微信, 钉钉, 飞书) or the console (the log),
knowing nothing of the ledger: `channels_from` builds what [notify] sets up, each channel's
`send(message)` returns a Delivery or raises SendFailed, `describe` says for `status` what is set
up with every secret masked.

Importing the package is cheap: a sender's module (smtplib, the e-mail package, the robots'
signing) is imported the first time one of its names is used (PEP 562), so `status`, which only
describes the channels, does not load them.

May import: the foundation modules (config, errors, text). Nothing from the other packages.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .configured import channels_from, describe
from .message import Attachment, Channel, Delivery, Message, SendFailed

if TYPE_CHECKING:  # the names as the type checker sees them; at run time see _HOMES
    from .console import ConsoleChannel
    from .email import EmailSender
    from .robots import DingTalkRobot, FeishuRobot, WeComRobot

# Each sender, and the module (in this package) that defines it.
_HOMES = {"ConsoleChannel": "console", "EmailSender": "email", "DingTalkRobot": "robots",
          "FeishuRobot": "robots", "WeComRobot": "robots"}

__all__ = ["Attachment", "Channel", "ConsoleChannel", "Delivery", "DingTalkRobot", "EmailSender",
           "FeishuRobot", "Message", "SendFailed", "WeComRobot", "channels_from", "describe"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__package__}.{home}"), name)
    globals()[name] = value  # once: later uses find it without this function
    return value
