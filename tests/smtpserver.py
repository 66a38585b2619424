"""A real SMTP server for the tests: aiosmtpd on a loopback port, with TLS from a throwaway
certificate authority (trustme). No protocol is mocked: xlsxkit talks to it as to any
server, through smtplib, over a socket.

Use it (the end-to-end tests of sending and collecting use it too)::

    from tests.smtpserver import SmtpServer, smtp_ca  # noqa: F401  (smtp_ca: a fixture)

    def test_x(smtp_ca):
        with SmtpServer(ca=smtp_ca, tls="starttls", auth=("coord", "s3cret")) as server:
            ...  # send to server.host, server.port, trusting server.client_context()
            assert [m.recipients for m in server.received] == [["ada@example.org"]]

- ``tls``: ``"starttls"`` (offers STARTTLS and requires it before MAIL), ``"implicit"``
  (TLS from the first byte, as on port 465) or ``"plain"`` (none: the --insecure case).
- ``auth``: (user, password) to require a login; None accepts mail without one.
- Failures, by the 1-based number of the message (counted at MAIL): ``refuse={3: "451 4.3.0
  Try again later"}`` answers DATA's end with that reply (the message is not taken);
  ``stop_after=2`` shuts the server down when a third message is begun (it answers 421,
  closes the connection and stops listening, so reconnecting fails); ``drop={3}`` closes
  the connection after the message has been received, before answering (the client cannot
  tell whether it was taken; the server keeps it in ``received``, as a real one might).
- ``received``: every message taken, with its envelope and its exact bytes.
- ``client_context()``: an SSL context that trusts the throwaway authority; or point
  ``SSL_CERT_FILE`` at ``ca_file(tmp_path)`` for a child process or the CLI.

The server binds port 0 on 127.0.0.1 (a free port chosen by the system), so tests never
collide, and runs in a thread of the test process; it is stopped when the block ends.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes  # exactly as received (CRLF line ends, dots unstuffed)
    tls: bool  # whether the session was encrypted
    user: str  # who logged in ("" without a login)

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class _Handler:
    server: SmtpServer
    received: list[Received] = field(default_factory=list)
    begun: int = 0

    async def handle_MAIL(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.begun += 1
        stop_after = self.server.stop_after
        if stop_after is not None and self.begun > stop_after:
            self.server._shut_down(smtp)
            return "421 4.3.2 Service shutting down"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        n = self.begun
        content = envelope.original_content or b""
        if n in self.server.refuse:
            return self.server.refuse[n]
        login = session.auth_data
        user = login.decode() if isinstance(login, bytes) else ""
        self.received.append(
            Received(
                mail_from=envelope.mail_from or "",
                recipients=list(envelope.rcpt_tos),
                data=content,
                tls=session.ssl is not None or self.server.tls == "implicit",
                user=user,
            )
        )
        if n in self.server.drop:
            assert smtp.transport is not None
            smtp.transport.abort()  # no answer: the client cannot tell
        return "250 2.0.0 OK queued"


class _Controller(Controller):
    """aiosmtpd's controller, bound to a free port chosen by the system."""

    def _create_server(self) -> Any:
        async def bind() -> asyncio.AbstractServer:
            server = await self.loop.create_server(
                self._factory_invoker, host=self.hostname, port=0, ssl=self.ssl_context
            )
            self.port = server.sockets[0].getsockname()[1]
            return server

        return bind()


class SmtpServer:
    def __init__(
        self,
        *,
        ca: trustme.CA | None = None,
        tls: str = "starttls",
        auth: tuple[str, str] | None = None,
        refuse: dict[int, str] | None = None,
        stop_after: int | None = None,
        drop: set[int] | None = None,
        hostname: str = "localhost",
    ) -> None:
        assert tls in ("starttls", "implicit", "plain"), tls
        assert tls == "plain" or ca is not None, "TLS needs a certificate authority"
        self.ca = ca
        self.tls = tls
        self.auth = auth
        self.refuse = dict(refuse or {})
        self.stop_after = stop_after
        self.drop = set(drop or ())
        self.host = HOST
        self.port = 0
        self._handler = _Handler(self)
        self._controller: _Controller | None = None
        self._server_context: ssl.SSLContext | None = None
        if ca is not None:
            # The certificate names 'localhost' and 127.0.0.1, as a real one names its host.
            cert = ca.issue_cert(hostname, HOST)
            self._server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(self._server_context)
        self.stopped = threading.Event()

    @property
    def received(self) -> list[Received]:
        return self._handler.received

    def client_context(self) -> ssl.SSLContext:
        """A client context that verifies the server against the throwaway authority."""
        context = ssl.create_default_context()
        assert self.ca is not None
        self.ca.configure_trust(context)
        return context

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            self.auth is not None
            and isinstance(data, LoginPassword)
            and (data.login.decode(), data.password.decode()) == self.auth
        )
        return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

    def _shut_down(self, smtp: SMTP) -> None:
        """Stop listening and close this connection (called in the server's loop)."""
        assert self._controller is not None and self._controller.server is not None
        self._controller.server.close()
        self.stopped.set()
        if smtp.transport is not None:
            smtp.loop.call_soon(smtp.transport.close)

    def __enter__(self) -> SmtpServer:
        kwargs: dict[str, Any] = {"enable_SMTPUTF8": False, "server_hostname": "smtp.test"}
        if self.tls == "starttls":
            kwargs.update(tls_context=self._server_context, require_starttls=True)
        if self.auth is not None:
            kwargs.update(
                authenticator=self._authenticate,
                auth_required=True,
                # aiosmtpd counts only STARTTLS as encrypted; implicit TLS is, from the start.
                auth_require_tls=self.tls == "starttls",
            )
        self._controller = _Controller(
            self._handler,
            hostname=HOST,
            ssl_context=self._server_context if self.tls == "implicit" else None,
            **kwargs,
        )
        self._controller.start()
        self.port = self._controller.port
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._controller is not None
        self._controller.stop(no_assert=True)


def ca_file(ca: trustme.CA, folder: Path) -> Path:
    """The authority's certificate as a PEM file, for SSL_CERT_FILE."""
    path = folder / "smtp-test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def smtp_ca() -> trustme.CA:
    """A throwaway certificate authority for the test servers."""
    return trustme.CA()


@pytest.fixture
def smtp_server(smtp_ca: trustme.CA) -> Iterator[SmtpServer]:
    """A STARTTLS server requiring no login, running for the test."""
    with SmtpServer(ca=smtp_ca) as server:
        yield server
