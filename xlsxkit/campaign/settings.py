"""The campaign settings file, ``xlsxkit.yaml``: the title, the return address, mail
addresses and the defaults of the commands run in the campaign.

It is written by the coordinator in a text editor, so it is read like a framework file:
every value as text (:mod:`xlsxkit.framework.yamldoc`, so ``jobs: 4`` and ``deadline:
2027-06-30`` are checked here, not guessed by YAML), every problem with its line, an unknown
key reported with the key it was probably meant to be. Loading never raises:
:func:`load_settings` returns the settings with a report.

The ``consistency`` section sets the consistency flags' rule
(:mod:`xlsxkit.results.consistency`): ``threshold`` (the share of the actions at or below a
claimed stage that must be ticked, from 0 to 1, or a percentage such as ``50%``; 0 switches
the check off) and ``min_actions`` (the fewest such actions for the check to apply).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from xlsxkit.codes import Code
from xlsxkit.errors import SettingsError
from xlsxkit.framework.model import Framework
from xlsxkit.framework.yamldoc import PathKey, YamlDocument, format_path, load_yaml
from xlsxkit.problems import Problem, Report, error
from xlsxkit.results.consistency import MAX_MIN_ACTIONS, ConsistencyRule, parse_share

__all__ = [
    "Settings",
    "SettingsError",
    "SettingsResult",
    "default_settings_text",
    "load_settings",
    "parse_settings",
    "require_settings",
]

#: A settings file is a few hundred bytes; this guards against being given the wrong file.
MAX_SETTINGS_BYTES = 256 * 1024
MAX_TITLE_LENGTH = 200
MAX_JOBS = 256

YamlValue: TypeAlias = str | list["YamlValue"] | dict[str, "YamlValue"] | None

_KEYS: dict[PathKey, tuple[str, ...]] = {
    (): ("title", "return_to", "mail", "defaults", "consistency"),
    ("mail",): ("from", "reply_to"),
    ("defaults",): ("deadline", "jobs"),
    ("consistency",): ("threshold", "min_actions"),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_JOBS = re.compile(r"[0-9]{1,4}")
# One address with an optional display name: Programme team <ip@example.org>, or
# "Team, North" <ip@example.org>. Never a list of addresses.
_NAMED = re.compile(r'(?:"[^"\\]*"|[^"<>@,;]*)\s*<([^<>]*)>')


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    title: str = ""
    return_to: str = ""  # the address partners send their workbook back to
    mail_from: str = ""  # "Name <address>" or an address
    reply_to: str = ""
    deadline: dt.date | None = None  # default deadline of a new round
    jobs: int | None = None  # default processes; None: all cores
    #: when a claimed stage is flagged as not supported by the ticks
    consistency: ConsistencyRule = field(default_factory=ConsistencyRule)

    def titled(self, framework: Framework) -> Framework:
        """FRAMEWORK shown under the campaign's title, when it has one: every place that
        shows the framework's title (the workbooks' heading, sheet titles and document
        title, the summary) shows it instead. Ids, wording, version and content hash are
        the framework's, so round identity and the round's framework are unchanged."""
        if not self.title:
            return framework
        return dataclasses.replace(framework, title=self.title)


@dataclass(frozen=True, kw_only=True)
class SettingsResult:
    file: str
    report: Report
    settings: Settings | None

    @property
    def ok(self) -> bool:
        return self.settings is not None and self.report.ok


def _not_valid(result: SettingsResult) -> str:
    n = len(result.report.errors)
    return (
        f"{result.file}: the campaign settings are not valid ({n} problem{'s' * (n != 1)}); "
        "correct the file at the lines shown\n" + result.report.render_text()
    )


def load_settings(path: str | Path, *, display: str | None = None) -> SettingsResult:
    """Read and check the settings file at PATH. Never raises for bad input."""
    name = display if display is not None else str(path)
    p = Path(path)

    def fail(code: Code, message: str) -> SettingsResult:
        return SettingsResult(
            file=name, report=Report(problems=[error(code, message, file=name)]), settings=None
        )

    try:
        if not p.is_file():
            if p.exists():
                return fail(Code.FILE_NOT_FOUND, "this is not a file; give the xlsxkit.yaml file")
            return fail(Code.FILE_NOT_FOUND, "no such file: check the path")
        size = p.stat().st_size
        if size > MAX_SETTINGS_BYTES:
            return fail(
                Code.FILE_TOO_LARGE,
                f"the file is {size:,} bytes; a settings file is at most "
                f"{MAX_SETTINGS_BYTES:,} bytes. Is this the right file?",
            )
        with p.open("rb") as fh:
            raw = fh.read(MAX_SETTINGS_BYTES + 1)
    except OSError as exc:
        return fail(Code.FILE_UNREADABLE, f"cannot read the file: {exc.strerror}")
    if len(raw) > MAX_SETTINGS_BYTES:
        return fail(Code.FILE_TOO_LARGE, "the file grew while it was read; is this the right file?")
    return parse_settings(raw, file=name)


def require_settings(path: str | Path) -> Settings:
    """Load PATH or raise :class:`SettingsError` with the report."""
    result = load_settings(path)
    if result.settings is None or not result.report.ok:
        raise SettingsError(_not_valid(result))
    return result.settings


def parse_settings(raw: bytes | str, *, file: str = "xlsxkit.yaml") -> SettingsResult:
    report = Report()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            report.add(
                error(
                    Code.NOT_UTF8,
                    "the file is not UTF-8 text: save it as UTF-8 in your editor",
                    file=file,
                    line=raw[: exc.start].count(b"\n") + 1,
                )
            )
            return SettingsResult(file=file, report=report, settings=None)
    else:
        text = raw
    doc, problems = load_yaml(text, file)
    report.extend(problems)
    if doc is None:
        return SettingsResult(file=file, report=report, settings=None)
    checker = _Checker(doc, file)
    settings = checker.settings()
    report.extend(checker.problems)
    return SettingsResult(file=file, report=report, settings=settings if report.ok else None)


class _Checker:
    def __init__(self, doc: YamlDocument, file: str) -> None:
        self.doc = doc
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, path: PathKey, message: str, *, key: bool = False) -> None:
        pos = self.doc.position(path, key=key)
        self.problems.append(
            error(
                Code.SETTINGS_INVALID,
                message,
                file=self.file,
                line=pos.line if pos else None,
                column=pos.column if pos else None,
                path=format_path(path),
            )
        )

    def mapping(self, path: PathKey, value: YamlValue) -> dict[str, YamlValue]:
        """The mapping at PATH (empty when blank), its unknown keys reported."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            what = "a list" if isinstance(value, list) else f"the text {value!r}"
            if path:
                self.problem(
                    path, f"'{path[-1]}' must be a section of 'key: value' lines, not {what}"
                )
            else:
                self.problem(path, f"the file must be 'key: value' lines, not {what}")
            return {}
        known = _KEYS.get(path)
        if known is not None:
            for key in value:
                if key not in known:
                    import difflib  # only for a mistyped key: start-up does not load it

                    close = difflib.get_close_matches(key, known, n=1)
                    hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
                    where = f"in '{path[-1]}'" if path else "at the top level"
                    self.problem((*path, key), f"unknown key '{key}' {where}; {hint}", key=True)
        return value

    def text(self, section: dict[str, YamlValue], path: PathKey) -> str | None:
        """The one-line text at PATH, or None when blank or invalid (reported)."""
        value = section.get(str(path[-1]))
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(path, f"'{path[-1]}' must be a single value, not a list or a section")
            return None
        value = value.strip()
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value):
            self.problem(path, f"'{path[-1]}' must be one line of text, without control characters")
            return None
        return value or None

    def address(self, section: dict[str, YamlValue], path: PathKey, *, named: bool) -> str:
        value = self.text(section, path)
        if value is None:
            return ""
        address = value
        if named and (match := _NAMED.fullmatch(value)):
            address = match.group(1)
        # here, not at the top: the partner list's module loads the workbook readers, which
        # 'xlsxkit validate' (it reads the settings) has no use for
        from xlsxkit.inbound.orgs import is_valid_email

        if not is_valid_email(address):
            example = "Programme team <name@example.org>" if named else "name@example.org"
            self.problem(
                path, f"'{path[-1]}' is not an email address ({value!r}); write e.g. {example}"
            )
            return ""
        return value

    def settings(self) -> Settings:
        top = self.mapping((), self.doc.data)
        mail = self.mapping(("mail",), top.get("mail"))
        defaults = self.mapping(("defaults",), top.get("defaults"))
        consistency = self.mapping(("consistency",), top.get("consistency"))

        title = self.text(top, ("title",)) or ""
        if len(title) > MAX_TITLE_LENGTH:
            self.problem(("title",), f"the title is longer than {MAX_TITLE_LENGTH} characters")
            title = ""

        deadline = None
        deadline_text = self.text(defaults, ("defaults", "deadline"))
        if deadline_text is not None:
            try:
                if not _DATE.fullmatch(deadline_text):
                    raise ValueError
                deadline = dt.date.fromisoformat(deadline_text)
            except ValueError:
                self.problem(
                    ("defaults", "deadline"),
                    f"the deadline {deadline_text!r} is not a date written YYYY-MM-DD, "
                    "e.g. 2027-06-30",
                )

        jobs = None
        jobs_text = self.text(defaults, ("defaults", "jobs"))
        if jobs_text is not None:
            if _JOBS.fullmatch(jobs_text) and 1 <= int(jobs_text) <= MAX_JOBS:
                jobs = int(jobs_text)
            else:
                self.problem(
                    ("defaults", "jobs"),
                    f"jobs {jobs_text!r} must be a whole number of processes from 1 to "
                    f"{MAX_JOBS}; leave it empty to use all cores",
                )

        return Settings(
            consistency=self.consistency(consistency),
            title=title,
            return_to=self.address(top, ("return_to",), named=False),
            mail_from=self.address(mail, ("mail", "from"), named=True),
            reply_to=self.address(mail, ("mail", "reply_to"), named=True),
            deadline=deadline,
            jobs=jobs,
        )

    def consistency(self, section: dict[str, YamlValue]) -> ConsistencyRule:
        default = ConsistencyRule()
        threshold = default.threshold
        text = self.text(section, ("consistency", "threshold"))
        if text is not None:
            value = parse_share(text)
            if value is None:
                self.problem(
                    ("consistency", "threshold"),
                    f"threshold {text!r} must be a share of the actions from 0 to 1 (e.g. "
                    "0.5) or a percentage (e.g. 50%); 0 switches the check off",
                )
            else:
                threshold = value
        min_actions = default.min_actions
        text = self.text(section, ("consistency", "min_actions"))
        if text is not None:
            if _JOBS.fullmatch(text) and 1 <= int(text) <= MAX_MIN_ACTIONS:
                min_actions = int(text)
            else:
                self.problem(
                    ("consistency", "min_actions"),
                    f"min_actions {text!r} must be a whole number of actions from 1 to "
                    f"{MAX_MIN_ACTIONS}",
                )
        return ConsistencyRule(threshold=threshold, min_actions=min_actions)


