"""The fast schema check (xlsxkit/framework/schema_fast.py) agrees with jsonschema.

It may only ever say "valid" when jsonschema, run as the schema pass runs it (Draft 2020-12),
finds no error: on valid frameworks of every shape, on frameworks broken in one place, and on
schema.json edited (bounds changed, rules dropped or added, keywords it does not implement,
which must make it refuse so that jsonschema decides)."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.frameworks_st import framework_docs, fw_text
from xlsxkit import resources
from xlsxkit.framework.schema_fast import compile_schema
from xlsxkit.framework.schema_pass import load_schema, schema_problems
from xlsxkit.framework.yamldoc import load_yaml

SCHEMA: dict[str, Any] = json.loads(resources.schema_path().read_text(encoding="utf-8"))
Path_ = tuple[str | int, ...]


def jsonschema_valid(schema: object, data: object) -> bool:
    return not any(True for _ in jsonschema.Draft202012Validator(schema).iter_errors(data))


def fast_valid(schema: object, data: object) -> bool | None:
    check = compile_schema(schema)
    return None if check is None else check(data)


ids = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)


@st.composite
def full_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid framework with the optional fields too (sources, colours, details,
    same_as, see_also, guidance)."""
    doc = draw(framework_docs(max_dimensions=2))
    text = fw_text.filter(lambda t: bool(t.strip()))
    if draw(st.booleans()):
        doc["framework"]["source"] = draw(text)
        doc["framework"]["description"] = draw(text)
        doc["$schema"] = "./schema.json"
    for stage in doc["stages"]:
        if draw(st.booleans()):
            stage["colour"] = draw(st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True))
            stage["description"] = draw(text)
    for dim in doc["dimensions"]:
        if draw(st.booleans()):
            dim["description"] = draw(text)
        for crit in dim["criteria"]:
            if draw(st.booleans()):
                crit["guidance"] = draw(text)
            for group in crit["actions"].values():
                for action in group:
                    if draw(st.booleans()):
                        action["details"] = draw(st.lists(text, max_size=3))
                        action["same_as"] = draw(ids)
                        action["see_also"] = draw(st.lists(ids, max_size=3, unique=True))
                        action["guidance"] = draw(text)
    return doc


def paths(value: object, here: Path_ = ()) -> list[Path_]:
    out = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*here, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += paths(item, (*here, i))
    return out


def get(value: Any, path: Path_) -> Any:
    for part in path:
        value = value[part]
    return value


#: What a value may be replaced with: values of every kind YAML read as text gives, and a
#: few it never gives (numbers, booleans), wrong in as many ways as the schema has rules.
replacements = st.one_of(
    st.sampled_from(
        [None, "", " ", "\t", "x", "Bad Id", "bad--id", "-x", "#12345", "#GGGGGG", "#123456"]
    ),
    st.sampled_from([[], {}, ["a", "a"], ["a"], {"x": "y"}, 0, 1, True, False]),
    st.text(max_size=3),
    st.integers(0, 2100).map(lambda n: "y" * n),
    st.integers(0, 70).map(lambda n: "a" * n),
)


