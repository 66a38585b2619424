"""Drafts: one ``.eml`` file per message in a folder, for the coordinator to open, review
and send from their own mailbox. Nothing leaves the machine and no password is needed.

Each file carries ``X-Unsent: 1``, which makes Outlook open it as a draft with a Send
button rather than as a received message. Files are written atomically (a temporary name
in a private folder, then a rename: :class:`xlsxkit.outfiles.OutputSet`), never over an
existing file (a new draft for the same partner gets ``-2``), under a safe name made from
the organisation's name (:func:`xlsxkit.names.safe_file_stem`), and the folder is locked
for the run, so two runs never write into it at once.

Because a draft is either wholly in the folder or not at all, a draft whose run stopped
before it was recorded is settled by looking for its Message-ID in the folder.
"""

from __future__ import annotations

import contextlib
import os
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

from xlsxkit.names import safe_file_stem
from xlsxkit.outbound.mail.compose import UNSENT_HEADER
from xlsxkit.outbound.mail.ledger import Entry, Outcome
from xlsxkit.outbound.mail.transports.base import Delivered, Delivery, TransportError
from xlsxkit.outfiles import RUN_DIR_PREFIX, OutputError, OutputSet, locked, write_failure

SUFFIX = ".eml"
#: How much of a draft is read to find its Message-ID (the headers come first).
_HEAD_BYTES = 64 * 1024


class DraftsTransport:
    done = Outcome.DRAFTED

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = f"drafts in {folder}"
        self.ident = f"drafts in {folder.absolute()}"
        self._stack = contextlib.ExitStack()
        self._handing = False

    def open(self) -> None:
        try:
            self._stack.enter_context(locked([self.folder], what="the drafts"))
        except OutputError as exc:
            raise TransportError(str(exc)) from None

    def close(self) -> None:
        self._stack.close()

    def handing_over(self) -> bool:
        return self._handing

    def _taken(self) -> set[str]:
        try:
            names = os.listdir(self.folder)
        except OSError as exc:
            raise TransportError(str(write_failure(self.folder, "the drafts", exc))) from None
        return {Path(n).stem.casefold() for n in names if not n.startswith(RUN_DIR_PREFIX)}

    def deliver(self, message: EmailMessage, *, name: str) -> Delivery:
        del message[UNSENT_HEADER]
        message[UNSENT_HEADER] = "1"
        target = self.folder / (safe_file_stem(name, taken=self._taken()) + SUFFIX)

        def never_replace(path: Path) -> str:
            return f"{path}: appeared while the draft was written; it was left alone"

        self._handing = False
        try:
            with OutputSet([target], may_replace=never_replace) as outs:
                try:
                    outs.temp(target).write_bytes(message.as_bytes())
                except OSError as exc:
                    raise write_failure(target, "the draft", exc) from None
                # Left True if anything (Ctrl-C) interrupts from here: it may be in place.
                self._handing = True
                outs.commit()
        except OutputError as exc:
            self._handing = False
            # The folder cannot be written: no further draft can be either.
            raise TransportError(str(exc)) from None
        self._handing = False
        return Delivery(status=Delivered.ACCEPTED, detail=str(target))

    def settle(self, entry: Entry) -> Outcome | None:
        if entry.outcome is not Outcome.SENDING or entry.detail != self.ident:
            return None
        return Outcome.DRAFTED if self.find(entry.message_id) else Outcome.FAILED

    def find(self, message_id: str) -> Path | None:
        """The draft in the folder whose Message-ID is MESSAGE_ID."""
        if not message_id:
            return None
        try:
            paths = sorted(p for p in self.folder.iterdir() if p.suffix.lower() == SUFFIX)
        except OSError:
            return None
        parser = BytesHeaderParser(policy=default_policy)
        for path in paths:
            try:
                with path.open("rb") as fh:
                    head = fh.read(_HEAD_BYTES)
            except OSError:
                continue
            if str(parser.parsebytes(head).get("Message-ID", "")).strip() == message_id:
                return path
        return None


__all__ = ["DraftsTransport"]
