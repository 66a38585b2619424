"""The store's accepted returns: per round and organisation, the answers that count.

Why apart from the files: a return is accepted (or withdrawn) as a whole, its answers
replaced together, and the next round's pre-fill and progress read them back without the
file or the framework it was answered against.
"""

from __future__ import annotations

from xlsxkit.campaign.records import AcceptedReturn, AnswerRecord, ItemKind
from xlsxkit.campaign.store_rounds import RoundsMixin
from xlsxkit.errors import StoreError


class AnswersMixin(RoundsMixin):
    """The accepted returns of :class:`~xlsxkit.campaign.store.Store`."""

    # accepted answers ---------------------------------------------------------------
    def set_accepted(self, accepted: AcceptedReturn) -> None:
        """Make ACCEPTED the organisation's return for its round, replacing any before."""
        with self.transaction():
            self._require_round(accepted.round_slug)
            if self.organisation(accepted.org_id) is None:
                raise StoreError(
                    f"{self.path}: there is no organisation '{accepted.org_id}' in the store"
                )
            key = (accepted.round_slug, accepted.org_id)
            self._run("DELETE FROM accepted WHERE round_slug = ? AND org_id = ?", key)
            self._run(
                "INSERT INTO accepted (round_slug, org_id, file_id, accepted_at) "
                "VALUES (?, ?, ?, ?)",
                (*key, accepted.file_id, accepted.accepted_at.isoformat()),
            )
            self._executemany(
                "INSERT INTO answers (round_slug, org_id, item_id, kind, sheet, sheet_row, "
                "stage_id, target_stage_id, comment, done, notes, lead, target_date) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        *key,
                        a.item_id,
                        str(a.kind),
                        a.sheet,
                        a.row,
                        a.stage_id,
                        a.target_stage_id,
                        a.comment,
                        None if a.done is None else int(a.done),
                        a.notes,
                        a.lead,
                        a.target_date,
                    )
                    for a in accepted.answers
                ),
            )

    def withdraw_accepted(self, round_slug: str, org_id: str) -> None:
        """Forget the organisation's accepted return in that round (its file disappeared)."""
        with self.transaction():
            self._run(
                "DELETE FROM accepted WHERE round_slug = ? AND org_id = ?", (round_slug, org_id)
            )

    def accepted(self, round_slug: str, org_id: str) -> AcceptedReturn | None:
        found = self._accepted("WHERE a.round_slug = ? AND a.org_id = ?", (round_slug, org_id))
        return found[0] if found else None

    def accepted_in_round(self, round_slug: str) -> tuple[AcceptedReturn, ...]:
        """Every accepted return of the round, in the order of the organisations."""
        return self._accepted("WHERE a.round_slug = ?", (round_slug,))

    def previous_accepted(self, round_slug: str, org_id: str) -> AcceptedReturn | None:
        """The organisation's latest accepted return in a round before ROUND_SLUG."""
        this = self._require_round(round_slug)
        earlier = [r for r in self.rounds() if r.position < this.position]
        for r in reversed(earlier):
            found = self.accepted(r.slug, org_id)
            if found is not None:
                return found
        return None

    def _accepted(self, where: str, params: tuple[str, ...]) -> tuple[AcceptedReturn, ...]:
        heads = self._rows(
            "SELECT a.round_slug, a.org_id, a.file_id, a.accepted_at FROM accepted a "
            "JOIN organisations o ON o.id = a.org_id JOIN rounds r ON r.slug = a.round_slug "
            f"{where} ORDER BY r.position, o.rowid",
            params,
        )
        out = []
        for head in heads:
            round_slug, org_id = head.text(0), head.text(1)
            rows = self._rows(
                "SELECT item_id, kind, sheet, sheet_row, stage_id, target_stage_id, comment, "
                "done, notes, lead, target_date FROM answers WHERE round_slug = ? AND org_id = ? "
                "ORDER BY rowid",
                (round_slug, org_id),
            )
            out.append(
                AcceptedReturn(
                    round_slug=round_slug,
                    org_id=org_id,
                    file_id=head.opt_integer(2),
                    accepted_at=head.time(3),
                    answers=tuple(
                        AnswerRecord(
                            item_id=r.text(0),
                            kind=ItemKind(r.text(1)),
                            sheet=r.text(2),
                            row=r.integer(3),
                            stage_id=r.opt_text(4),
                            target_stage_id=r.opt_text(5),
                            comment=r.text(6),
                            done=None if r.opt_integer(7) is None else bool(r.integer(7)),
                            notes=r.text(8),
                            lead=r.text(9),
                            target_date=r.text(10),
                        )
                        for r in rows
                    ),
                )
            )
        return tuple(out)
