"""The store's register of a campaign: its organisations, its rounds and their workbooks.

Why together: every other part of the store (files, accepted returns, messages) refers to
a round or an organisation, so this is the layer they stand on (:class:`RoundsMixin`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from xlsxkit.campaign.records import OrgRecord, RoundRecord, WorkbookRecord
from xlsxkit.campaign.store_sql import Row, StoreBase
from xlsxkit.errors import StoreError


class RoundsMixin(StoreBase):
    """Organisations, rounds and workbooks of :class:`~xlsxkit.campaign.store.Store`."""

    # organisations ------------------------------------------------------------------
    def put_organisation(self, org: OrgRecord) -> None:
        """Add ORG, or update the name and contact of the organisation with its id."""
        with self.transaction():
            self._run(
                "INSERT INTO organisations (id, name, contact, email) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "contact = excluded.contact, email = excluded.email",
                (org.id, org.name, org.contact, org.email),
            )

    def organisations(self) -> tuple[OrgRecord, ...]:
        """Every organisation, in the order they were first added."""
        rows = self._rows("SELECT id, name, contact, email FROM organisations ORDER BY rowid")
        return tuple(
            OrgRecord(id=r.text(0), name=r.text(1), contact=r.text(2), email=r.text(3))
            for r in rows
        )

    def organisation(self, org_id: str) -> OrgRecord | None:
        return next((o for o in self.organisations() if o.id == org_id), None)

    # rounds -------------------------------------------------------------------------
    def add_round(
        self,
        *,
        slug: str,
        name: str,
        created_at: dt.datetime,
        framework_id: str,
        framework_version: str,
        framework_hash: str,
        stage_ids: Sequence[str],
        deadline: dt.date | None = None,
    ) -> RoundRecord:
        """Add a round after the existing ones. A name or folder already used is refused."""
        with self.transaction():
            for other in self.rounds():
                if other.slug == slug or other.name == name:
                    raise StoreError(
                        f"{self.path}: there is already a round '{other.name}' (folder "
                        f"rounds/{other.slug}); choose another name for the new round"
                    )
            position = self._scalar_int("SELECT COALESCE(MAX(position), 0) + 1 FROM rounds")
            self._run(
                "INSERT INTO rounds (slug, name, position, deadline, created_at, framework_id, "
                "framework_version, framework_hash, stage_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    slug,
                    name,
                    position,
                    deadline.isoformat() if deadline else None,
                    created_at.isoformat(),
                    framework_id,
                    framework_version,
                    framework_hash,
                    json.dumps(list(stage_ids)),
                ),
            )
        found = self.round(slug)
        assert found is not None
        return found

    def set_deadline(self, slug: str, deadline: dt.date | None) -> None:
        with self.transaction():
            self._require_round(slug)
            self._run(
                "UPDATE rounds SET deadline = ? WHERE slug = ?",
                (deadline.isoformat() if deadline else None, slug),
            )

    def rounds(self) -> tuple[RoundRecord, ...]:
        """Every round, first round first."""
        rows = self._rows(
            "SELECT slug, name, position, deadline, created_at, framework_id, "
            "framework_version, framework_hash, stage_ids FROM rounds ORDER BY position"
        )
        return tuple(
            RoundRecord(
                slug=r.text(0),
                name=r.text(1),
                position=r.integer(2),
                deadline=r.date(3),
                created_at=r.time(4),
                framework_id=r.text(5),
                framework_version=r.text(6),
                framework_hash=r.text(7),
                stage_ids=r.texts(8),
            )
            for r in rows
        )

    def round(self, slug: str) -> RoundRecord | None:
        return next((r for r in self.rounds() if r.slug == slug), None)

    def round_named(self, name: str) -> RoundRecord | None:
        return next((r for r in self.rounds() if r.name == name), None)

    def latest_round(self) -> RoundRecord | None:
        rounds = self.rounds()
        return rounds[-1] if rounds else None

    # workbooks ----------------------------------------------------------------------
    def add_workbook(self, workbook: WorkbookRecord) -> None:
        """Record a generated workbook. A second one for the same round and organisation,
        or a token used before, is refused."""
        with self.transaction():
            self._require_round(workbook.round_slug)
            if workbook.org_id is not None and self.workbook_for(
                workbook.round_slug, workbook.org_id
            ):
                raise StoreError(
                    f"{self.path}: organisation '{workbook.org_id}' already has a workbook in "
                    f"round '{workbook.round_slug}'"
                )
            if self.workbook(workbook.token) is not None:
                raise StoreError(f"{self.path}: the token {workbook.token} is already used")
            self._run(
                "INSERT INTO workbooks (token, round_slug, org_id, file, sha256, generated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    workbook.token,
                    workbook.round_slug,
                    workbook.org_id,
                    workbook.file,
                    workbook.sha256,
                    workbook.generated_at.isoformat(),
                ),
            )

    _WORKBOOK_COLUMNS = "token, round_slug, org_id, file, sha256, generated_at"

    def workbooks(self, round_slug: str | None = None) -> tuple[WorkbookRecord, ...]:
        """The workbooks of ROUND_SLUG (of every round when None), in the order generated."""
        sql = f"SELECT {self._WORKBOOK_COLUMNS} FROM workbooks"
        if round_slug is None:
            rows = self._rows(sql + " ORDER BY rowid")
        else:
            rows = self._rows(sql + " WHERE round_slug = ? ORDER BY rowid", (round_slug,))
        return tuple(_workbook(r) for r in rows)

    def workbook(self, token: str) -> WorkbookRecord | None:
        sql = f"SELECT {self._WORKBOOK_COLUMNS} FROM workbooks WHERE token = ?"
        rows = self._rows(sql, (token,))
        return _workbook(rows[0]) if rows else None

    def workbook_for(self, round_slug: str, org_id: str) -> WorkbookRecord | None:
        sql = f"SELECT {self._WORKBOOK_COLUMNS} FROM workbooks WHERE round_slug = ? AND org_id = ?"
        rows = self._rows(sql, (round_slug, org_id))
        return _workbook(rows[0]) if rows else None

    def _require_round(self, slug: str) -> RoundRecord:
        found = self.round(slug)
        if found is None:
            raise StoreError(f"{self.path}: there is no round '{slug}' in the store")
        return found


def _workbook(r: Row) -> WorkbookRecord:
    return WorkbookRecord(
        token=r.text(0),
        round_slug=r.text(1),
        org_id=r.opt_text(2),
        file=r.text(3),
        sha256=r.text(4),
        generated_at=r.time(5),
    )
