"""The store's record of every file an import found, once per content and place.

Why: an import must account for every file it saw (accepted, rejected, superseded, gone
missing), run after run, without reading a file twice for the same verdict.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping

from xlsxkit.campaign.records import FileRecord, Json
from xlsxkit.campaign.store_rounds import RoundsMixin
from xlsxkit.campaign.store_sql import Row, json_text


class FilesMixin(RoundsMixin):
    """The files of :class:`~xlsxkit.campaign.store.Store`."""

    # files --------------------------------------------------------------------------
    def record_file(
        self,
        *,
        sha256: str,
        location: str | os.PathLike[str],
        size: int,
        seen_at: dt.datetime,
        status: str,
        code: str = "",
        reason: str = "",
        org_id: str | None = None,
        round_slug: str | None = None,
        provenance: Mapping[str, Json] | None = None,
    ) -> FileRecord:
        """Record that a file with this content was found at LOCATION, with its verdict.

        Seen again (same content, same place): the verdict and last_seen are updated, the
        first sighting is kept, and it is no longer missing. PROVENANCE replaces the one
        recorded when given.
        """
        raw = os.fsencode(location)
        shown = raw.decode("utf-8", "replace")
        with self.transaction():
            if round_slug is not None:
                self._require_round(round_slug)
            self._run(
                "INSERT INTO files (sha256, location, location_bytes, size, provenance, status, "
                "code, reason, org_id, round_slug, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sha256, location_bytes) DO UPDATE SET "
                "size = excluded.size, status = excluded.status, code = excluded.code, "
                "reason = excluded.reason, org_id = excluded.org_id, "
                "round_slug = excluded.round_slug, last_seen = excluded.last_seen, "
                "missing_since = NULL"
                + (", provenance = excluded.provenance" if provenance is not None else ""),
                (
                    sha256,
                    shown,
                    raw,
                    size,
                    json_text(dict(provenance or {})),
                    status,
                    code,
                    reason,
                    org_id,
                    round_slug,
                    seen_at.isoformat(),
                    seen_at.isoformat(),
                ),
            )
            rows = self._rows(
                f"SELECT {self._FILE_COLUMNS} FROM files WHERE sha256 = ? AND location_bytes = ?",
                (sha256, raw),
            )
        return _file(rows[0])

    _FILE_COLUMNS = (
        "id, sha256, location, location_bytes, size, provenance, status, code, reason, "
        "org_id, round_slug, first_seen, last_seen, missing_since"
    )

    def files(self, round_slug: str | None = None) -> tuple[FileRecord, ...]:
        """Files recorded for ROUND_SLUG (every file when None), in the order first seen."""
        sql = f"SELECT {self._FILE_COLUMNS} FROM files"
        if round_slug is None:
            rows = self._rows(sql + " ORDER BY id")
        else:
            rows = self._rows(sql + " WHERE round_slug = ? ORDER BY id", (round_slug,))
        return tuple(_file(r) for r in rows)

    def file(self, file_id: int) -> FileRecord | None:
        rows = self._rows(f"SELECT {self._FILE_COLUMNS} FROM files WHERE id = ?", (file_id,))
        return _file(rows[0]) if rows else None

    def mark_missing(
        self, round_slug: str, *, present: Iterable[int], at: dt.datetime
    ) -> tuple[FileRecord, ...]:
        """Mark the files of ROUND_SLUG not in PRESENT (ids) as missing since AT.

        Returns the files that went missing now (not those missing before)."""
        keep = set(present)
        with self.transaction():
            gone = [
                f.id for f in self.files(round_slug) if f.id not in keep and f.missing_since is None
            ]
            self._executemany(
                "UPDATE files SET missing_since = ? WHERE id = ?",
                [(at.isoformat(), i) for i in gone],
            )
        return tuple(f for f in self.files(round_slug) if f.id in set(gone))


def _file(r: Row) -> FileRecord:
    provenance = r.json(5)
    if not isinstance(provenance, dict):
        raise r._damaged(5, "a JSON object")
    return FileRecord(
        id=r.integer(0),
        sha256=r.text(1),
        location=r.text(2),
        location_bytes=r.blob(3),
        size=r.integer(4),
        provenance=provenance,
        status=r.text(6),
        code=r.text(7),
        reason=r.text(8),
        org_id=r.opt_text(9),
        round_slug=r.opt_text(10),
        first_seen=r.time(11),
        last_seen=r.time(12),
        missing_since=r.opt_time(13),
    )
