"""The YAML loader parses with libyaml for speed, yet every document comes out as the
pure-Python parser composes it: the same values, styles, lines and columns, and on any
error the pure-Python parser's own error (so every message of ``xlsxkit validate`` stays)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlsxkit import resources
from xlsxkit.framework import yamldoc
from xlsxkit.framework.yamldoc import compose, load_yaml

Tree = tuple[Any, ...]


def tree(node: yaml.Node) -> Tree:
    """What the loader reads from a node: kind, value, style (None for plain, which libyaml
    gives as ""), line and column, recursively."""
    mark = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.value, node.style or None, *mark)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", *mark, tuple(tree(n) for n in node.value))
    return ("map", *mark, tuple((tree(k), tree(v)) for k, v in node.value))


def pure(text: str) -> list[Tree] | tuple[str, str]:
    try:
        return [tree(n) for n in yaml.compose_all(text, Loader=yaml.SafeLoader)]
    except yaml.YAMLError as exc:
        return (type(exc).__name__, str(exc))


def ours(text: str) -> list[Tree] | tuple[str, str]:
    try:
        return [tree(n) for n in compose(text)]
    except yaml.YAMLError as exc:
        return (type(exc).__name__, str(exc))


#: Characters that matter to YAML's scanner, and text in any script.
_special = st.sampled_from(
    [*" \t\n\r:-#'\"[]{},&*!|>?%@`\\~", "\ufeff", "\x85", "\u2028", "\u2029", "\xa0"]
)
_text = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        _special,
        st.sampled_from("é中😀𝔘👩‍👩‍👧"),
    ),
    max_size=12,
)
data = st.recursive(
    st.one_of(st.none(), _text),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_text, inner, max_size=4)),
    max_leaves=25,
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """YAML text in every style PyYAML writes, then perhaps edited at a few places."""
    text = yaml.safe_dump(
        draw(data),
        default_flow_style=draw(st.sampled_from([False, True, None])),
        default_style=draw(st.sampled_from([None, "'", '"', "|", ">"])),
        allow_unicode=draw(st.booleans()),
        width=draw(st.sampled_from([20, 80, 1000])),
        explicit_start=draw(st.booleans()),
    )
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.one_of(_special, _text)) + text[at:]
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_libyaml_composes_every_document_as_the_pure_parser_does(text: str) -> None:
    assert ours(text) == pure(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_an_edited_framework_file_composes_as_the_pure_parser_does(data: st.DataObject) -> None:
    text = resources.bundled_framework().read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 2))
        text = text[:at] + data.draw(st.one_of(_special, _text)) + text[at + cut :]
    assert ours(text) == pure(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: b\tc\n",  # libyaml accepts a tab here; the pure parser refuses it
        "a\ufeff: b\n",  # libyaml counts the byte-order mark's column differently
        "!~!null 'null'\n",  # libyaml accepts this tag handle; the pure parser refuses it
        "see_also: [why?, b]\n",  # libyaml reads "why?"; the pure parser refuses the '?'
        "{a?b: c}\n",
        "a: b\n?",  # libyaml places the empty complex key's value on the next line
        "a: !!str b\n",
        "%YAML 1.1\n---\na: b\n",
        "a: [b, c\n",
        "a: 'b\n",
        "- a\n- b: c\n  d\n",
        "a: 1\n---\nb: 2\n",
        "",
    ],
)
def test_where_the_two_parsers_differ_the_pure_one_decides(text: str) -> None:
    assert ours(text) == pure(text)


def test_a_framework_read_with_libyaml_has_the_values_and_places_of_the_pure_parser() -> None:
    text = resources.bundled_framework().read_text(encoding="utf-8")
    fast, _ = load_yaml(text, "framework.yaml")
    loader = yamldoc._FAST_LOADER
    try:
        yamldoc._FAST_LOADER = None  # the pure-Python parser only
        slow, _ = load_yaml(text, "framework.yaml")
    finally:
        yamldoc._FAST_LOADER = loader
    assert fast is not None and slow is not None
    assert (fast.data, fast.values, fast.keys) == (slow.data, slow.values, slow.keys)


def test_libyaml_is_there_and_reads_the_bundled_framework() -> None:
    # PyYAML's wheels bundle libyaml; without it every validate pays the slow parser.
    assert yamldoc._FAST_LOADER is not None
    text = resources.bundled_framework().read_text(encoding="utf-8")
    assert yamldoc._NOT_FOR_LIBYAML.search(text) is None
