"""The run: every planned message through one transport, recorded in the ledger before
and after it is handed over, never twice (see :mod:`xlsxkit.outbound.mail.ledger`).

It knows nothing of campaigns: the caller plans the messages (who, what, which files) and
gives the ledger. A failure on one message is recorded and the run goes on; a transport
that can take no further message (the server has gone away) stops the run, the rest left
for the next one. ``limit`` and ``pause`` keep to a provider's rate limits; a dry run
composes every message (so a problem shows now, not half-way through the real run) and
neither sends nor records anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from xlsxkit.codes import Code
from xlsxkit.outbound.mail.compose import (
    Attachment,
    ComposeError,
    Letter,
    Sender,
    compose,
    new_message_id,
)
from xlsxkit.outbound.mail.ledger import Entry, Ledger, Outcome, Standing, latest, standing
from xlsxkit.outbound.mail.templates import MailKind
from xlsxkit.outbound.mail.transports.base import Delivered, Transport, TransportError
from xlsxkit.outfiles import checkpoint, signals_held
from xlsxkit.problems import Problem

#: The header a test run (--to) adds: whom the message was meant for.
TEST_HEADER = "X-Xlsxkit-Test-For"


@dataclass(frozen=True, kw_only=True, slots=True)
class Planned:
    """One partner's message, as the caller planned it."""

    round: str  # the ledger's round key
    org_id: str
    org_name: str
    kind: MailKind
    to: str  # the partner's address; empty: none in the partner list
    to_name: str
    subject: str
    body: str
    attachments: tuple[Path, ...] = ()
    file: str = ""  # what the ledger names as attached (the outbox workbook, as shown)
    stem: str = ""  # a name for a draft
    skip: str = ""  # why it is not sent at all (reported, not recorded)
    skip_code: Code | None = None


class Result(StrEnum):
    SENT = "sent"
    DRAFTED = "drafted"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"  # the server may have taken it: check, then --resend
    WOULD_SEND = "would send"  # dry run
    ALREADY = "already sent"  # sent or drafted by an earlier run
    UNKNOWN = "not confirmed"  # an earlier run stopped while sending it
    SKIPPED = "skipped"  # nothing to send it to, or nothing to send
    NOT_ATTEMPTED = "not attempted"  # over --limit, or the run stopped before it


@dataclass(frozen=True, kw_only=True, slots=True)
class Line:
    org_id: str
    org_name: str
    kind: MailKind
    result: Result
    to: str = ""  # the address it went (or would go) to
    detail: str = ""
    message_id: str = ""
    earlier: Entry | None = None  # the ledger's latest entry before this run
    code: Code | None = None  # for a line that needs the coordinator's attention

    def problem(self) -> Problem | None:
        """The line as a Problem (its code's severity), for reports."""
        if self.code is None:
            return None
        return Problem(
            code=self.code,
            severity=self.code.severities[0],
            message=f"{self.org_name} ({self.org_id}): {self.detail}",
        )


