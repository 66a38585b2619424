"""Every kind of invalid framework file is reported, each problem located by line."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.fwtools import minimal, write
from xlsxkit.framework.load import content_hash, load_framework, parse_framework
from xlsxkit.problems import Problem


def problems(path: Path) -> list[Problem]:
    return load_framework(path).report.problems


def only(found: list[Problem], code: str) -> list[Problem]:
    return [p for p in found if p.location and p.code == code]


def test_minimal_is_valid(tmp_path: Path) -> None:
    result = load_framework(write(tmp_path, minimal()))
    assert result.ok
    assert result.framework is not None
    assert result.framework.counts == {"dimensions": 1, "criteria": 1, "stages": 2, "actions": 2}


def test_bad_indentation_is_located(tmp_path: Path) -> None:
    text = 'framework: {id: demo, title: Demo, version: "1"}\nstages:\n  - id: a\n   label: A\n'
    [p] = problems(write(tmp_path, text))
    assert p.code == "yaml-syntax"
    assert (p.location.line, p.location.column) == (4, 4)
    assert "indentation" in p.message


def test_tab_indentation(tmp_path: Path) -> None:
    [p] = problems(write(tmp_path, "framework:\n\tid: demo\n"))
    assert p.code == "yaml-syntax"
    assert p.location.line == 2
    assert "tabs" in p.message


def test_duplicate_key(tmp_path: Path) -> None:
    text = (
        'framework: {id: demo, title: Demo, version: "1"}\n'
        "stages:\n"
        "  - {id: low, label: Low}\n"
        "  - {id: high, label: High}\n"
        "stages: []\n"
        "dimensions: []\n"
    )
    found = problems(write(tmp_path, text))
    [dup] = only(found, "duplicate-key")
    assert (dup.location.line, dup.location.column) == (5, 1)
    assert "first given at line 2" in dup.message


def test_duplicate_id_across_kinds(tmp_path: Path) -> None:
    doc = minimal()
    doc["dimensions"][0]["criteria"][0]["actions"]["high"][0]["id"] = "people"
    path = write(tmp_path, doc)
    [p] = only(problems(path), "duplicate-id")
    line = path.read_text().splitlines()[p.location.line - 1]
    assert "id: people" in line
    assert p.location.path == "dimensions[0].criteria[0].actions.high[0].id"
    assert "already used at line" in p.message


def test_action_under_undeclared_stage(tmp_path: Path) -> None:
    doc = minimal()
    doc["dimensions"][0]["criteria"][0]["actions"]["hgh"] = [{"id": "x", "text": "y"}]
    path = write(tmp_path, doc)
    [p] = only(problems(path), "undeclared-stage")
    assert path.read_text().splitlines()[p.location.line - 1].strip() == "hgh:"
    assert "did you mean 'high'" in p.message
    assert "low, high" in p.message


def test_broken_file_reports_every_problem(tmp_path: Path) -> None:
    doc = minimal()
    crit = doc["dimensions"][0]["criteria"][0]
    crit["actions"]["medium"] = [{"id": "act-one", "text": "again"}]
    crit["text"] = ""
    doc["framework"]["colour"] = "red"
    found = problems(write(tmp_path, doc))
    codes = sorted(p.code for p in found)
    assert codes == ["duplicate-id", "empty-value", "undeclared-stage", "unknown-field"]
    assert all(p.location.line for p in found)


@pytest.mark.parametrize(
    ("mutate", "code", "path"),
    [
        (lambda d: d["framework"].pop("title"), "missing-field", "framework"),
        (lambda d: d["stages"].pop(), "too-few", "stages"),
        (lambda d: d.__setitem__("stages", "low, high"), "wrong-type", "stages"),
        (
            lambda d: d["stages"][0].__setitem__("id", "Low Stage"),
            "invalid-value",
            "stages[0].id",
        ),
        (
            lambda d: d["stages"][0].__setitem__("colour", "green"),
            "invalid-value",
            "stages[0].colour",
        ),
        (
            lambda d: d["dimensions"][0]["criteria"][0].__setitem__("txt", "typo"),
            "unknown-field",
            "dimensions[0].criteria[0].txt",
        ),
        (
            lambda d: d["dimensions"][0]["criteria"][0]["actions"]["low"][0].__setitem__(
                "see_also", ["nowhere"]
            ),
            "unknown-reference",
            "dimensions[0].criteria[0].actions.low[0].see_also[0]",
        ),
        (
            lambda d: d["dimensions"][0]["criteria"][0]["actions"]["low"][0].__setitem__(
                "same_as", "act-one"
            ),
            "self-reference",
            "dimensions[0].criteria[0].actions.low[0].same_as",
        ),
        (
            lambda d: d["dimensions"][0]["criteria"][0]["actions"]["low"][0].__setitem__(
                "see_also", ["crit-one"]
            ),
            "unknown-reference",
            "dimensions[0].criteria[0].actions.low[0].see_also[0]",
        ),
        (
            lambda d: d["stages"][1].__setitem__("label", "LOW"),
            "duplicate-stage-label",
            "stages[1].label",
        ),
        (
            lambda d: d["stages"][1].__setitem__("label", "low stage"),
            None,
            None,
        ),
        (
            lambda d: d["stages"].append({"id": "top", "label": "High"}),
            "duplicate-stage-label",
            "stages[2].label",
        ),
        (
            lambda d: d["stages"][1].__setitem__("label", "Low "),
            "duplicate-stage-label",
            "stages[1].label",
        ),
        (
            lambda d: d["stages"].extend({"id": f"s{i}", "label": f"S{i}"} for i in range(6)),
            "too-many",
            "stages",
        ),
        (lambda d: d["dimensions"].clear(), "too-few", "dimensions"),
        (
            lambda d: d["dimensions"][0]["criteria"][0].__setitem__("actions", []),
            "wrong-type",
            "dimensions[0].criteria[0].actions",
        ),
    ],
)
def test_each_invalid_kind_is_located(tmp_path: Path, mutate, code, path) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(minimal())
    mutate(doc)
    file = write(tmp_path, doc)
    found = [p for p in problems(file) if p.is_error]
    if code is None:
        assert found == []
        return
    assert (code, path) in [(p.code, p.location.path) for p in found]
    # Follow-on problems are allowed (a removed stage leaves its actions undeclared), but
    # every problem must be located.
    assert all(p.location.line and p.location.file == str(file) for p in found)


def test_empty_file(tmp_path: Path) -> None:
    [p] = problems(write(tmp_path, ""))
    assert p.code == "not-a-framework"
    assert p.location.line == 1


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("framework:\n  title: caf\xe9\n".encode("latin-1"))
    [p] = problems(path)
    assert p.code == "not-utf8"
    assert (p.location.line, p.location.column) == (2, 13)


def test_missing_file(tmp_path: Path) -> None:
    [p] = problems(tmp_path / "nope.yaml")
    assert p.code == "file-not-found"


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    [p] = problems(write(tmp_path, "\n".join(lines) + "\n"))
    assert p.code == "yaml-too-large"


def test_multiple_documents(tmp_path: Path) -> None:
    [p] = problems(write(tmp_path, "a: 1\n---\nb: 2\n"))
    assert p.code == "yaml-multiple-documents"
    assert p.location.line == 3


def test_scalars_stay_text(tmp_path: Path) -> None:
    text = write(tmp_path, minimal()).read_text().replace("version: '1'", "version: 1.10")
    result = parse_framework(text)
    assert result.framework is not None
    assert result.framework.version == "1.10"


def test_sheet_name_warnings_do_not_fail(tmp_path: Path) -> None:
    doc = minimal()
    doc["dimensions"][0]["name"] = "Roles/Responsibilities: [all] staff and volunteers"
    doc["dimensions"].append(
        {
            "id": "history",
            "name": "History",
            "criteria": [{"id": "c2", "text": "t", "actions": {}}],
        }
    )
    result = load_framework(write(tmp_path, doc))
    assert result.ok
    warnings = [p for p in result.report.problems if not p.is_error]
    assert [p.location.path for p in warnings] == ["dimensions[0].name", "dimensions[1].name"]
    assert "'Roles-Responsibilities- -all- s'" in warnings[0].message
    assert "History" in warnings[1].message


def test_stage_label_that_looks_like_a_formula_warns(tmp_path: Path) -> None:
    doc = minimal()
    doc["stages"][0]["label"] = "=Low"
    result = load_framework(write(tmp_path, doc))
    assert result.ok
    assert [p.code for p in result.report.warnings] == ["stage-label-formula"]


def test_content_hash_ignores_formatting_but_not_wording(tmp_path: Path) -> None:
    doc = minimal()
    a = load_framework(write(tmp_path, doc, "a.yaml")).framework
    text = "# a comment\n" + write(tmp_path, doc, "b.yaml").read_text()
    b = parse_framework(text).framework
    doc["dimensions"][0]["criteria"][0]["text"] = "Criterion one!"
    c = load_framework(write(tmp_path, doc, "c.yaml")).framework
    assert a is not None and b is not None and c is not None
    assert a.content_hash == b.content_hash == content_hash(minimal())
    assert c.content_hash != a.content_hash


def test_actions_are_in_stage_order_whatever_the_key_order(tmp_path: Path) -> None:
    doc = minimal()
    crit = doc["dimensions"][0]["criteria"][0]
    crit["actions"] = {"high": crit["actions"]["high"], "low": crit["actions"]["low"]}
    fw = load_framework(write(tmp_path, doc)).framework
    assert fw is not None
    assert [a.stage_id for a in fw.actions] == ["low", "high"]
