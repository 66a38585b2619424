"""An IMAP mailbox as a mail source, through :mod:`imapclient` (BSD-3).

Read-only unless asked otherwise, and provably so:

- the folder is selected with ``EXAMINE`` (``readonly=True``): the server itself refuses any
  change for the session, and no ``\\Recent`` is consumed;
- messages are fetched with ``BODY.PEEK[]``, which never sets ``\\Seen``;
- sizes are fetched first (``RFC822.SIZE``), so a message over the bound is never
  downloaded.

Only with ``move_to`` does anything change, and only for the messages a spreadsheet was
saved from (:meth:`ImapSource.finish`): they are moved with ``MOVE`` (RFC 6851) when the
server has it, else copied and flagged ``\\Deleted`` (and expunged by UID when the server
has UIDPLUS; without it the flag is left for the mail program to act on).

TLS is verified against the system's certificates (or ``cafile``); ``imap://`` upgrades
with STARTTLS and fails if the server does not offer it. ``insecure`` (plain ``imap://``,
no TLS) exists for test servers on the loopback only. The secret (a password or an OAuth2
access token for XOAUTH2) is given by the caller, which takes it from the environment or
a prompt, never from the command line or a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from xlsxkit.codes import Code
from xlsxkit.errors import UsageError
from xlsxkit.inbound.mail.model import MailBounds, Origin, RawMessage, SourceKind, SourceProblem
from xlsxkit.problems import error, warning

#: UIDs fetched per round trip (bounded memory: at most this many messages at once).
FETCH_BATCH = 20
#: Seconds to wait for the server before giving up on a connection or a reply.
TIMEOUT = 60.0


class Auth(StrEnum):
    PASSWORD = "password"
    OAUTH2 = "oauth2"  # XOAUTH2 with an access token (Microsoft 365, Gmail)


@dataclass(frozen=True, kw_only=True, slots=True)
class ImapUrl:
    secure: bool  # imaps:// (implicit TLS) or imap:// (STARTTLS, or plain when insecure)
    user: str
    host: str
    port: int
    folder: str

    @property
    def shown(self) -> str:
        """The URL as shown and recorded (there is never a password in it)."""
        scheme = "imaps" if self.secure else "imap"
        default = 993 if self.secure else 143
        port = "" if self.port == default else f":{self.port}"
        return f"{scheme}://{self.user}@{self.host}{port}/{self.folder}"


def is_imap_url(text: str) -> bool:
    return text.lower().startswith(("imap://", "imaps://"))


def parse_imap_url(text: str) -> ImapUrl:
    """``imaps://user@host[:port]/FOLDER`` (FOLDER defaults to INBOX). UsageError otherwise;
    a password in the URL is refused (it would be in the shell's history)."""
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    how = "give it as imaps://you@example.org/INBOX"
    if scheme not in ("imap", "imaps") or not parts.hostname:
        raise UsageError(f"{text}: not an IMAP address; {how}")
    if parts.password is not None:
        raise UsageError(
            f"{parts.scheme}://{parts.username}@{parts.hostname}/...: the address holds a "
            "password; remove it and set XLSXKIT_IMAP_PASSWORD instead (or type it when asked)"
        )
    if not parts.username:
        raise UsageError(f"{text}: the address names no user; {how}")
    try:
        port = parts.port or (993 if scheme == "imaps" else 143)
    except ValueError:
        raise UsageError(f"{text}: the port is not a number; {how}") from None
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapUrl(
        secure=scheme == "imaps",
        user=unquote(parts.username),
        host=parts.hostname,
        port=port,
        folder=folder,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class ImapOptions:
    secret: str
    auth: Auth = Auth.PASSWORD
    since: dt.date | None = None
    move_to: str | None = None
    insecure: bool = False
    cafile: str | None = None
    timeout: float = TIMEOUT


class ImapSource:
    """The messages of one IMAP folder. Use :meth:`messages`, then :meth:`finish` with the
    UIDs to move (only when ``move_to`` was given), then :meth:`close`."""

    def __init__(self, url: ImapUrl, options: ImapOptions, bounds: MailBounds) -> None:
        self.url = url
        self.options = options
        self.bounds = bounds
        self.client: IMAPClient | None = None

    def _origin(self, where: str = "") -> Origin:
        return Origin(kind=SourceKind.IMAP, mailbox=self.url.shown, where=where)

    def _failure(self, what: str) -> SourceProblem:
        origin = self._origin()
        return SourceProblem(
            origin=origin, problem=error(Code.MAIL_UNREADABLE, what, file=origin.render())
        )

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.options.cafile)

    def _connect(self) -> IMAPClient:
        url, opts = self.url, self.options
        if url.secure:
            client = IMAPClient(
                url.host, port=url.port, ssl=True, ssl_context=self._context(), timeout=opts.timeout
            )
        else:
            client = IMAPClient(url.host, port=url.port, ssl=False, timeout=opts.timeout)
            if not opts.insecure:
                client.starttls(self._context())
        if opts.auth is Auth.OAUTH2:
            client.oauth2_login(url.user, opts.secret)
        else:
            client.login(url.user, opts.secret)
        return client

    def messages(self) -> Iterator[RawMessage | SourceProblem]:
        try:
            self.client = self._connect()
        except ssl.SSLError as exc:
            yield self._failure(
                f"the secure connection to {self.url.host} failed ({exc.reason or exc}); check "
                "the address and port (imaps:// is usually port 993)"
            )
            return
        except (TimeoutError, OSError) as exc:
            yield self._failure(
                f"cannot connect to {self.url.host} port {self.url.port} "
                f"({getattr(exc, 'strerror', None) or exc}); check the address, the port and "
                "the network"
            )
            return
        except IMAPClientError as exc:
            yield self._failure(_login_advice(self.options.auth, str(exc)))
            return
        try:
            yield from self._fetch(self.client)
        except (IMAPClientError, OSError) as exc:
            yield self._failure(f"the server stopped answering ({exc}); run collect again")

    def _fetch(self, client: IMAPClient) -> Iterator[RawMessage | SourceProblem]:
        try:
            client.select_folder(self.url.folder, readonly=True)
        except IMAPClientError as exc:
            yield self._failure(
                f"there is no folder {self.url.folder!r} on the server ({exc}); check its name "
                "(folders are case-sensitive except INBOX)"
            )
            return
        criteria: list[object] = ["SINCE", self.options.since] if self.options.since else ["ALL"]
        uids = sorted(client.search(criteria))
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            sizes = client.fetch(batch, ["RFC822.SIZE"])
            wanted = []
            for uid in batch:
                size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
                if size > self.bounds.max_message_bytes:
                    origin = self._origin(f"UID {uid}")
                    yield SourceProblem(
                        origin=origin,
                        problem=warning(
                            Code.MAIL_TOO_LARGE,
                            f"the message is {size:,} bytes (the limit is "
                            f"{self.bounds.max_message_bytes:,}); it was not downloaded. Save "
                            "its attachment by hand if it is a return",
                            file=origin.render(),
                        ),
                    )
                else:
                    wanted.append(uid)
            if not wanted:
                continue
            bodies = client.fetch(wanted, ["BODY.PEEK[]"])
            for uid in wanted:
                data = bodies.get(uid, {}).get(b"BODY[]")
                origin = self._origin(f"UID {uid}")
                if not isinstance(data, bytes):
                    yield SourceProblem(
                        origin=origin,
                        problem=error(
                            Code.MAIL_UNREADABLE,
                            "the server sent no content for this message (it may have been "
                            "deleted meanwhile); run collect again",
                            file=origin.render(),
                        ),
                    )
                    continue
                yield RawMessage(origin=origin, data=data[: self.bounds.max_message_bytes + 1])

    def finish(self, collected: Sequence[Origin]) -> list[str]:
        """Move the messages of COLLECTED to ``move_to`` (nothing without it). Returns what
        could not be done, as messages for the user."""
        target = self.options.move_to
        client = self.client
        if not target or client is None:
            return []
        uids = sorted(
            int(o.where.removeprefix("UID "))
            for o in collected
            if o.mailbox == self.url.shown and o.where.startswith("UID ")
        )
        if not uids:
            return []
        try:
            client.select_folder(self.url.folder, readonly=False)
            if client.has_capability("MOVE"):
                client.move(uids, target)
            else:
                client.copy(uids, target)
                client.add_flags(uids, [b"\\Deleted"])
                if client.has_capability("UIDPLUS"):
                    client.uid_expunge(uids)
        except IMAPClientError as exc:
            return [
                f"{self.url.shown}: the collected messages could not be moved to {target!r} "
                f"({exc}); they are still in {self.url.folder}. Check that the folder exists"
            ]
        return []

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except (IMAPClientError, OSError):
            with contextlib.suppress(IMAPClientError, OSError):
                client.shutdown()


def _login_advice(auth: Auth, detail: str) -> str:
    if auth is Auth.OAUTH2:
        return (
            f"the server refused the OAuth2 token ({detail}); the token may have expired "
            "(they last an hour): get a new one and set XLSXKIT_IMAP_TOKEN again"
        )
    return (
        f"the server refused the login ({detail}); check the user and the password. "
        "Microsoft 365 needs --oauth2 with a token; Gmail needs an app password"
    )
