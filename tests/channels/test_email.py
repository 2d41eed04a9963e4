"""The mail channel against a real SMTP server: what arrives is read back as a mail client reads
it, Chinese attachment names included; every failure is a SendFailed without the password."""

from __future__ import annotations

import email
import logging
import socket
from collections.abc import Iterator
from email.header import decode_header
from email.message import EmailMessage
from email.message import Message as RawMessage

import pytest

from sales_sheets.channels import Attachment, EmailSender, Message, SendFailed
from sales_sheets.config import EmailChannel

from ..helpers.mail_server import SENDER, Certificate, free_port, mail_server

PASSWORD = "Tr0ub4dor&3-邮箱密码"
USER = "sales@example.com"


def _raw_name(part: RawMessage) -> str:
    """The Content-Type `name` as written (compat32 leaves RFC 2047 words alone), decoded."""
    raw = part.get_param("name")
    assert isinstance(raw, str) and raw.startswith("=?utf-8?b?"), raw  # RFC 2047, not 2231
    return "".join(text.decode(charset or "ascii") if isinstance(text, bytes) else text
                   for text, charset in decode_header(raw))


def _attachments(mail: EmailMessage) -> list[tuple[str | None, bytes]]:
    return [(part.get_filename(), part.get_payload(decode=True))  # type: ignore[misc]
            for part in mail.iter_attachments()]


def test_one_mail_reaches_every_address_with_its_chinese_attachments(message: Message) -> None:
    with mail_server() as server:
        delivery = EmailSender(server.settings()).send(message)
    assert (delivery.channel, delivery.sent, delivery.note) == ("email", True, "")
    [received] = server.received
    assert received.mail_from == SENDER
    assert received.rcpt_tos == ("wang@example.com", "li@example.com")
    mail = received.message()
    assert mail["Subject"] == message.subject
    assert mail["To"].addresses[1].display_name == "李会计"
    body = mail.get_body()
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == message.body + "\n"
    assert _attachments(mail) == [(a.name, a.data) for a in message.attachments]
    raw = email.message_from_bytes(received.data)  # compat32: the headers as written
    parts = [part for part in raw.walk() if part.get_content_disposition() == "attachment"]
    assert [_raw_name(part) for part in parts] == [a.name for a in message.attachments]
    assert [part.get_content_type() for part in parts] == [a.mime_type for a in
                                                          message.attachments]
    assert all(len(line) <= 100 for line in received.data.split(b"\r\n")[:200])


def test_the_raw_headers_name_the_file_both_ways() -> None:
    attachment = Attachment("对账函_C001_2026-Q4.docx", b"x")
    with mail_server() as server:
        EmailSender(server.settings()).send(Message("s", "b", ("a@example.com",),
                                                    attachments=(attachment,)))
    data = server.received[0].data
    assert b"filename*=utf-8''%E5%AF%B9%E8%B4%A6%E5%87%BD_C001_2026-Q4.docx" in data
    assert (b'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.'
            b'document;\r\n name="=?utf-8?b?5a+56LSm5Ye9X0MwMDFfMjAyNi1RNC5kb2N4?="') in data


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(security: str, certificate: Certificate, message: Message) -> None:
    with mail_server(security=security, certificate=certificate,
                     users={USER: PASSWORD}) as server:
        sender = EmailSender(server.settings(username=USER), PASSWORD,
                             ssl_context=certificate.client_context())
        assert sender.send(message).sent
    [received] = server.received
    assert received.login == USER
    assert _attachments(received.message())[0] == (message.attachments[0].name,
                                                   message.attachments[0].data)


@pytest.mark.parametrize("password", ["plain-ascii-password", PASSWORD])
def test_login_over_plain_smtp(password: str, message: Message) -> None:
    """smtplib's own login for ASCII, AUTH PLAIN in UTF-8 (which smtplib cannot) for the rest."""
    with mail_server(users={USER: password}) as server:
        assert EmailSender(server.settings(username=USER), password).send(message).sent
    assert server.received[0].login == USER


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


@pytest.mark.parametrize(("security", "password"), [("starttls", PASSWORD),
                                                     ("starttls", "wrong-ascii-password"),
                                                     ("none", PASSWORD)])
