"""Load a YAML document with the line and column of every value and key.

Framework files are written by people, not programs, so this loader is deliberately plain:
every scalar is read as text (``version: 1.0`` stays ``"1.0"``, ``no`` stays ``"no"``),
an empty value is ``None``, duplicate keys are reported rather than silently overwritten,
and aliases cannot blow the document up.

The document is parsed by libyaml when PyYAML has it (twenty times faster than the
pure-Python parser, which is most of ``xlsxkit validate``'s own time), but only where both
parse alike: on any error, on text that holds a tab, a byte-order mark, a tag, a directive
or a lone '?' (a complex key), and on a flow collection (``[a, b]``) holding a plain value
with an indicator in it (libyaml accepts tabs in values, tag handles such as ``!~!`` and
``[why?]``, and places a few marks elsewhere), the pure-Python parser reads it again, so
every message and every line and column stays the pure-Python parser's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from xlsxkit.codes import Code
from xlsxkit.problems import Problem, error

PathKey = tuple[str | int, ...]

#: Bound on how many values a document may expand to (guards against alias bombs).
MAX_NODES = 200_000

_NULLS = {"", "~", "null", "Null", "NULL"}

_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
#: Text libyaml may read differently: a tab, a byte-order mark, a '!' that may start a tag
#: (one not inside a word), a '%' that may start a directive, a '?' standing alone (a
#: complex key: libyaml places an empty one at the end of the text elsewhere). Framework
#: files rarely hold any.
_NOT_FOR_LIBYAML = re.compile(r"[\t\ufeff]|(?<!\w)!|^%|(?<!\S)\?(?!\S)", re.MULTILINE)
#: A plain value inside a flow collection that both parsers read alike: no flow indicator,
#: no '?', ':' or '#' in it, not starting with '-'.
_PLAIN_IN_FLOW = re.compile(r"[^\-?:,\[\]{}#][^?:,\[\]{}#]*")


@dataclass(frozen=True, kw_only=True, slots=True)
class Position:
    """Where a value or key starts in the file."""

    line: int  # 1-based
    column: int  # 1-based


@dataclass(kw_only=True)
class YamlDocument:
    """The parsed document, with the position of every value and key by its path."""

    data: Any
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def position(self, path: PathKey, *, key: bool = False) -> Position | None:
        """Position of the value at PATH (or of its key), else of the nearest parent."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in self.values:
                return self.values[path]
        return self.values.get(())


def format_path(path: PathKey) -> str:
    """``('dimensions', 0, 'criteria', 1, 'id')`` -> ``dimensions[0].criteria[1].id``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("-", "").replace("_", "").replace("$", "").isalnum():
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(top level)"


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.doc = YamlDocument(data=None)
        self.problems: list[Problem] = []
        self.count = 0
        self.stack: set[int] = set()

    @staticmethod
    def _pos(node: yaml.Node) -> Position:
        return Position(line=node.start_mark.line + 1, column=node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node)
        self.doc.values[path] = self._pos(node)
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.value in _NULLS:  # plain: None, or "" from libyaml
                return None
            return str(node.value)
        if id(node) in self.stack:
            raise _TooBig(node)
        self.stack.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
        finally:
            self.stack.discard(id(node))
        return None  # pragma: no cover - PyYAML has only three node kinds

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
            else:
                key = f"<{type(key_node).__name__}>"
            key_pos = self._pos(key_node)
            child = (*path, key)
            if key in out:
                first = self.doc.keys[child]
                self.problems.append(
                    error(
                        Code.DUPLICATE_KEY,
                        f"duplicate key '{key}' (first given at line {first.line}): "
                        "remove or rename one of them",
                        file=self.file,
                        line=key_pos.line,
                        column=key_pos.column,
                        path=format_path(child),
                    )
                )
                continue
            self.doc.keys[child] = key_pos
            out[key] = self.build(value_node, child)
        return out


class _TooBig(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def load_yaml(text: str, file: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse TEXT. Returns the document (None on a syntax error) and the problems found."""
    builder = _Builder(file)
    try:
        nodes = compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{what} ({exc.context})"
        hint = _syntax_hint(what)
        return None, [
            error(
                Code.YAML_SYNTAX,
                f"YAML syntax error: {what}{hint}",
                file=file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ]
    except yaml.YAMLError as exc:
        return None, [error(Code.YAML_SYNTAX, f"YAML syntax error: {exc}", file=file)]
    except RecursionError:
        return None, [_too_deep(file)]
    if len(nodes) > 1:
        second = nodes[1]
        return None, [
            error(
                Code.YAML_MULTIPLE_DOCUMENTS,
                "the file holds more than one YAML document (a line '---' starts another): "
                "keep one framework per file",
                file=file,
                line=second.start_mark.line + 1,
                column=second.start_mark.column + 1,
            )
        ]
    if not nodes:
        builder.doc.data = None
        return builder.doc, []
    try:
        builder.doc.data = builder.build(nodes[0], ())
    except RecursionError:
        return None, [_too_deep(file)]
    except _TooBig as exc:
        pos = builder._pos(exc.node)
        return None, [
            error(
                Code.YAML_TOO_LARGE,
                "the document expands to too many values (recursive or repeated aliases?): "
                "write the values out instead of using '*' aliases",
                file=file,
                line=pos.line,
                column=pos.column,
            )
        ]
    return builder.doc, builder.problems


def _too_deep(file: str) -> Problem:
    """Both parsers and the builder recurse once per level of nesting: a file nested
    hundreds of levels deep (an unclosed ``[`` repeated, say) exhausts Python's stack."""
    return error(
        Code.YAML_TOO_DEEP,
        "the file nests lists or mappings hundreds of levels deep, too deep to read (a "
        "framework nests five): look for unclosed or repeated '[' or '{', or lines indented "
        "further and further",
        file=file,
    )


def compose(text: str) -> list[yaml.Node]:
    """The node trees of TEXT's documents, as the pure-Python parser composes them."""
    if _FAST_LOADER is not None and not _NOT_FOR_LIBYAML.search(text):
        try:
            nodes = list(yaml.compose_all(text, Loader=_FAST_LOADER))
        except Exception:  # the pure-Python parser below says what is wrong
            pass
        else:
            if _flows_read_alike(nodes):
                return nodes
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def _flows_read_alike(nodes: list[yaml.Node]) -> bool:
    """Whether every plain value inside a flow collection is one both parsers read alike."""
    stack: list[tuple[yaml.Node, bool]] = [(n, False) for n in nodes]
    seen: set[tuple[int, bool]] = set()  # each node once: aliases must not multiply the walk
    while stack:
        node, in_flow = stack.pop()
        if (id(node), in_flow) in seen:
            continue
        seen.add((id(node), in_flow))
        if isinstance(node, yaml.ScalarNode):
            if in_flow and not node.style and not _PLAIN_IN_FLOW.fullmatch(node.value):
                return False
            continue
        if isinstance(node, yaml.SequenceNode):
            inner = in_flow or bool(node.flow_style)
            stack.extend((item, inner) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            inner = in_flow or bool(node.flow_style)
            for key, value in node.value:
                stack += [(key, inner), (value, inner)]
    return True


def _syntax_hint(what: str) -> str:
    if "mapping values are not allowed" in what or "expected <block end>" in what:
        return "; check the indentation of this line against the lines above it"
    if "found character '\\t'" in what:
        return "; YAML does not allow tabs for indentation: use spaces"
    if "could not find expected ':'" in what:
        return "; a line is missing the ':' after its key, or a quoted text is not closed"
    return ""
