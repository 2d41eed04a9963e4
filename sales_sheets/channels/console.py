"""The console channel, used when no channel is configured: each message becomes one line of the
log, so a newcomer sees who would have been told what."""

from __future__ import annotations

import logging

from .message import Delivery, Message

logger = logging.getLogger("sales_sheets.notify")


class ConsoleChannel:
    """Writes each message to the `sales_sheets.notify` logger at INFO, in one line: to whom
    (addresses, mobiles, @user ids), the subject and the attachments' names."""

    name = "console"

    def send(self, message: Message) -> Delivery:
        """Log `message`; never fails."""
        logger.info("%s (console: no channel is set up in [notify])", describe_message(message))
        return Delivery(self.name, sent=True)


def describe_message(message: Message) -> str:
    """One line: `to a@x.com, 13800000000, @zhangsan: subject [attachments: a.docx, b.pdf]`;
    `nobody` when the message names no one."""
    whom = [*message.emails, *message.mobiles, *(f"@{uid}" for uid in message.user_ids)]
    line = f"to {', '.join(whom) or 'nobody'}: {message.subject}"
    if message.attachments:
        line += f" [attachments: {', '.join(a.name for a in message.attachments)}]"
    return line