def test_a_wrong_password_fails_without_saying_it(security: str, password: str,
                                                  certificate: Certificate, message: Message,
                                                  logs: pytest.LogCaptureFixture) -> None:
    with mail_server(security=security, certificate=certificate,
                     users={USER: "the right one"}) as server:
        sender = EmailSender(server.settings(username=USER), password,
                             ssl_context=certificate.client_context())
        with pytest.raises(SendFailed) as failed:
            sender.send(message)
    assert failed.value.retry
    assert "535" in failed.value.reason and USER in failed.value.reason
    assert server.received == []
    for text in [failed.value.reason, str(failed.value), repr(sender), logs.text]:
        assert password not in text


def test_nothing_listening_fails_to_be_retried(message: Message) -> None:
    sender = EmailSender(_settings_at(free_port()))
    with pytest.raises(SendFailed) as failed:
        sender.send(message)
    assert failed.value.retry
    assert "cannot be reached" in failed.value.reason


def test_a_server_that_never_answers_times_out(message: Message) -> None:
    with socket.socket() as silent:  # accepts connections (the backlog), never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        sender = EmailSender(_settings_at(silent.getsockname()[1], timeout=0.3))
        with pytest.raises(SendFailed) as failed:
            sender.send(message)
    assert "did not answer within 0.3 s" in failed.value.reason


def test_starttls_asked_of_a_server_without_it(message: Message) -> None:
    with mail_server() as server:
        with pytest.raises(SendFailed) as failed:
            EmailSender(server.settings(security="starttls")).send(message)
    assert "STARTTLS" in failed.value.reason


def test_an_untrusted_certificate_is_refused(certificate: Certificate, message: Message) -> None:
    with mail_server(security="ssl", certificate=certificate) as server:
        with pytest.raises(SendFailed) as failed:
            EmailSender(server.settings()).send(message)  # the system's authorities only
    assert "TLS failed" in failed.value.reason and "certificate" in failed.value.reason
    assert server.received == []


def test_no_address_is_nothing_to_send(message: Message) -> None:
    with mail_server() as server:
        delivery = EmailSender(server.settings()).send(
            Message(message.subject, message.body, emails=(), mobiles=("13800000001",)))
    assert (delivery.sent, delivery.note) == (False, "no e-mail address")
    assert server.received == []


def test_some_refused_addresses_are_noted_not_failed(message: Message) -> None:
    with mail_server(refuse_recipients=["li@example.com"]) as server:
        delivery = EmailSender(server.settings()).send(message)
    assert delivery.sent
    assert delivery.note == "li@example.com refused: 550 5.1.1 No such user here"
    assert server.received[0].rcpt_tos == ("wang@example.com",)


def test_every_address_refused_fails(message: Message) -> None:
    with mail_server(refuse_recipients=["wang@example.com", "li@example.com"]) as server:
        with pytest.raises(SendFailed) as failed:
            EmailSender(server.settings()).send(message)
    assert "refused every recipient" in failed.value.reason
    assert "wang@example.com: 550 5.1.1 No such user here" in failed.value.reason


def test_a_refused_mail_says_the_servers_answer(message: Message) -> None:
    with mail_server(answer="554 5.7.1 Message rejected as spam") as server:
        with pytest.raises(SendFailed) as failed:
            EmailSender(server.settings()).send(message)
    assert failed.value.retry
    assert failed.value.reason.endswith("554 5.7.1 Message rejected as spam")


@pytest.mark.parametrize("bad", [
    Message("对账函\r\nBcc: everyone@example.com", "b", ("a@example.com",)),
    Message("s", "b", ("a@example.com\nBcc: everyone@example.com",)),
    Message("s", "b", ("a@example.com",), attachments=(Attachment("a.docx\r\nX: y", b""),)),
])
def test_what_cannot_be_a_header_is_never_retried(bad: Message) -> None:
    with mail_server() as server:
        with pytest.raises(SendFailed) as failed:
            EmailSender(server.settings()).send(bad)
    assert not failed.value.retry
    assert server.received == []


def _settings_at(port: int, timeout: float = 2.0) -> EmailChannel:
    return EmailChannel(host="127.0.0.1", port=port, security="none", sender=SENDER,
                        timeout=timeout)
