"""Mail over SMTP with the standard library: one message, one mail to all its addresses, with
attachments whose Chinese names survive in every mail client."""

from __future__ import annotations

import base64
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.policy import Policy
from email.utils import formatdate, make_msgid, parseaddr, quote

from ..config import EmailChannel
from ..errors import ConfigError
from .masking import scrub
from .message import Delivery, Message, SendFailed

SECURITIES = ("starttls", "ssl", "none")

# One RFC 2047 encoded word per line of a folded `name="…"`: ' name="' + the word stays within
# 78 characters with 42 bytes (14 Chinese characters) of UTF-8 in each word.
_WORD_BYTES = 42


class EmailSender:
    """The e-mail channel: SMTP to `settings.host`, logging in when `settings.username` is set.

    Args:
        settings: the [notify.email] section.
        password: the password itself (channels_from reads it from the environment variable
            `settings.password_env` names).
        ssl_context: checks the server's certificate for `ssl` and `starttls`; the system's
            trusted authorities when None.

    Raises:
        ConfigError: an unknown `security`, no host, no sender address, or a user without a
            password.
    """

    name = "email"

    def __init__(self, settings: EmailChannel, password: str = "", *,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        if settings.security not in SECURITIES:
            raise ConfigError(f"[notify.email] security = {settings.security!r}; use one of "
                              f"{', '.join(SECURITIES)}")
        if not settings.host:
            raise ConfigError("[notify.email] host is empty: name the SMTP server, e.g. "
                              "host = \"smtp.exmail.qq.com\"")
        self.sender = settings.sender or settings.username
        if "@" not in _address(self.sender):
            raise ConfigError("[notify.email] sender must be the e-mail address mail is sent "
                              "from, e.g. sender = \"sales@example.com\"")
        if settings.username and not password:
            raise ConfigError(f"[notify.email] username = {settings.username!r} needs a password: "
                              "put it in an environment variable and name it in password_env")
        self.settings = settings
        self._password = password
        self._ssl_context = ssl_context

    def send(self, message: Message) -> Delivery:
        """Send `message` as one mail to all of `message.emails`.

        Returns:
            Delivery(sent=False) when the message has no e-mail address; with the refused
            addresses in `note` when the server took the mail for only some of them.

        Raises:
            SendFailed: the mail did not go: no connection, no answer within the timeout, TLS,
                login, sender or every recipient refused (with the server's answer), or
                (retry=False) a subject or address that cannot be written into a mail.
        """
        if not message.emails:
            return Delivery(self.name, sent=False, note="no e-mail address")
        mail = compose(message, self.sender)
        try:
            refused = self._deliver(mail, message.emails)
        except SendFailed as failed:
            raise SendFailed(scrub(failed.reason, [self._password]), retry=failed.retry) from None
        note = "; ".join(f"{address} refused: {_said(code, answer)}"
                         for address, (code, answer) in refused.items())
        return Delivery(self.name, sent=True, note=note)

    def _deliver(self, mail: EmailMessage,
                 to: tuple[str, ...]) -> dict[str, tuple[int, bytes]]:
        s = self.settings
        if s.security != "none" and self._ssl_context is None:
            # Loading the system's certificates takes ~0.1 s: once per channel, not per mail.
            self._ssl_context = ssl.create_default_context()
        context = self._ssl_context
        try:
            smtp = (smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
                    if s.security == "ssl" else smtplib.SMTP(s.host, s.port, timeout=s.timeout))
            with smtp:
                if s.security == "starttls":
                    smtp.starttls(context=context)
                if s.username:
                    _login(smtp, s.username, self._password)
                return smtp.send_message(mail, from_addr=_address(self.sender),
                                         to_addrs=[_address(address) for address in to])
        except OSError as exc:  # smtplib's errors are OSErrors too
            raise self._failure(exc) from None

    def _failure(self, exc: OSError) -> SendFailed:
        """What went wrong, in words, with the server's own answer where it gave one."""
        s = self.settings
        where = f"e-mail: {s.host}:{s.port}"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return SendFailed(f"{where} refused the login of {s.username}: "
                              f"{_said(exc.smtp_code, exc.smtp_error)}")
        if isinstance(exc, smtplib.SMTPNotSupportedError):  # STARTTLS, AUTH, SMTPUTF8
            return SendFailed(f"{where} (security = {s.security!r}): {exc}")
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            refused = "; ".join(f"{address}: {_said(code, answer)}"
                                for address, (code, answer) in exc.recipients.items())
            return SendFailed(f"{where} refused every recipient: {refused}")
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return SendFailed(f"{where} refused the sender {self.sender}: "
                              f"{_said(exc.smtp_code, exc.smtp_error)}")
        if isinstance(exc, smtplib.SMTPResponseException):
            return SendFailed(f"{where} answered {_said(exc.smtp_code, exc.smtp_error)}")
        # smtplib turns a timeout while reading a reply into "Connection unexpectedly closed"
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            return SendFailed(f"{where} did not answer within {s.timeout:g} s")
        if isinstance(exc, smtplib.SMTPException):  # disconnected, a reply it cannot read
            return SendFailed(f"{where}: {exc}")
        if isinstance(exc, ssl.SSLError):
            return SendFailed(f"{where}: TLS failed ({s.security}): {exc}")
        return SendFailed(f"{where} cannot be reached: {exc}")


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib's login, except that a name or password beyond ASCII, which smtplib cannot
    send, goes as AUTH PLAIN in UTF-8 (RFC 4616)."""
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise smtplib.SMTPNotSupportedError(
            "the user name or password holds characters beyond ASCII, which only AUTH PLAIN "
            "can send, and the server does not offer it")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, answer = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def compose(message: Message, sender: str) -> EmailMessage:
    """The mail for `message`: the subject in RFC 2047, the body as UTF-8 text/plain (base64,
    which any server takes), each attachment named twice: RFC 2231 `filename*=` on
    Content-Disposition, which the standard library writes, and an RFC 2047 `name="=?utf-8?b?…"`
    on Content-Type, which some Outlook versions read instead and the standard library cannot
    write (given one, it rewrites it as RFC 2231 and mangles the type; see `_content_type`).

    Raises:
        SendFailed: (retry=False) a subject, an address or a file name holding a line break.
    """
    try:
        return _compose(message, sender)
    except ValueError as exc:  # the email package refuses a header that would break lines
        raise SendFailed(f"e-mail: the message cannot be written into a mail: {exc}",
                         retry=False) from None


def _compose(message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage(policy=policy.SMTP)
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = ", ".join(message.emails)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=_address(sender).rpartition("@")[2] or None)
    mail.set_content(message.body, charset="utf-8", cte="base64")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        mail.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                            filename=attachment.name)
        *_, part = mail.iter_attachments()
        del part["Content-Type"]
        part["Content-Type"] = _content_type(attachment.mime_type, attachment.name)
    return mail


class _Folded(str):
    """A header value written exactly as folded here. The email package passes on, unchanged,
    a header value that has a `name` and writes it by calling its `fold(policy=…)` (the protocol
    of its own header objects); its string is the unfolded value, for get_content_type()."""

    name: str
    lines: tuple[str, ...]

    def fold(self, *, policy: Policy) -> str:
        linesep = policy.linesep
        return f"{self.name}: " + f"{linesep} ".join(self.lines) + linesep


def _content_type(mime_type: str, filename: str) -> _Folded:
    """Content-Type: `mime_type` with `name="…"`, RFC 2047 encoded words (one a line) when the
    name is not plain ASCII. Python 3.11's email package, given such a name through set_param,
    decodes it and writes `name*=utf-8''…` (RFC 2231 again), and at that length also encodes the
    type itself (`application/=?utf-8?q?vnd=2Eopenxmlformats…?=`), hence this header written as
    folded here.

    Raises:
        ValueError: a name with a control character, which would break the header's lines.
    """
    if any(ord(char) < 32 or ord(char) == 127 for char in filename):
        raise ValueError(f"a file name may not hold control characters: {filename!r}")
    if filename.isascii():
        words = [quote(filename)]
    else:
        words, chunk = [], b""
        for char in filename:  # whole characters: RFC 2047 splits no character between words
            encoded = char.encode("utf-8")
            if len(chunk) + len(encoded) > _WORD_BYTES:
                words.append(_word(chunk))
                chunk = b""
            chunk += encoded
        words.append(_word(chunk))
    lines = (f"{mime_type};", f'name="{words[0]}', *words[1:])
    header = _Folded(f'{mime_type}; name="{" ".join(words)}"')
    header.name, header.lines = "Content-Type", (*lines[:-1], lines[-1] + '"')
    return header


def _address(mailbox: str) -> str:
    """The bare address of `mailbox`, which may be `Name <address>`."""
    return parseaddr(mailbox)[1] or mailbox


def _word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def _said(code: int, answer: bytes | str) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
    return f"{code} {' '.join(text.split())}"
