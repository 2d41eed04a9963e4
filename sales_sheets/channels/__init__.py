"""Sending one message by e-mail, a group robot (企业微信, 钉钉, 飞书) or the console (the log),
knowing nothing of the ledger: `channels_from` builds what [notify] sets up, each channel's
`send(message)` returns a Delivery or raises SendFailed, `describe` says for `status` what is set
up with every secret masked.

May import: the foundation modules (config, errors, text). Nothing from the other packages.
"""

from .configured import channels_from, describe
from .console import ConsoleChannel
from .email import EmailSender
from .message import Attachment, Channel, Delivery, Message, SendFailed
from .robots import DingTalkRobot, FeishuRobot, WeComRobot

__all__ = ["Attachment", "Channel", "ConsoleChannel", "Delivery", "DingTalkRobot", "EmailSender",
           "FeishuRobot", "Message", "SendFailed", "WeComRobot", "channels_from", "describe"]
