"""A real IMAP server for the tests: Debian's Dovecot, started on loopback ports with a
throwaway configuration, a passwd-file of test users and Maildir folders, all under a
temporary folder. Nothing system-wide is used or changed (no systemd service, no
/etc/dovecot): ``dovecot -c CONF`` with its own base, state and log paths, stopped by its
own process id.

Two listeners: ``imaps`` (implicit TLS, a trustme certificate for 127.0.0.1 and localhost)
and ``imap`` (STARTTLS offered; plain logins accepted too, for the ``--insecure`` path).
Users log in with a password or with XOAUTH2: Dovecot 2.3's xoauth2 mechanism checks the
bearer token against the passdb like a password, so the token is a real credential the
server verifies (no token server is involved, and none is mocked).

Run as root (as CI does), Dovecot's login processes must not run as root and mail may
not belong to uid 0: the login user is Debian's ``dovenull``, the internal user
``dovecot``, and the mail folders belong to ``dovecot``. So the server's folder is made
with :func:`tempfile.mkdtemp` in the system temporary folder (pytest's tmp_path is private
to root) and removed afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = Path("/usr/sbin/dovecot")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class ImapServer:
    root: Path
    host: str
    imap_port: int
    imaps_port: int
    cafile: Path
    users: dict[str, str]  # user -> password (or token)
    pid: int

    def url(self, user: str, folder: str = "INBOX", *, secure: bool = True) -> str:
        if secure:
            return f"imaps://{user}@{self.host}:{self.imaps_port}/{folder}"
        return f"imap://{user}@{self.host}:{self.imap_port}/{folder}"

    def client(self, user: str):  # type: ignore[no-untyped-def]
        from imapclient import IMAPClient

        context = ssl.create_default_context(cafile=str(self.cafile))
        c = IMAPClient(self.host, port=self.imaps_port, ssl=True, ssl_context=context)
        c.login(user, self.users[user])
        return c

    def append(self, user: str, message: bytes, folder: str = "INBOX") -> None:
        c = self.client(user)
        try:
            c.append(folder, message)
        finally:
            c.logout()

    def state(self, user: str, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """UID -> flags of every message in FOLDER (read with EXAMINE, changing nothing)."""
        c = self.client(user)
        try:
            c.select_folder(folder, readonly=True)
            uids = c.search(["ALL"])
            flags = c.get_flags(uids) if uids else {}
            return {uid: tuple(sorted(f)) for uid, f in flags.items()}
        finally:
            c.logout()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _config(root: Path, imap_port: int, imaps_port: int, cert: Path, key: Path) -> str:
    as_root = os.geteuid() == 0
    me = pwd.getpwuid(os.geteuid())
    if as_root:
        internal = pwd.getpwnam("dovecot")
        login_user, internal_user = "dovenull", "dovecot"
        uid, gid = internal.pw_uid, internal.pw_gid
    else:
        login_user = internal_user = me.pw_name
        uid, gid = me.pw_uid, me.pw_gid
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {pwd.getpwnam(internal_user).pw_name}
first_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def _wait_for(port: int, proc: subprocess.Popen[bytes], root: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    log = root / "dovecot.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    raise RuntimeError(f"dovecot did not start listening on port {port}:\n{text}")


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    """A running Dovecot with users north (password), south (password) and token (XOAUTH2
    token), each with an empty INBOX; skipped where Dovecot is not installed (never under
    CI, where .ci/run installs it)."""
    if not DOVECOT.exists():
        if os.environ.get("CI"):
            pytest.fail("Dovecot is not installed: .ci/run installs dovecot-imapd")
        pytest.skip("Dovecot (dovecot-imapd) is not installed")
    import trustme

    root = Path(tempfile.mkdtemp(prefix="xlsxkit-dovecot-"))
    os.chmod(root, 0o755)
    try:
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        (root / "server.pem").write_bytes(b"".join(b.bytes() for b in cert.cert_chain_pems))
        cert.private_key_pem.write_to_path(str(root / "key.pem"))
        ca.cert_pem.write_to_path(str(root / "ca.pem"))
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir()
        users = {"north": "north-secret", "south": "south-secret", "token": "ya29.test-token"}
        (root / "passwd").write_text(
            "".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()), encoding="utf-8"
        )
        if os.geteuid() == 0:
            internal = pwd.getpwnam("dovecot")
            os.chown(root / "mail", internal.pw_uid, internal.pw_gid)
        imap_port, imaps_port = free_port(), free_port()
        conf = root / "dovecot.conf"
        conf.write_text(
            _config(root, imap_port, imaps_port, root / "server.pem", root / "key.pem"),
            encoding="utf-8",
        )
        # In the foreground (-F): the process is this fixture's child, stopped by its id.
        proc = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(imaps_port, proc, root)
            _wait_for(imap_port, proc, root)
            yield ImapServer(
                root=root,
                host="127.0.0.1",
                imap_port=imap_port,
                imaps_port=imaps_port,
                cafile=root / "ca.pem",
                users=users,
                pid=proc.pid,
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)