def default_settings_text(
    *, title: str = "", return_to: str = "", deadline: dt.date | None = None
) -> str:
    """The commented settings file ``xlsxkit init`` writes. Values given are filled in."""

    def value(text: str) -> str:
        # A JSON string is a YAML double-quoted scalar: any title is written safely.
        return json.dumps(text, ensure_ascii=False) if text else ""

    def line(key: str, text: str) -> str:
        return f"{key}: {text}".rstrip()

    return "\n".join(
        [
            "# xlsxkit campaign settings. Commands run in this folder (or with --campaign) use",
            "# them; an option given on the command line wins. Empty values mean the default.",
            "",
            "# Shown on every workbook and in the summary.",
            line("title", value(title)),
            "",
            "# Where partners send their workbook back: an email address.",
            line("return_to", value(return_to)),
            "",
            "# The sender of the emails xlsxkit sends or drafts: e.g.",
            '#   from: "Programme team <ip-team@example.org>"',
            "mail:",
            "  from:",
            "  reply_to:",
            "",
            "defaults:",
            "  # Deadline of a new round when 'generate --deadline' is not given (YYYY-MM-DD).",
            line("  deadline", deadline.isoformat() if deadline else ""),
            "  # Processes to use; empty: all cores.",
            "  jobs:",
            "",
            "# Consistency flags: a stage is flagged (a warning on the Problems sheet and in the",
            "# partner's feedback; the answer stands) when fewer than 'threshold' of the",
            "# suggested actions at or below it are ticked, if there are at least 'min_actions'",
            "# of them. threshold: a share (0.5) or a percentage (50%); 0 switches it off.",
            "consistency:",
            "  threshold: 0.5",
            "  min_actions: 3",
            "",
        ]
    )
