"""Markup Compatibility (ECMA-376 Part 3), applied the way an older consumer applies it.

Excel 2007 reads the files of later versions this way, and so must the published 2006
schemas: extension namespaces listed in ``mc:Ignorable`` are not understood, so their
elements and attributes are removed; of an ``mc:AlternateContent`` block the consumer takes
the ``mc:Fallback`` (a Choice requires a namespace it does not understand); an ignorable
element named in ``mc:ProcessContent`` is unwrapped (its children kept); a namespace listed
in ``mc:MustUnderstand`` that it does not understand makes the part invalid.
Extensions inside ``<extLst><ext>`` need none of this: the schema admits them as wildcards.
"""

from __future__ import annotations

from lxml import etree

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


class MustUnderstandError(ValueError):
    """The part requires a namespace that a 2006 consumer does not understand."""


def _ns(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _prefixes(element: etree._Element, attribute: str) -> set[str]:
    value = element.get(f"{{{MC}}}{attribute}")
    if not value:
        return set()
    out = set()
    for prefix in value.split():
        uri = element.nsmap.get(prefix)
        if uri is None:
            raise MustUnderstandError(f"mc:{attribute} names an undeclared prefix {prefix!r}")
        out.add(uri)
    return out


def apply(root: etree._Element, understood: frozenset[str]) -> etree._Element:
    """Preprocess ROOT in place as a consumer understanding only UNDERSTOOD namespaces."""
    _walk(root, understood, frozenset())
    return root


def _qnames(element: etree._Element, attribute: str) -> set[str]:
    """The ``{ns}local`` names listed in an attribute such as mc:ProcessContent."""
    out = set()
    for qname in (element.get(f"{{{MC}}}{attribute}") or "").split():
        prefix, _, local = qname.rpartition(":")
        uri = element.nsmap.get(prefix or None)
        if uri is not None:
            out.add(f"{{{uri}}}{local}")
    return out


def _walk(
    element: etree._Element,
    understood: frozenset[str],
    ignorable: frozenset[str],
    process: frozenset[str] = frozenset(),
) -> None:
    ignorable = ignorable | (_prefixes(element, "Ignorable") - understood)
    process = process | _qnames(element, "ProcessContent")
    required = _prefixes(element, "MustUnderstand") - understood
    if required:
        raise MustUnderstandError(f"mc:MustUnderstand requires {sorted(required)}")
    for name in list(element.attrib):
        ns = _ns(name)
        if ns == MC or ns in ignorable:
            del element.attrib[name]
    for child in list(element):
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        ns = _ns(child.tag)
        if child.tag == f"{{{MC}}}AlternateContent":
            _replace_alternate(child, understood)
        elif ns in ignorable and (child.tag in process or f"{{{ns}}}*" in process):
            _unwrap(child)
        elif ns in ignorable:
            element.remove(child)
    for child in element:
        if isinstance(child.tag, str):
            _walk(child, understood, ignorable, process)


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    at = parent.index(element)
    parent.remove(element)
    for offset, child in enumerate(list(element)):
        parent.insert(at + offset, child)


def _replace_alternate(block: etree._Element, understood: frozenset[str]) -> None:
    """Replace BLOCK by the content of the first Choice whose Requires are understood, else of
    its Fallback, else by nothing."""
    chosen: etree._Element | None = None
    for option in block:
        if option.tag == f"{{{MC}}}Choice":
            needs = {option.nsmap.get(p) for p in (option.get("Requires") or "").split()}
            if needs and needs <= understood:
                chosen = option
                break
        elif option.tag == f"{{{MC}}}Fallback":
            chosen = option
            break
    parent = block.getparent()
    assert parent is not None
    at = parent.index(block)
    parent.remove(block)
    if chosen is not None:
        for offset, child in enumerate(list(chosen)):
            parent.insert(at + offset, child)
