"""The manifest: the contract between the batch that was sent and the returns that come back.

``generate`` writes it; ``import`` reads it to know who was sent which workbook (and token).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.csvsafe import unneutralise
from xlsxkit.errors import ManifestError
from xlsxkit.inputs import MAX_MANIFEST_BYTES, InputFileError, read_bounded

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = (
    "org_id",
    "org_name",
    "contact",
    "email",
    "file",
    "token",
    "sha256",
    # Which batch the row belongs to, so that a late partner is added only to its own batch.
    "framework",
    "framework_version",
    "round",
)
#: The header of manifests written before the batch columns existed.
LEGACY_MANIFEST_COLUMNS = MANIFEST_COLUMNS[:7]


@dataclass(frozen=True, kw_only=True, slots=True)
class ManifestRow:
    org_id: str
    org_name: str
    contact: str
    email: str
    file: str
    token: str
    sha256: str
    framework: str = ""
    framework_version: str = ""
    round: str = ""


def read_manifest(path: Path) -> list[ManifestRow]:
    """Read a manifest written by :func:`generate`. Raises :class:`ManifestError`."""
    import csv

    try:
        text = read_bounded(path, MAX_MANIFEST_BYTES, "manifest").decode("utf-8-sig")
    except InputFileError as exc:
        raise ManifestError(str(exc)) from None
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: the manifest is not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    try:
        missing = [c for c in ("org_id", "org_name", "token") if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(
                f"{path}: not an xlsxkit manifest (no column {', '.join(missing)}); give the "
                "manifest.csv that 'xlsxkit generate' wrote"
            )
        rows = []
        for record in reader:
            values = {c: unneutralise((record.get(c) or "").strip()) for c in MANIFEST_COLUMNS}
            rows.append(ManifestRow(**values))
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KB limit
        raise ManifestError(
            f"{path}: not an xlsxkit manifest ({exc}); give the "
            "manifest.csv that 'xlsxkit generate' wrote"
        ) from None
    return rows


def read_manifests(paths: Sequence[Path]) -> list[ManifestRow]:
    """The union of several manifests (e.g. a batch and its late partners sent from another
    folder). An organisation in two of them is an error naming both files."""
    rows: list[ManifestRow] = []
    where: dict[str, Path] = {}
    seen: set[Path] = set()
    for path in paths:
        if path.resolve() in seen:  # the same file given twice is given once
            continue
        seen.add(path.resolve())
        for row in read_manifest(path):
            if row.org_id and row.org_id in where:
                first = where[row.org_id]
                if first == path:
                    raise ManifestError(
                        f"{path}: organisation {row.org_id!r} is listed twice; give the "
                        "manifest.csv that 'xlsxkit generate' wrote"
                    )
                raise ManifestError(
                    f"organisation {row.org_id!r} ({row.org_name}) is in two manifests, "
                    f"{first} and {path}; each organisation must be in one only. Give the "
                    "manifest of each batch once"
                )
            if row.org_id:
                where[row.org_id] = path
            rows.append(row)
    return rows
