"""The JSON Schema pass: validate the document against ``schema.json`` and say it in words.

jsonschema's own messages ("'x' is not of type 'object'") are for programmers; the
coordinator editing ``framework.yaml`` needs the field, the line, and what to type instead.
Each keyword the schema uses is translated here into one located :class:`Problem`; a
keyword the schema does not use cannot appear, so the fallback only guards a schema edit.

jsonschema is imported only when a document may have a problem: a valid document is
recognised by :mod:`xlsxkit.framework.schema_fast` (which knows exactly the keywords the
schema uses, and defers to jsonschema on anything else), so ``xlsxkit validate`` of a valid
framework does not pay jsonschema's start-up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from xlsxkit import resources
from xlsxkit.codes import Code
from xlsxkit.framework.locate import closest, error_at
from xlsxkit.framework.schema_fast import Check, compile_schema
from xlsxkit.framework.yamldoc import PathKey, YamlDocument
from xlsxkit.problems import Problem

if TYPE_CHECKING:
    import jsonschema


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    with resources.schema_path().open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


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


@lru_cache(maxsize=1)
def _fast_check() -> Check | None:
    return compile_schema(load_schema())


def schema_problems(
    doc: YamlDocument, file: str, *, schema: dict[str, Any] | None = None
) -> Iterator[Problem]:
    """The problems of DOC against SCHEMA (default: the bundled ``schema.json``)."""
    check = _fast_check() if schema is None else compile_schema(schema)
    if check is not None and check(doc.data):
        return  # jsonschema would find nothing either (see schema_fast)
    import jsonschema  # only now: see the module docstring

    validator = jsonschema.Draft202012Validator(load_schema() if schema is None else schema)
    for err in validator.iter_errors(doc.data):
        yield from _translate(doc, file, err)


def _translate(doc: YamlDocument, file: str, err: jsonschema.ValidationError) -> Iterator[Problem]:
    path: PathKey = tuple(err.absolute_path)
    kind = err.validator
    schema = err.schema if isinstance(err.schema, dict) else {}
    title = schema.get("title", "this value")
    inst: Any = err.instance
    rule: Any = err.validator_value
    if kind == "required":
        missing = [r for r in rule if isinstance(inst, dict) and r not in inst]
        for field_name in missing:
            yield error_at(
                doc,
                file,
                Code.MISSING_FIELD,
                f"missing required field '{field_name}': add '{field_name}:' here",
                path,
            )
    elif kind == "additionalProperties" and isinstance(inst, dict):
        allowed = list(schema.get("properties", {}))
        for extra in [k for k in inst if k not in allowed]:
            yield error_at(
                doc,
                file,
                Code.UNKNOWN_FIELD,
                f"unknown field '{extra}'{closest(extra, allowed)}; "
                f"allowed here: {', '.join(allowed)}",
                (*path, extra),
                key=True,
            )
    elif kind == "propertyNames":
        yield error_at(
            doc,
            file,
            Code.INVALID_ID,
            f"'{inst}' is not a valid stage id: use lowercase letters, digits and single hyphens",
            (*path, inst) if isinstance(inst, str) else path,
            key=True,
        )
    elif kind == "type":
        words = _TYPE_WORDS.get(str(rule), str(rule))
        yield error_at(
            doc,
            file,
            Code.WRONG_TYPE,
            f"{title} should be {words}, but it is {_describe_value(inst)}",
            path,
        )
    elif kind == "pattern":
        if inst == "" and schema.get("minLength"):
            return  # reported once, as empty
        yield error_at(doc, file, Code.INVALID_VALUE, _pattern_message(title, inst, schema), path)
    elif kind == "minLength":
        yield error_at(doc, file, Code.EMPTY_VALUE, f"{title} must not be empty", path)
    elif kind == "maxLength":
        yield error_at(
            doc,
            file,
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
        yield error_at(doc, file, code, f"{title} {bound} {rule}, but has {n}", path)
    elif kind == "uniqueItems":
        yield error_at(
            doc, file, Code.REPEATED_ITEM, f"{title} lists the same id more than once", path
        )
    else:  # pragma: no cover - the schema uses only the keywords above
        yield error_at(doc, file, Code.SCHEMA, err.message, path)


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
