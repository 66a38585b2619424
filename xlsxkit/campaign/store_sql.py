"""The store's connection: transactions, every SQL statement, and SQLite's errors as messages.

Why one base class under the store's parts (:mod:`~xlsxkit.campaign.store_rounds`,
``store_files``, ``store_answers``, ``store_messages``): every statement goes through
:meth:`StoreBase._run` or :meth:`StoreBase._rows`, so every SQLite error becomes a
:class:`StoreError` naming the file and saying what to do, and every value read back is
checked against the type the schema promises (:class:`Row`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Self, TypeVar

from xlsxkit.campaign.records import Json
from xlsxkit.errors import StoreBusy, StoreError


class StoreBase:
    """The connection of an open store and the plumbing every part of :class:`Store` uses."""

    def __init__(self, conn: sqlite3.Connection, path: Path, timeout: float) -> None:
        self._conn = conn
        self.path = path
        self._timeout = timeout
        self._depth = 0

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all (nested calls join the outer)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._run("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._conn.rollback()
            raise
        self._depth = 0
        try:
            self._run("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.rollback()
            raise

    # facts about the store ----------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self._scalar_int("PRAGMA user_version")

    def integrity_check(self) -> list[str]:
        """SQLite's own check: ``["ok"]`` when the file is sound."""
        return [r.text(0) for r in self._rows("PRAGMA integrity_check")]

    # SQL plumbing: every statement goes through here, so every SQLite error becomes a
    # message naming the file ------------------------------------------------------------
    def _has_tables(self) -> bool:
        return bool(self._rows("SELECT 1 FROM sqlite_master LIMIT 1"))

    def _run(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, [bindable(v) for v in params])
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        try:
            self._conn.executemany(sql, ([bindable(v) for v in row] for row in rows))
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        try:
            found = self._conn.execute(sql, [bindable(v) for v in params]).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return [Row(self.path, tuple(r)) for r in found]

    def _scalar_int(self, sql: str) -> int:
        return self._rows(sql)[0].integer(0)

    def _scalar_text(self, sql: str) -> str:
        return self._rows(sql)[0].text(0)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreBusy(
                f"{self.path}: the campaign store is in use by another xlsxkit command (waited "
                f"{self._timeout:g} s); wait for it to finish, then run this command again"
            )
        if "not a database" in text:
            return StoreError(
                f"{self.path}: this file is not an xlsxkit campaign store (not an SQLite "
                "database); move it away or give the folder of an xlsxkit campaign"
            )
        if "malformed" in text:
            return StoreError(
                f"{self.path}: the campaign store is damaged ({text}); restore it from a backup"
            )
        if "readonly" in text or "read-only" in text:
            return StoreError(
                f"{self.path}: the campaign store cannot be written (read-only file or "
                "folder); check its permissions"
            )
        if "disk is full" in text:
            return StoreError(f"{self.path}: the disk is full; free some space and try again")
        if isinstance(exc, sqlite3.IntegrityError):
            return StoreError(f"{self.path}: refused by the campaign store: {text}")
        return StoreError(f"{self.path}: the campaign store failed: {text}")


# --------------------------------------------------------------------------------------
# helpers


def json_text(value: dict[str, Json]) -> str:
    """VALUE as JSON text; kept readable, except that text SQLite cannot hold as UTF-8 (lone
    surrogates from undecodable mail headers or file names) is written as ``\\udcxx``
    escapes, which read back exactly."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"provenance cannot be stored as JSON: {exc}") from None
    return text if fits_utf8(text) else json.dumps(value, ensure_ascii=True, sort_keys=True)


def fits_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def bindable(value: object) -> object:
    """A text with lone surrogates (an undecodable name) cannot be bound as UTF-8: it is
    stored with U+FFFD in their place instead of failing the write."""
    if isinstance(value, str) and not fits_utf8(value):
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)
    return value


_T = TypeVar("_T")


class Row:
    """One row as SQLite returned it, read by column with the type the schema promises.

    A value of another type means the file was edited by something else than xlsxkit: it
    is reported as a damaged store, never passed on."""

    __slots__ = ("_path", "_values")

    def __init__(self, path: Path, values: tuple[object, ...]) -> None:
        self._path = path
        self._values = values

    def _damaged(self, i: int, want: str) -> StoreError:
        return StoreError(
            f"{self._path}: the campaign store is damaged (a value that should be {want} is "
            f"{self._values[i]!r}); restore it from a backup"
        )

    def _typed(self, i: int, kind: type[_T], want: str) -> _T:
        value = self._values[i]
        if not isinstance(value, kind):
            raise self._damaged(i, want)
        return value

    def text(self, i: int) -> str:
        return self._typed(i, str, "text")

    def opt_text(self, i: int) -> str | None:
        return None if self._values[i] is None else self.text(i)

    def integer(self, i: int) -> int:
        return self._typed(i, int, "a whole number")

    def opt_integer(self, i: int) -> int | None:
        return None if self._values[i] is None else self.integer(i)

    def blob(self, i: int) -> bytes:
        return self._typed(i, bytes, "bytes")

    def time(self, i: int) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(self.text(i))
        except ValueError:
            raise self._damaged(i, "a time") from None

    def opt_time(self, i: int) -> dt.datetime | None:
        return None if self._values[i] is None else self.time(i)

    def date(self, i: int) -> dt.date | None:
        if self._values[i] is None:
            return None
        try:
            return dt.date.fromisoformat(self.text(i))
        except ValueError:
            raise self._damaged(i, "a date") from None

    def json(self, i: int) -> Json:
        try:
            value: Json = json.loads(self.text(i))
        except ValueError:
            raise self._damaged(i, "JSON") from None
        return value

    def texts(self, i: int) -> tuple[str, ...]:
        value = self.json(i)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._damaged(i, "a list of texts")
        return tuple(str(v) for v in value)