@st.composite
def mutated_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid framework broken (or not) at one place chosen at random."""
    doc = draw(full_docs())
    path = draw(st.sampled_from(paths(doc)))
    how = draw(st.sampled_from(["replace", "delete", "add", "repeat", "grow"]))
    if not path:
        return doc if how != "replace" else draw(replacements)
    parent = get(doc, path[:-1])
    key = path[-1]
    if how == "replace":
        parent[key] = draw(replacements)
    elif how == "delete":
        del parent[key]
    elif how == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["extra", "Id", "ids", "s1", "Bad Key", "", "1"]))] = draw(
            st.one_of(replacements, st.just([{"id": "x", "text": "y"}]))
        )
    elif how == "repeat" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif how == "grow" and isinstance(parent[key], list):
        parent[key] = parent[key] * draw(st.sampled_from([2, 4, 8, 13, 101, 201]))
    return doc


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(full_docs())
def test_the_fast_check_accepts_every_valid_framework(doc: dict[str, Any]) -> None:
    assert jsonschema_valid(SCHEMA, doc)
    assert fast_valid(SCHEMA, doc) is True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_docs())
def test_the_fast_check_agrees_with_jsonschema_on_broken_frameworks(doc: Any) -> None:
    assert fast_valid(SCHEMA, doc) is jsonschema_valid(SCHEMA, doc)


@settings(max_examples=40, deadline=None)
@given(full_docs(), st.floats(allow_nan=False), st.data())
def test_a_value_yaml_never_gives_is_left_to_jsonschema(
    doc: dict[str, Any], number: float, data: st.DataObject
) -> None:
    # 1.0 is an integer to jsonschema: rather than copy that rule, the check defers.
    path = data.draw(st.sampled_from(paths(doc)[1:]))
    parent = get(doc, path[:-1])
    parent[path[-1]] = number
    assert fast_valid(SCHEMA, doc) is False


# --------------------------------------------------------------------------------------
# schema.json edited


def subschemas(schema: object, here: Path_ = ()) -> list[Path_]:
    """The paths of every subschema (a dict that is a schema, not a properties table)."""
    out: list[Path_] = []
    if isinstance(schema, dict):
        out.append(here)
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    out += subschemas(sub, (*here, key, name))
            elif key in ("items", "additionalProperties", "propertyNames"):
                out += subschemas(value, (*here, key))
    return out


#: Edits a coordinator or developer might make to one subschema of schema.json.
EDITS: list[tuple[str, object]] = [
    ("maxItems", 1),
    ("maxItems", 0),
    ("minItems", 3),
    ("maxLength", 3),
    ("minLength", 5),
    ("pattern", "^[a-z]+$"),
    ("pattern", "^d"),
    ("type", "string"),
    ("type", ["string", "null"]),
    ("type", "object"),
    ("type", "array"),
    ("required", ["id", "colour"]),
    ("required", []),
    ("additionalProperties", True),
    ("additionalProperties", False),
    ("additionalProperties", {"type": "string"}),
    ("propertyNames", {"maxLength": 2}),
    ("propertyNames", False),
    ("uniqueItems", True),
    ("uniqueItems", False),
    ("items", {"type": "object"}),
    ("items", True),
    ("items", False),
    ("$comment", "edited"),
    ("(drop)", None),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated_docs(), full_docs()), st.data())
def test_the_fast_check_follows_an_edited_schema(doc: Any, data: st.DataObject) -> None:
    schema = copy.deepcopy(SCHEMA)
    where = data.draw(st.sampled_from(subschemas(schema)))
    sub = get(schema, where)
    keyword, value = data.draw(st.sampled_from(EDITS))
    if keyword == "(drop)":
        if sub:
            del sub[data.draw(st.sampled_from(sorted(sub)))]
    else:
        sub[keyword] = copy.deepcopy(value)
    assert fast_valid(schema, doc) is jsonschema_valid(schema, doc)


@pytest.mark.parametrize(
    "keyword, value",
    [
        ("enum", ["a", "b"]),
        ("const", "x"),
        ("format", "email"),
        ("$ref", "#/properties/framework"),
        ("$defs", {}),
        ("allOf", [{"type": "string"}]),
        ("anyOf", [{"type": "string"}]),
        ("oneOf", [{"type": "string"}]),
        ("not", {"type": "object"}),
        ("if", {"type": "object"}),
        ("patternProperties", {"^x": {}}),
        ("prefixItems", [{"type": "string"}]),
        ("unevaluatedProperties", False),
        ("minProperties", 1),
        ("dependentRequired", {"a": ["b"]}),
        ("$schema", "http://json-schema.org/draft-07/schema#"),
        ("minLength", -1),
        ("minLength", 1.5),
        ("maxItems", True),
        ("pattern", "("),
        ("pattern", 5),
        ("type", "text"),
        ("type", []),
        ("required", "id"),
        ("uniqueItems", "yes"),
        ("properties", ["id"]),
    ],
)
def test_a_keyword_the_fast_check_does_not_implement_makes_it_refuse(
    keyword: str, value: object
) -> None:
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["stages"]["items"]["properties"]["id"][keyword] = value
    assert compile_schema(schema) is None


def test_an_unknown_keyword_hands_the_decision_to_jsonschema() -> None:
    # schema.json edited to allow only two stage ids: the fast check does not know "enum",
    # so jsonschema decides, and its error reaches the report in words.
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["stages"]["items"]["properties"]["id"]["enum"] = ["low", "high"]
    text = (resources.bundled_framework()).read_text(encoding="utf-8")
    doc, problems = load_yaml(text, "framework.yaml")
    assert doc is not None and not problems
    assert list(schema_problems(doc, "framework.yaml")) == []
    found = list(schema_problems(doc, "framework.yaml", schema=schema))
    assert found and {p.code.value for p in found} == {"schema"}
    assert all(p.location.path.startswith("stages[") for p in found)


def test_the_bundled_schema_is_one_the_fast_check_implements() -> None:
    # Otherwise every validate would pay for jsonschema again.
    assert compile_schema(load_schema()) is not None


def test_a_broken_framework_still_gets_jsonschemas_findings_in_words() -> None:
    text = resources.bundled_framework().read_text(encoding="utf-8")
    doc, _ = load_yaml(text.replace("title:", "titel:", 1), "framework.yaml")
    assert doc is not None
    found = [p.render() for p in schema_problems(doc, "framework.yaml")]
    assert any("unknown field 'titel'" in line for line in found), found
    assert any("missing required field 'title'" in line for line in found), found
