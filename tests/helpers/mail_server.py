"""A real SMTP server on 127.0.0.1 (aiosmtpd in a thread) that keeps what it receives: for the mail
channel's tests and end-to-end tests of whatever sends mail.

    with mail_server() as server:                       # plain SMTP, takes everything
        EmailSender(server.settings(), ...).send(message)
        [mail] = server.received
        mail.message()["Subject"], mail.rcpt_tos, mail.login

`mail_server(security="starttls" | "ssl", certificate=make_certificate(tmp_path))` speaks TLS
(give the channel `ssl_context=certificate.client_context()`), `users={"name": "password"}`
requires AUTH, `refuse_recipients=` / `answer=` make it refuse.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from sales_sheets.config import EmailChannel

SENDER = "sales@example.com"


def free_port() -> int:
    """A port nobody listens on now (aiosmtpd's start() connects to its port, so 0 will not do)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """What a client passes to trust this certificate (and only it)."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(directory: Path) -> Certificate:
    """A certificate made now in `directory`: with the cryptography package when installed,
    else with the openssl command; the test is skipped when neither is there."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        _with_cryptography(cert, key)
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            import pytest
            pytest.skip("a TLS test needs the cryptography package or the openssl command")
        subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
    return Certificate(cert, key)


def _with_cryptography(cert_path: Path, key_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))


@dataclass(frozen=True)
class Received:
    """One mail as the server took it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None  # the user that logged in, None without AUTH

    def message(self) -> EmailMessage:
        """The mail parsed as a mail client would (policy.default)."""
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class MailServer:
    host: str
    port: int
    security: str
    received: list[Received] = field(default_factory=list)

    def settings(self, **changes: Any) -> EmailChannel:
        """[notify.email] pointing at this server (a short timeout), with `changes`."""
        values: dict[str, Any] = {"host": self.host, "port": self.port,
                                  "security": self.security, "sender": SENDER, "timeout": 3.0}
        return EmailChannel(**(values | changes))


class _Handler:
    def __init__(self, server: MailServer, refuse_recipients: Collection[str],
                 answer: str) -> None:
        self.server = server
        self.refuse = {address.lower() for address in refuse_recipients}
        self.answer = answer

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session,  # noqa: N802
                          envelope: Envelope) -> str:
        if not self.answer.startswith("250"):
            return self.answer
        content = envelope.original_content or b""
        login = session.auth_data if isinstance(session.auth_data, str) else None
        self.server.received.append(Received(str(envelope.mail_from),
                                             tuple(envelope.rcpt_tos), content, login))
        return self.answer


class _Authenticator:
    def __init__(self, users: Mapping[str, str]) -> None:
        self.users = users

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8")
            if self.users.get(login) == auth_data.password.decode("utf-8"):
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)


@contextmanager
def mail_server(*, security: str = "none", certificate: Certificate | None = None,
                users: Mapping[str, str] | None = None, refuse_recipients: Collection[str] = (),
                answer: str = "250 OK") -> Iterator[MailServer]:
    """A running SMTP server on 127.0.0.1, stopped on leaving.

    Args:
        security: "none", "ssl" (TLS from the first byte) or "starttls" (required before MAIL).
        certificate: the server's certificate, needed for "ssl" and "starttls".
        users: when given, AUTH (PLAIN, LOGIN) checks these names and passwords; with
            "starttls" it is offered only after STARTTLS and required, otherwise offered but
            not required.
        refuse_recipients: addresses answered 550 at RCPT.
        answer: the answer to DATA; anything but 250 refuses the mail (e.g. "554 5.7.1 Spam").
    """
    server = MailServer("127.0.0.1", free_port(), security)
    options: dict[str, Any] = {"server_hostname": "mail.test"}
    if security in ("ssl", "starttls"):
        if certificate is None:
            raise ValueError(f"security {security!r} needs a certificate")
        if security == "ssl":
            options["ssl_context"] = certificate.server_context()
        else:
            options |= {"tls_context": certificate.server_context(), "require_starttls": True}
    if users is not None:
        # Required only with STARTTLS: aiosmtpd counts only STARTTLS as TLS, and warns at each
        # connection when AUTH is required without it (our tests turn warnings into errors).
        starttls = security == "starttls"
        options |= {"authenticator": _Authenticator(users), "auth_required": starttls,
                    "auth_require_tls": starttls}
    controller = Controller(_Handler(server, refuse_recipients, answer), hostname=server.host,
                            port=server.port, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