@dataclass(frozen=True, kw_only=True)
class DispatchReport:
    where: str  # the transport ("drafts in DIR", "SMTP host:587")
    ledger: str
    lines: tuple[Line, ...]
    dry_run: bool = False
    redirected_to: str = ""
    stopped: str = ""  # why the run stopped early (the transport's error), if it did
    counts: dict[Result, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts.update({r: sum(1 for x in self.lines if x.result is r) for r in Result})

    @property
    def failed(self) -> bool:
        return bool(self.stopped) or any(
            x.result in (Result.FAILED, Result.UNCONFIRMED) for x in self.lines
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Options:
    resend: frozenset[str] = frozenset()  # organisation ids to send again whatever the ledger says
    redirect: str = ""  # --to: every message to this address instead (a test run)
    limit: int | None = None  # at most this many messages handed over
    pause: float = 0.0  # seconds between two messages
    dry_run: bool = False


def dispatch(
    planned: Sequence[Planned],
    *,
    transport: Transport,
    ledger: Ledger,
    sender: Sender,
    options: Options,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[Line], None] | None = None,
) -> DispatchReport:
    """Send (or draft) every message of PLANNED that has not gone out. Raises
    :class:`TransportError` when the transport cannot be opened (nothing was recorded)."""
    run = _Run(transport, ledger, sender, options, now)
    lines: list[Line] = []
    todo: list[tuple[Planned, Entry | None]] = []
    for p in planned:
        line = run.triage(p)
        if line is None:
            todo.append((p, run.earlier.get((p.round, p.org_id, p.kind))))
        else:
            lines.append(line)
            if progress:
                progress(line)
    lines_by_org: dict[tuple[str, MailKind], Line] = {}
    stopped = ""
    opened = False
    try:
        for i, (p, earlier) in enumerate(todo):
            if stopped or (options.limit is not None and i >= options.limit):
                why = stopped and "the run stopped before it"
                why = why or f"over --limit {options.limit}: run again to send it"
                line = _line(p, Result.NOT_ATTEMPTED, why, earlier=earlier)
            elif options.dry_run:
                line = run.rehearse(p, earlier)
            else:
                if not opened:
                    transport.open()
                    opened = True
                elif options.pause > 0:
                    sleep(options.pause)
                try:
                    line = run.send(p, earlier)
                except TransportError as exc:
                    stopped = str(exc)
                    line = _line(p, Result.FAILED, f"not sent: {exc}", earlier=earlier)
            lines_by_org[(p.org_id, p.kind)] = line
            if progress:
                progress(line)
    finally:
        if opened:
            transport.close()
    lines += lines_by_org.values()
    order = {(p.org_id, p.kind): i for i, p in enumerate(planned)}
    lines.sort(key=lambda x: order.get((x.org_id, x.kind), len(order)))
    return DispatchReport(
        where=transport.where,
        ledger=ledger.where,
        lines=tuple(lines),
        dry_run=options.dry_run,
        redirected_to=options.redirect,
        stopped=stopped,
    )


def _line(
    p: Planned,
    result: Result,
    detail: str,
    *,
    earlier: Entry | None,
    message_id: str = "",
    to: str | None = None,
    code: Code | None = None,
) -> Line:
    return Line(
        code=code or _CODES.get(result),
        org_id=p.org_id,
        org_name=p.org_name,
        kind=p.kind,
        result=result,
        to=p.to if to is None else to,
        detail=detail,
        message_id=message_id,
        earlier=earlier,
    )


_CODES = {
    Result.FAILED: Code.SEND_FAILED,
    Result.UNCONFIRMED: Code.SEND_UNCONFIRMED,
    Result.UNKNOWN: Code.SEND_UNCONFIRMED,
}


def _when(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


class _Run:
    def __init__(
        self,
        transport: Transport,
        ledger: Ledger,
        sender: Sender,
        options: Options,
        now: Callable[[], dt.datetime],
    ) -> None:
        self.transport = transport
        self.ledger = ledger
        self.sender = sender
        self.options = options
        self.now = now
        self.earlier = latest(ledger.entries())

    def triage(self, p: Planned) -> Line | None:
        """The line of a message that does not go out in this run; None when it goes."""
        earlier = self.earlier.get((p.round, p.org_id, p.kind))
        if p.skip:
            return _line(p, Result.SKIPPED, p.skip, earlier=earlier, code=p.skip_code)
        state = standing(earlier)
        if earlier is not None and state is Standing.UNKNOWN:
            settled = self.transport.settle(earlier)
            if settled is not None:
                earlier = self._settle(earlier, settled)
                state = standing(earlier)
        if p.org_id in self.options.resend or earlier is None:
            return None
        if state is Standing.DONE:
            what = "drafted" if earlier.outcome is Outcome.DRAFTED else "sent"
            return _line(
                p,
                Result.ALREADY,
                f"{what} {_when(earlier.at)} to {earlier.recipient}; --resend {p.org_id} "
                "sends it again",
                earlier=earlier,
                message_id=earlier.message_id,
            )
        if state is Standing.UNKNOWN:
            return _line(
                p,
                Result.UNKNOWN,
                f"a run stopped while sending it ({_when(earlier.at)}, to {earlier.recipient},"
                f" Message-ID {earlier.message_id}): it may have arrived. Check the Sent folder"
                f" or ask the partner; if it did not arrive, run again with --resend {p.org_id}",
                earlier=earlier,
                message_id=earlier.message_id,
            )
        return None  # failed before: try again

    def _settle(self, entry: Entry, outcome: Outcome) -> Entry:
        settled = dataclasses.replace(
            entry,
            outcome=outcome,
            at=self.now(),
            detail="settled after an interrupted run: "
            + ("the draft is in the folder" if outcome is Outcome.DRAFTED else "never written"),
        )
        if not self.options.dry_run:
            self.ledger.record(settled)
        self.earlier[entry.key] = settled
        return settled

    def _letter(self, p: Planned) -> tuple[Letter, list[tuple[str, str]]]:
        attachments = tuple(Attachment.read(path) for path in p.attachments)
        to = self.options.redirect or p.to
        headers = [(TEST_HEADER, p.to)] if self.options.redirect else []
        letter = Letter(
            to_name=p.to_name if not self.options.redirect else f"Test for {p.org_name}",
            to_address=to,
            subject=p.subject,
            body=p.body,
            attachments=attachments,
        )
        return letter, headers

    def rehearse(self, p: Planned, earlier: Entry | None) -> Line:
        to = self.options.redirect or p.to
        try:
            letter, headers = self._letter(p)
            compose(
                letter,
                sender=self.sender,
                message_id=new_message_id(self.sender),
                now=self.now(),
                headers=headers,
            )
        except ComposeError as exc:
            return _line(p, Result.FAILED, str(exc), earlier=earlier)
        files = ", ".join(a.name for a in letter.attachments) or "no attachment"
        return _line(p, Result.WOULD_SEND, f"'{p.subject}' with {files}", earlier=earlier, to=to)

    def _record(self, p: Planned, outcome: Outcome, message_id: str, detail: str) -> None:
        self.ledger.record(
            Entry(
                round=p.round,
                org_id=p.org_id,
                kind=p.kind,
                outcome=outcome,
                at=self.now(),
                recipient=self.options.redirect or p.to,
                redirected_from=p.to if self.options.redirect else "",
                file=p.file,
                message_id=message_id,
                detail=detail,
            )
        )

    def send(self, p: Planned, earlier: Entry | None) -> Line:
        to = self.options.redirect or p.to
        message_id = new_message_id(self.sender)
        try:
            letter, headers = self._letter(p)
            message = compose(
                letter, sender=self.sender, message_id=message_id, now=self.now(), headers=headers
            )
        except ComposeError as exc:
            self._record(p, Outcome.FAILED, message_id, str(exc))
            return _line(p, Result.FAILED, str(exc), earlier=earlier, message_id=message_id, to=to)
        self._record(p, Outcome.SENDING, message_id, self.transport.ident)
        try:
            checkpoint("send:recorded")
            delivery = self.transport.deliver(message, name=p.stem or p.org_name)
        except TransportError as exc:
            self._record(p, Outcome.FAILED, message_id, f"not sent: {exc}")
            raise
        except BaseException:
            # Ctrl-C, or a bug: if nothing had been handed over yet, it was not sent; else
            # the 'sending' entry stays, and the next run reports it instead of guessing.
            if not self.transport.handing_over():
                with signals_held():
                    self._record(p, Outcome.FAILED, message_id, "interrupted before it was sent")
            raise
        outcome = {
            Delivered.ACCEPTED: self.transport.done,
            Delivered.REFUSED: Outcome.FAILED,
            Delivered.UNKNOWN: Outcome.UNCONFIRMED,
        }[delivery.status]
        with signals_held():  # Ctrl-C now would leave a sent message 'sending'
            self._record(p, outcome, message_id, delivery.detail)
        result = {
            Outcome.SENT: Result.SENT,
            Outcome.DRAFTED: Result.DRAFTED,
            Outcome.FAILED: Result.FAILED,
            Outcome.UNCONFIRMED: Result.UNCONFIRMED,
        }[outcome]
        detail = delivery.detail
        if outcome is Outcome.UNCONFIRMED:
            detail += (
                f"; check the Sent folder or ask the partner, and if it did not arrive run "
                f"again with --resend {p.org_id}"
            )
        return _line(p, result, detail, earlier=earlier, message_id=message_id, to=to)


__all__ = [
    "TEST_HEADER",
    "DispatchReport",
    "Line",
    "Options",
    "Planned",
    "Result",
    "dispatch",
]
