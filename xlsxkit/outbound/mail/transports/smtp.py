"""SMTP: the messages sent directly, with the standard library's :mod:`smtplib`.

- **Encryption.** STARTTLS (port 587, the default) or implicit TLS (port 465), always with
  ``ssl.create_default_context()``: the server's certificate is verified against the
  system's authorities and its host name checked. A server that does not offer STARTTLS is
  refused. A plain, unencrypted connection is made only when asked for explicitly
  (``TlsMode.PLAIN``, the CLI's ``--insecure``), for a test server.
- **The password** is given by the caller (the CLI takes it from an environment variable or
  a prompt, never from a file or the command line) and is never shown or recorded.
- **What happened to a message** is told precisely, because it decides whether a new run
  may send it again (see :mod:`xlsxkit.outbound.mail.ledger`). The envelope (MAIL, RCPT) and
  the DATA command are sent one by one: a refusal or a lost connection up to there means
  the server did not take the message (``REFUSED``). Once the message itself is being
  sent, a lost connection or a timeout leaves it ``UNKNOWN``: the server may have taken it.
  This is why the DATA phase is written here rather than with ``sendmail``, which cannot
  tell the two apart.
- **A lost connection** is reopened once for the next message; when that fails the run
  stops (:class:`TransportError`), leaving the rest for the next run.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from enum import StrEnum

from xlsxkit.outbound.mail.ledger import Entry, Outcome
from xlsxkit.outbound.mail.transports.base import Delivered, Delivery, TransportError
from xlsxkit.outfiles import checkpoint

STARTTLS_PORT = 587
IMPLICIT_TLS_PORT = 465
#: Seconds to wait for the server at each step (connecting, each answer).
TIMEOUT = 60.0

_CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


class TlsMode(StrEnum):
    STARTTLS = "starttls"
    IMPLICIT = "tls"
    PLAIN = "plain"  # no encryption: test servers only


@dataclass(frozen=True, kw_only=True, slots=True)
class SmtpSettings:
    host: str
    port: int = STARTTLS_PORT
    tls: TlsMode = TlsMode.STARTTLS
    user: str = ""  # empty: no login (a relay that needs none, a test server)
    password: str = ""
    timeout: float = TIMEOUT

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def default_tls(port: int) -> TlsMode:
    """Implicit TLS on 465, STARTTLS elsewhere."""
    return TlsMode.IMPLICIT if port == IMPLICIT_TLS_PORT else TlsMode.STARTTLS


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


class SmtpTransport:
    done = Outcome.SENT

    def __init__(self, settings: SmtpSettings, *, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.where = self.ident = f"SMTP {settings.server}"
        self._context = context
        self._conn: smtplib.SMTP | None = None
        self._handing = False

    # connection ---------------------------------------------------------------------
    def open(self) -> None:
        self._conn = self._connect()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        server = s.server
        context = self._context or ssl.create_default_context()
        conn: smtplib.SMTP | None = None
        try:
            if s.tls is TlsMode.IMPLICIT:
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            conn.ehlo()
            if s.tls is TlsMode.STARTTLS:
                if not conn.has_extn("starttls"):
                    raise TransportError(
                        f"{server}: the server does not offer STARTTLS, so the password and "
                        f"the workbooks would cross the network unencrypted. Check the host "
                        f"and port (STARTTLS is usually port {STARTTLS_PORT}, implicit TLS "
                        f"{IMPLICIT_TLS_PORT}); --insecure allows a plain connection, for a "
                        "test server only"
                    )
                conn.starttls(context=context)
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password)
        except (TransportError, smtplib.SMTPException, OSError) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, TransportError):
                raise
            raise _connect_error(server, s.user, exc) from None
        return conn

    # messages -----------------------------------------------------------------------
    def handing_over(self) -> bool:
        return self._handing

    def settle(self, entry: Entry) -> Outcome | None:
        return None  # only the recipient's mailbox knows

    def deliver(self, message: EmailMessage, *, name: str) -> Delivery:
        self._handing = False
        sender = getaddresses([str(message.get("From", ""))])
        recipients = [a for _, a in getaddresses([str(v) for v in message.get_all("To", [])])]
        from_addr = sender[0][1] if sender else ""
        try:
            data = message.as_bytes()
        except (ValueError, UnicodeError) as exc:
            return _refused(f"the message cannot be written for SMTP ({exc})")
        if self._conn is None:
            self._conn = self._connect()  # reconnect once; TransportError stops the run
        conn = self._conn
        # The envelope: a refusal here means the server has not taken the message.
        try:
            code, text = conn.mail(from_addr)
            if code != 250:
                return self._refusal(conn, code, text, "the sender")
            for rcpt in recipients:
                code, text = conn.rcpt(rcpt)
                if code not in (250, 251):
                    return self._refusal(conn, code, text, f"the recipient {rcpt}")
            code, text = conn.docmd("DATA")
            if code != 354:
                return self._refusal(conn, code, text, "the message")
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            return _refused(f"the connection was lost before the message was sent ({exc})")
        # The message itself: from here, a lost answer leaves the outcome unknown.
        body = _LEADING_DOT.sub(b"..", data)
        if not body.endswith(_CRLF):
            body += _CRLF
        # Left True if anything (Ctrl-C) interrupts: the caller then knows it may be taken.
        self._handing = True
        try:
            conn.send(body + b"." + _CRLF)
            code, text = conn.getreply()
            checkpoint("smtp:answered")  # a test interrupts here: taken, not yet recorded
        except (smtplib.SMTPException, OSError) as exc:
            self._handing = False
            self._drop()
            return Delivery(
                status=Delivered.UNKNOWN,
                detail=f"the connection was lost while the message was being sent ({exc}); "
                "the server may or may not have accepted it",
            )
        self._handing = False
        if code == 250:
            return Delivery(status=Delivered.ACCEPTED, detail=_answer(code, text))
        if code == 421:
            self._drop()
        return _refused(f"the server refused the message ({_answer(code, text)})")

    def _refusal(self, conn: smtplib.SMTP, code: int, text: bytes, what: str) -> Delivery:
        if code == 530:  # authentication required: no message of this run can go
            self._drop()
            raise TransportError(
                f"{self.settings.server}: the server requires a login "
                f"({_answer(code, text)}); give --user NAME (the password from "
                "XLSXKIT_SMTP_PASSWORD or the prompt)"
            )
        if code == 421:  # the server is closing the connection
            self._drop()
        else:
            try:
                conn.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
        return _refused(f"the server refused {what} ({_answer(code, text)})")


def _refused(detail: str) -> Delivery:
    return Delivery(status=Delivered.REFUSED, detail=detail)


__all__ = [
    "IMPLICIT_TLS_PORT",
    "STARTTLS_PORT",
    "SmtpSettings",
    "SmtpTransport",
    "TlsMode",
    "default_tls",
]


def _connect_error(server: str, user: str, exc: smtplib.SMTPException | OSError) -> TransportError:
    """What a failure to connect, encrypt or log in means, and what to do about it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TransportError(
            f"{server}: the server's certificate is not trusted "
            f"({exc.verify_message or exc.reason}), so nothing was sent. Check the host "
            "name; a server with a certificate of its own needs its authority installed "
            "on this machine (or named by the SSL_CERT_FILE environment variable)"
        )
    if isinstance(exc, ssl.SSLError):
        return TransportError(
            f"{server}: the encrypted connection failed ({exc.reason or exc}). Check the "
            f"port: STARTTLS is usually {STARTTLS_PORT}, implicit TLS {IMPLICIT_TLS_PORT}"
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransportError(
            f"{server}: the server refused the user name or password for {user!r} "
            f"({_answer(exc.smtp_code, exc.smtp_error)}). Microsoft 365 and Gmail need an "
            "app password (see the README, 'Sending and collecting by email'); give it in "
            "XLSXKIT_SMTP_PASSWORD or at the prompt"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return TransportError(
            f"{server}: the server does not offer a login (AUTH) on this connection; "
            "leave out --user if it needs none, or check the host and port"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return TransportError(
            f"{server}: the server refused the connection "
            f"({_answer(exc.smtp_code, exc.smtp_error)}); try again later"
        )
    reason = (
        "timed out"
        if isinstance(exc, TimeoutError | socket.timeout)
        else (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
    )
    return TransportError(
        f"{server}: cannot connect to the mail server ({reason}). Check the host name "
        "and port, and that this machine may reach it"
    )
