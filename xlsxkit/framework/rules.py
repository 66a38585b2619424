"""The checks a JSON Schema cannot make, as a list of plain rule functions.

A schema sees one value at a time; these rules see the whole document: ids unique across
the file, action groups keyed by declared stages, references that resolve, stage labels a
partner can type unambiguously, and the Excel limits that only produce warnings (a sheet
name Excel would refuse, a stage label a spreadsheet app would turn into a formula or a
number). Each rule is ``(doc, file) -> Iterator[Problem]`` and tolerates wrong types,
because the schema pass has already reported them; :data:`RULES` is run in order, so the
report lists problems in the same order every time. A new check is one more function here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from xlsxkit.codes import Code
from xlsxkit.framework.locate import closest, error_at, warning_at
from xlsxkit.framework.yamldoc import PathKey, YamlDocument, format_path
from xlsxkit.names import (
    RESERVED_SHEET_NAMES,
    make_sheet_names,
    normalise_label,
    sheet_name_problems,
)
from xlsxkit.problems import Problem

Rule = Callable[[YamlDocument, str], Iterator[Problem]]


def _items(doc: YamlDocument) -> Iterator[tuple[str, PathKey, dict[str, Any]]]:
    """Every id-bearing mapping with its kind and path, tolerant of wrong types."""
    for i, s in enumerate(_list(doc.data.get("stages"))):
        if isinstance(s, dict):
            yield "stage", ("stages", i), s
    for di, d in enumerate(_list(doc.data.get("dimensions"))):
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


def _ids(doc: YamlDocument, kind: str) -> list[str]:
    """The ids of every item of KIND, in file order, skipping ids that are not text."""
    return [i for k, _, item in _items(doc) if k == kind and isinstance(i := item.get("id"), str)]


def unique_ids(doc: YamlDocument, file: str) -> Iterator[Problem]:
    """Ids are unique across the whole file, whatever kind of item carries them."""
    seen: dict[str, PathKey] = {}
    for _kind, path, item in _items(doc):
        item_id = item.get("id")
        if not isinstance(item_id, str):
            continue
        if item_id in seen:
            first = seen[item_id]
            pos = doc.position((*first, "id"))
            yield error_at(
                doc,
                file,
                Code.DUPLICATE_ID,
                f"id '{item_id}' is already used at line {pos.line if pos else '?'} "
                f"({format_path((*first, 'id'))}): ids must be unique across the whole "
                "file",
                (*path, "id"),
            )
        else:
            seen[item_id] = path


def declared_action_stages(doc: YamlDocument, file: str) -> Iterator[Problem]:
    """Action groups are keyed by declared stages."""
    stage_ids = _ids(doc, "stage")
    for di, d in enumerate(_list(doc.data.get("dimensions"))):
        if not isinstance(d, dict):
            continue
        for ci, c in enumerate(_list(d.get("criteria"))):
            if not isinstance(c, dict) or not isinstance(c.get("actions"), dict):
                continue
            for stage_key in c["actions"]:
                if stage_key not in stage_ids:
                    declared = ", ".join(dict.fromkeys(stage_ids)) or "(none)"
                    yield error_at(
                        doc,
                        file,
                        Code.UNDECLARED_STAGE,
                        f"'{stage_key}' is not a declared stage"
                        f"{closest(stage_key, stage_ids)}; the stages are: {declared}",
                        ("dimensions", di, "criteria", ci, "actions", stage_key),
                        key=True,
                    )


def resolvable_references(doc: YamlDocument, file: str) -> Iterator[Problem]:
    """``same_as`` and ``see_also`` name another action of this file."""
    action_ids = set(_ids(doc, "action"))
    for kind, path, item in _items(doc):
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
                yield error_at(
                    doc, file, Code.SELF_REFERENCE, f"action '{ref}' refers to itself", ref_path
                )
            elif ref not in action_ids:
                yield error_at(
                    doc,
                    file,
                    Code.UNKNOWN_REFERENCE,
                    f"'{ref}' is not the id of an action in this file"
                    f"{closest(ref, sorted(action_ids))}",
                    ref_path,
                )


def distinguishable_stages(doc: YamlDocument, file: str) -> Iterator[Problem]:
    """Stage labels are unique, and distinguishable as a partner may type them."""
    by_form: dict[str, tuple[str, PathKey]] = {}
    for i, s in enumerate(_list(doc.data.get("stages"))):
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
                yield error_at(
                    doc,
                    file,
                    code,
                    f"stage {what} {value!r} cannot be told apart from {other} "
                    f"({format_path(other_path)}) when a partner types it: labels and ids "
                    "must differ by more than case, spaces and hyphens",
                    ("stages", i, what),
                )
            else:
                by_form[form] = (f"{value!r}", ("stages", i, what))


def sheet_names(doc: YamlDocument, file: str) -> Iterator[Problem]:
    """Warn where a dimension name cannot be its sheet's name as it is."""
    dims = [d for d in _list(doc.data.get("dimensions")) if isinstance(d, dict)]
    names = [str(d["name"]) if isinstance(d.get("name"), str) else "" for d in dims]
    final = make_sheet_names(names, reserved=RESERVED_SHEET_NAMES)
    for di, (d, name, sheet) in enumerate(zip(dims, names, final, strict=True)):
        if not isinstance(d.get("name"), str):
            continue
        reasons = sheet_name_problems(name)
        if reasons or sheet != name:
            why = "; ".join(reasons) if reasons else "another sheet already has this name"
            yield warning_at(
                doc,
                file,
                Code.SHEET_NAME,
                f"dimension name {name!r} cannot be an Excel sheet name as it is ({why}); "
                f"its sheet will be called {sheet!r}",
                ("dimensions", di, "name"),
            )


def stage_labels_spreadsheets_keep(doc: YamlDocument, file: str) -> Iterator[Problem]:
    """Warn where a spreadsheet app would turn a picked stage label into a formula or number."""
    for i, s in enumerate(_list(doc.data.get("stages"))):
        if not isinstance(s, dict) or not isinstance(s.get("label"), str):
            continue
        label = s["label"].strip()
        if label[:1] in ("=", "+", "-", "@"):
            yield warning_at(
                doc,
                file,
                Code.STAGE_LABEL_FORMULA,
                f"stage label {label!r} starts with {label[0]!r}; spreadsheet apps may "
                "read it as a formula when a partner picks it. Reword it.",
                ("stages", i, "label"),
            )
        elif _looks_numeric(label):
            yield warning_at(
                doc,
                file,
                Code.STAGE_LABEL_NUMBER,
                f"stage label {label!r} looks like a number or TRUE/FALSE; spreadsheet "
                "apps may change it when a partner picks it. Use words.",
                ("stages", i, "label"),
            )


#: Every rule, in the order its problems are reported: errors first, then Excel warnings.
RULES: tuple[Rule, ...] = (
    unique_ids,
    declared_action_stages,
    resolvable_references,
    distinguishable_stages,
    sheet_names,
    stage_labels_spreadsheets_keep,
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
