"""A fast yes-or-"ask jsonschema" check of a document against ``schema.json``.

Importing jsonschema costs more than everything else ``xlsxkit validate`` does (about 70 ms of
a 120 ms budget, most of it in ``referencing`` and the format checkers), yet a valid
framework needs none of its messages. So the schema pass first asks this module, which
understands exactly the keywords ``schema.json`` uses, and runs jsonschema only when the
answer is not a plain yes: the document breaks a rule, or the schema uses a keyword this
module does not implement (someone edited ``schema.json``). Every message therefore still
comes from jsonschema, and ``schema.json`` still decides what is valid, whatever it says.

The answer is one-sided on purpose: :func:`compile_schema` returns a check that says True
only when jsonschema (Draft 2020-12, as :mod:`xlsxkit.framework.schema_pass` runs it) would
report no error; whenever it is not sure (a keyword it does not know, a keyword value of an
unexpected type, an instance of a type YAML text never produces) it says False or refuses
to compile, and the slow path decides. tests/test_schema_fast.py holds it to jsonschema on
valid and mutated frameworks and on edited schemas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

#: A compiled check: True when the instance certainly satisfies the schema.
Check = Callable[[object], bool]

#: Keywords that never change whether an instance is valid (the schema pass runs the
#: validator with no format checker, and the schema has no ``$ref`` for ``$id`` to affect).
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "$comment",
        "$id",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)


class _Unsupported(Exception):
    """The schema uses something this module does not implement: use jsonschema."""


def compile_schema(schema: object) -> Check | None:
    """The check for SCHEMA (a parsed JSON Schema), or None when it uses a keyword or a
    keyword value this module does not implement."""
    if isinstance(schema, dict) and "$schema" in schema:
        # The dialect is chosen by the schema pass (Draft 2020-12), not by "$schema"; it is
        # an annotation at the root only (in a subschema it would start an embedded resource).
        schema = {k: v for k, v in schema.items() if k != "$schema"}
    try:
        return _compile(schema)
    except _Unsupported:
        return None


def _always(instance: object) -> bool:
    return True


def _never(instance: object) -> bool:
    return False


def _count(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _Unsupported


#: JSON Schema type name -> is the instance of that type (exactly jsonschema's rules for the
#: values a YAML document read as text holds: str, None, list, dict; see _plain below).
_TYPES: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}


def _plain(value: object) -> bool:
    # A float such as 1.0 is an "integer" to jsonschema; rather than copy that rule, any
    # value beyond these types is left to jsonschema (YAML read as text never makes one).
    return value is None or isinstance(value, str | list | dict | bool | int)


def _compile(schema: object) -> Check:
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, dict):
        raise _Unsupported
    checks: list[Check] = []
    known = set(_ANNOTATIONS)
    if "type" in schema:
        checks.append(_type(schema["type"]))
    if "required" in schema:
        checks.append(_required(schema["required"]))
    if "properties" in schema or "additionalProperties" in schema:
        checks.append(_properties(schema.get("properties", {}), schema.get("additionalProperties")))
    if "propertyNames" in schema:
        checks.append(_property_names(_compile(schema["propertyNames"])))
    if "items" in schema:
        checks.append(_items(_compile(schema["items"])))
    if "minItems" in schema or "maxItems" in schema:
        checks.append(_length(list, schema.get("minItems"), schema.get("maxItems")))
    if "minLength" in schema or "maxLength" in schema:
        checks.append(_length(str, schema.get("minLength"), schema.get("maxLength")))
    if "pattern" in schema:
        checks.append(_pattern(schema["pattern"]))
    if "uniqueItems" in schema:
        checks.append(_unique(schema["uniqueItems"]))
    known |= {
        "type",
        "required",
        "properties",
        "additionalProperties",
        "propertyNames",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
        "uniqueItems",
    }
    if not set(schema) <= known:
        raise _Unsupported

    def check(instance: object) -> bool:
        return _plain(instance) and all(c(instance) for c in checks)

    return check


def _type(value: object) -> Check:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        raise _Unsupported
    tests = []
    for name in names:
        if not isinstance(name, str) or name not in _TYPES:
            raise _Unsupported
        tests.append(_TYPES[name])
    return lambda v: any(t(v) for t in tests)


def _required(value: object) -> Check:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise _Unsupported
    names = tuple(value)
    return lambda v: not isinstance(v, dict) or all(k in v for k in names)


def _properties(properties: object, additional: object) -> Check:
    if not isinstance(properties, dict):
        raise _Unsupported
    known = {name: _compile(sub) for name, sub in properties.items()}
    rest = _always if additional is None else _compile(additional)

    def check(v: object) -> bool:
        if not isinstance(v, dict):
            return True
        for key, item in v.items():
            sub = known.get(key, rest)
            if not sub(item):
                return False
        return True

    return check


def _property_names(names: Check) -> Check:
    return lambda v: not isinstance(v, dict) or all(names(k) for k in v)


def _items(item: Check) -> Check:
    return lambda v: not isinstance(v, list) or all(item(x) for x in v)


def _length(kind: type[str] | type[list[Any]], low: object, high: object) -> Check:
    lo = 0 if low is None else _count(low)
    hi = None if high is None else _count(high)

    def check(v: object) -> bool:
        if not isinstance(v, kind):
            return True
        # jsonschema counts len(): code points for a string, items for an array, as here.
        return lo <= len(v) and (hi is None or len(v) <= hi)

    return check


def _pattern(value: object) -> Check:
    if not isinstance(value, str):
        raise _Unsupported
    try:
        search = re.compile(value).search  # jsonschema uses re.search, unanchored, too
    except re.error:
        raise _Unsupported from None
    return lambda v: not isinstance(v, str) or search(v) is not None


def _unique(value: object) -> Check:
    if not isinstance(value, bool):
        raise _Unsupported
    if not value:
        return _always

    def check(v: object) -> bool:
        if not isinstance(v, list):
            return True
        try:
            keys = {_key(x) for x in v}
        except _Unsupported:
            return False
        return len(keys) == len(v)

    return check


def _key(value: object) -> Hashable:
    """A key equal for two values exactly when jsonschema's equality holds: true is not 1,
    lists and objects compare item by item. A value of another type is left to jsonschema."""
    if isinstance(value, str):
        return ("s", value)
    if value is None or isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int):
        return ("i", value)
    if isinstance(value, list):
        return ("l", tuple(_key(x) for x in value))
    if isinstance(value, dict):
        return ("d", frozenset((k, _key(x)) for k, x in value.items()))
    raise _Unsupported
