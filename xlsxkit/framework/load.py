"""Load and validate a framework file, and build the model from it.

Validation never raises: :func:`load_framework` returns a :class:`LoadResult` with a
:class:`~xlsxkit.problems.Report` that lists every problem with its line and column. The
model is built only when there are no errors.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from xlsxkit import resources
from xlsxkit.codes import Code
from xlsxkit.errors import FrameworkError
from xlsxkit.framework.model import Action, Criterion, Dimension, Framework, Stage
from xlsxkit.framework.yamldoc import PathKey, YamlDocument, format_path, load_yaml
from xlsxkit.inputs import MAX_FRAMEWORK_BYTES, InputFileError, InputProblem, read_bounded
from xlsxkit.names import (
    RESERVED_SHEET_NAMES,
    make_sheet_names,
    normalise_label,
    sheet_name_problems,
)
from xlsxkit.problems import Problem, Report, error, warning


@dataclass(frozen=True, kw_only=True)
class LoadResult:
    file: str
    report: Report
    framework: Framework | None

    @property
    def ok(self) -> bool:
        return self.framework is not None and self.report.ok


def _not_valid(result: LoadResult) -> str:
    n = len(result.report.errors)
    return (
        f"{result.file}: the framework is not valid ({n} problem{'s' * (n != 1)}); "
        f"run 'xlsxkit validate {result.file}' to see them\n" + result.report.render_text()
    )


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    with resources.schema_path().open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def load_framework(path: str | Path, *, display: str | None = None) -> LoadResult:
    """Read, validate and build the framework at PATH. Never raises for bad input."""
    name = display if display is not None else str(path)
    report = Report()
    try:
        raw = read_bounded(Path(path), MAX_FRAMEWORK_BYTES, "framework")
    except InputFileError as exc:
        code = {
            InputProblem.NOT_FOUND: Code.FILE_NOT_FOUND,
            InputProblem.NOT_A_FILE: Code.FILE_NOT_FOUND,
            InputProblem.TOO_LARGE: Code.FILE_TOO_LARGE,
            InputProblem.UNREADABLE: Code.FILE_UNREADABLE,
        }[exc.problem]
        report.add(error(code, exc.reason, file=name))
        return LoadResult(file=name, report=report, framework=None)
    return parse_framework(raw, file=name)


def parse_framework(raw: bytes | str, *, file: str = "<framework>") -> LoadResult:
    report = Report()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            report.add(
                error(
                    Code.NOT_UTF8,
                    "the file is not UTF-8 text: save it as UTF-8 in your editor",
                    file=file,
                    line=line,
                    column=col,
                )
            )
            return LoadResult(file=file, report=report, framework=None)
    else:
        text = raw
    doc, problems = load_yaml(text, file)
    report.extend(problems)
    if doc is None:
        return LoadResult(file=file, report=report, framework=None)
    if not isinstance(doc.data, dict):
        report.add(
            error(
                Code.NOT_A_FRAMEWORK,
                "the file is empty or is not a framework: it must start with "
                "'framework:', 'stages:' and 'dimensions:' sections",
                file=file,
                line=1,
                column=1,
                path="(top level)",
            )
        )
        return LoadResult(file=file, report=report, framework=None)
    checker = _Checker(doc, file)
    report.extend(checker.schema_problems())
    report.extend(checker.semantic_problems())
    report.extend(checker.excel_warnings())
    framework = build_framework(doc.data) if report.ok else None
    return LoadResult(file=file, report=report, framework=framework)


def require_framework(path: str | Path) -> Framework:
    """Load PATH or raise :class:`FrameworkError` with the report."""
    result = load_framework(path)
    if result.framework is None or not result.report.ok:
        raise FrameworkError(_not_valid(result))
    return result.framework


# --------------------------------------------------------------------------------------
# model building


def content_hash(data: dict[str, Any]) -> str:
    """A hash of the framework's content, independent of YAML formatting and comments."""
    body = {k: v for k, v in data.items() if k != "$schema"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_framework(data: dict[str, Any]) -> Framework:
    """Build the model from a document that has passed validation."""
    meta = data["framework"]
    stages = tuple(
        Stage(
            id=s["id"],
            label=s["label"],
            index=i,
            description=s.get("description"),
            colour=s.get("colour"),
        )
        for i, s in enumerate(data["stages"], start=1)
    )
    order = {s.id: s.index for s in stages}
    dimensions = []
    for d in data["dimensions"]:
        criteria = []
        for c in d["criteria"]:
            actions = []
            # Actions are shown and stored in stage order, whatever order the keys had.
            for stage_id in sorted(c.get("actions") or {}, key=lambda k: order[k]):
                for a in c["actions"][stage_id] or []:
                    actions.append(
                        Action(
                            id=a["id"],
                            text=a["text"],
                            stage_id=stage_id,
                            criterion_id=c["id"],
                            dimension_id=d["id"],
                            details=tuple(a.get("details") or ()),
                            same_as=a.get("same_as"),
                            see_also=tuple(a.get("see_also") or ()),
                            guidance=a.get("guidance"),
                        )
                    )
            criteria.append(
                Criterion(
                    id=c["id"],
                    text=c["text"],
                    dimension_id=d["id"],
                    actions=tuple(actions),
                    guidance=c.get("guidance"),
                )
            )
        dimensions.append(
            Dimension(
                id=d["id"],
                name=d["name"],
                criteria=tuple(criteria),
                description=d.get("description"),
            )
        )
    return Framework(
        id=meta["id"],
        title=meta["title"],
        version=meta["version"],
        source=meta.get("source"),
        description=meta.get("description"),
        stages=stages,
        dimensions=tuple(dimensions),
        content_hash=content_hash(data),
    )


# --------------------------------------------------------------------------------------
# checks

_TYPE_WORDS = {
    "string": "text",
    "object": "a set of 'key: value' fields",
    "array": "a list (lines starting with '- ')",
}


def _describe_value(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {short!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return type(value).__name__


def _closest(word: str, choices: list[str]) -> str:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


class _Checker:
    def __init__(self, doc: YamlDocument, file: str) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.file = file

    def _at(self, code: Code, message: str, path: PathKey, *, key: bool = False) -> Problem:
        pos = self.doc.position(path, key=key)
        return error(
            code,
            message,
            file=self.file,
            line=pos.line if pos else None,
            column=pos.column if pos else None,
            path=format_path(path),
        )

    def _warn(self, code: Code, message: str, path: PathKey) -> Problem:
        pos = self.doc.position(path)
        return warning(
            code,
            message,
            file=self.file,
            line=pos.line if pos else None,
            column=pos.column if pos else None,
            path=format_path(path),
        )

    # JSON Schema ---------------------------------------------------------------------
    def schema_problems(self) -> Iterator[Problem]:
        validator = jsonschema.Draft202012Validator(load_schema())
        for err in validator.iter_errors(self.data):
            yield from self._translate(err)

    def _translate(self, err: jsonschema.ValidationError) -> Iterator[Problem]:
        path: PathKey = tuple(err.absolute_path)
        kind = err.validator
        schema = err.schema if isinstance(err.schema, dict) else {}
        title = schema.get("title", "this value")
        inst: Any = err.instance
        rule: Any = err.validator_value
        if kind == "required":
            missing = [r for r in rule if isinstance(inst, dict) and r not in inst]
            for field_name in missing:
                yield self._at(
                    Code.MISSING_FIELD,
                    f"missing required field '{field_name}': add '{field_name}:' here",
                    path,
                )
        elif kind == "additionalProperties" and isinstance(inst, dict):
            allowed = list(schema.get("properties", {}))
            for extra in [k for k in inst if k not in allowed]:
                yield self._at(
                    Code.UNKNOWN_FIELD,
                    f"unknown field '{extra}'{_closest(extra, allowed)}; "
                    f"allowed here: {', '.join(allowed)}",
                    (*path, extra),
                    key=True,
                )
        elif kind == "propertyNames":
            yield self._at(
                Code.INVALID_ID,
                f"'{inst}' is not a valid stage id: use lowercase letters, digits and "
                "single hyphens",
                (*path, inst) if isinstance(inst, str) else path,
                key=True,
            )
        elif kind == "type":
            words = _TYPE_WORDS.get(str(rule), str(rule))
            yield self._at(
                Code.WRONG_TYPE,
                f"{title} should be {words}, but it is {_describe_value(inst)}",
                path,
            )
        elif kind == "pattern":
            if inst == "" and schema.get("minLength"):
                return  # reported once, as empty
            yield self._at(Code.INVALID_VALUE, self._pattern_message(title, inst, schema), path)
        elif kind == "minLength":
            yield self._at(Code.EMPTY_VALUE, f"{title} must not be empty", path)
        elif kind == "maxLength":
            yield self._at(
                Code.TOO_LONG,
                f"{title} is too long: {len(inst)} characters, at most {rule}",
                path,
            )
        elif kind in ("minItems", "maxItems"):
            n = len(inst) if isinstance(inst, list) else 0
            code, bound = (
                (Code.TOO_FEW, "needs at least")
                if kind == "minItems"
                else (Code.TOO_MANY, "allows at most")
            )
            yield self._at(code, f"{title} {bound} {rule}, but has {n}", path)
        elif kind == "uniqueItems":
            yield self._at(Code.REPEATED_ITEM, f"{title} lists the same id more than once", path)
        else:  # pragma: no cover - the schema uses only the keywords above
            yield self._at(Code.SCHEMA, err.message, path)

    @staticmethod
    def _pattern_message(title: str, inst: Any, schema: dict[str, Any]) -> str:
        pattern = schema.get("pattern", "")
        if pattern == r"\S":
            return f"{title} must not be blank"
        if pattern.startswith("^#"):
            return f"{title} {inst!r} is not a colour: write it as #RRGGBB, e.g. #C6EFCE"
        suggestion = "-".join("".join(c if c.isalnum() else " " for c in str(inst)).split())
        hint = f", e.g. '{suggestion.lower()}'" if suggestion and suggestion != inst else ""
        return (
            f"{title} {inst!r} is not a valid id: use lowercase letters, digits and single "
            f"hyphens{hint}"
        )

    # checks a schema cannot make -----------------------------------------------------
    def _items(self) -> Iterator[tuple[str, PathKey, dict[str, Any]]]:
        """Every id-bearing mapping with its kind and path, tolerant of wrong types."""
        for i, s in enumerate(_list(self.data.get("stages"))):
            if isinstance(s, dict):
                yield "stage", ("stages", i), s
        for di, d in enumerate(_list(self.data.get("dimensions"))):
            if not isinstance(d, dict):
                continue
            yield "dimension", ("dimensions", di), d
            for ci, c in enumerate(_list(d.get("criteria"))):
                if not isinstance(c, dict):
                    continue
                cpath: PathKey = ("dimensions", di, "criteria", ci)
                yield "criterion", cpath, c
                actions = c.get("actions")
                if not isinstance(actions, dict):
                    continue
                for stage_key, group in actions.items():
                    for ai, a in enumerate(_list(group)):
                        if isinstance(a, dict):
                            yield "action", (*cpath, "actions", stage_key, ai), a

    def semantic_problems(self) -> Iterator[Problem]:
        seen: dict[str, PathKey] = {}
        action_ids: set[str] = set()
        stage_ids: list[str] = []
        items = list(self._items())
        for kind, path, item in items:
            item_id = item.get("id")
            if not isinstance(item_id, str):
                continue
            if kind == "stage":
                stage_ids.append(item_id)
            if kind == "action":
                action_ids.add(item_id)
            if item_id in seen:
                first = seen[item_id]
                pos = self.doc.position((*first, "id"))
                yield self._at(
                    Code.DUPLICATE_ID,
                    f"id '{item_id}' is already used at line {pos.line if pos else '?'} "
                    f"({format_path((*first, 'id'))}): ids must be unique across the whole "
                    "file",
                    (*path, "id"),
                )
            else:
                seen[item_id] = path

        # action groups must be keyed by declared stages
        for di, d in enumerate(_list(self.data.get("dimensions"))):
            if not isinstance(d, dict):
                continue
            for ci, c in enumerate(_list(d.get("criteria"))):
                if not isinstance(c, dict) or not isinstance(c.get("actions"), dict):
                    continue
                for stage_key in c["actions"]:
                    if stage_key not in stage_ids:
                        declared = ", ".join(dict.fromkeys(stage_ids)) or "(none)"
                        yield self._at(
                            Code.UNDECLARED_STAGE,
                            f"'{stage_key}' is not a declared stage"
                            f"{_closest(stage_key, stage_ids)}; the stages are: {declared}",
                            ("dimensions", di, "criteria", ci, "actions", stage_key),
                            key=True,
                        )

        # cross-references
        for kind, path, item in items:
            if kind != "action":
                continue
            refs: list[tuple[PathKey, Any]] = []
            if "same_as" in item:
                refs.append(((*path, "same_as"), item["same_as"]))
            for ri, ref in enumerate(_list(item.get("see_also"))):
                refs.append(((*path, "see_also", ri), ref))
            for ref_path, ref in refs:
                if not isinstance(ref, str):
                    continue
                if ref == item.get("id"):
                    yield self._at(
                        Code.SELF_REFERENCE, f"action '{ref}' refers to itself", ref_path
                    )
                elif ref not in action_ids:
                    yield self._at(
                        Code.UNKNOWN_REFERENCE,
                        f"'{ref}' is not the id of an action in this file"
                        f"{_closest(ref, sorted(action_ids))}",
                        ref_path,
                    )

        # stage labels: unique, and distinguishable as a partner may type them
        by_form: dict[str, tuple[str, PathKey]] = {}
        for i, s in enumerate(_list(self.data.get("stages"))):
            if not isinstance(s, dict):
                continue
            forms = []
            if isinstance(s.get("label"), str):
                forms.append(("label", s["label"]))
            if isinstance(s.get("id"), str):
                forms.append(("id", s["id"]))
            mine: set[str] = set()
            for what, value in forms:
                form = normalise_label(value)
                if form in mine:
                    continue
                mine.add(form)
                if form in by_form:
                    other, other_path = by_form[form]
                    code = Code.DUPLICATE_STAGE_LABEL if what == "label" else Code.AMBIGUOUS_STAGE
                    yield self._at(
                        code,
                        f"stage {what} {value!r} cannot be told apart from {other} "
                        f"({format_path(other_path)}) when a partner types it: labels and ids "
                        "must differ by more than case, spaces and hyphens",
                        ("stages", i, what),
                    )
                else:
                    by_form[form] = (f"{value!r}", ("stages", i, what))

    def excel_warnings(self) -> Iterator[Problem]:
        dims = [d for d in _list(self.data.get("dimensions")) if isinstance(d, dict)]
        names = [str(d["name"]) if isinstance(d.get("name"), str) else "" for d in dims]
        final = make_sheet_names(names, reserved=RESERVED_SHEET_NAMES)
        for di, (d, name, sheet) in enumerate(zip(dims, names, final, strict=True)):
            if not isinstance(d.get("name"), str):
                continue
            reasons = sheet_name_problems(name)
            if reasons or sheet != name:
                why = "; ".join(reasons) if reasons else "another sheet already has this name"
                yield self._warn(
                    Code.SHEET_NAME,
                    f"dimension name {name!r} cannot be an Excel sheet name as it is ({why}); "
                    f"its sheet will be called {sheet!r}",
                    ("dimensions", di, "name"),
                )
        for i, s in enumerate(_list(self.data.get("stages"))):
            if not isinstance(s, dict) or not isinstance(s.get("label"), str):
                continue
            label = s["label"].strip()
            if label[:1] in ("=", "+", "-", "@"):
                yield self._warn(
                    Code.STAGE_LABEL_FORMULA,
                    f"stage label {label!r} starts with {label[0]!r}; spreadsheet apps may "
                    "read it as a formula when a partner picks it. Reword it.",
                    ("stages", i, "label"),
                )
            elif _looks_numeric(label):
                yield self._warn(
                    Code.STAGE_LABEL_NUMBER,
                    f"stage label {label!r} looks like a number or TRUE/FALSE; spreadsheet "
                    "apps may change it when a partner picks it. Use words.",
                    ("stages", i, "label"),
                )


def _looks_numeric(text: str) -> bool:
    if text.upper() in ("TRUE", "FALSE"):
        return True
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
