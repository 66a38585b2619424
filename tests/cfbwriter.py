"""A minimal writer of OLE compound files ([MS-CFB], version 3), for tests only, and of
Outlook-style ``.msg`` files built with it.

These .msg files are NOT made by Outlook: they hold the MAPI property streams that
[MS-OXMSG] describes and that xlsxkit reads (subject, sender, transport headers, body,
attachments with data, long name and MIME type, an embedded message), laid out as a valid
compound file (FAT, mini stream and mini FAT for streams under 4096 bytes, a directory
tree). The real Outlook-made files the tests also read come from a package registry at test
time (see tests/test_mail_msg.py); nothing fetched is committed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


@dataclass
class Node:
    name: str
    data: bytes | None = None  # None: a storage
    children: list[Node] = field(default_factory=list)

    def add(self, name: str, data: bytes | None = None) -> Node:
        node = Node(name, data)
        self.children.append(node)
        return node


def _key(node: Node) -> tuple[int, str]:
    return (len(node.name), node.name.upper())


def write_cfb(root_children: list[Node]) -> bytes:
    """The compound file holding ROOT_CHILDREN (storages and streams)."""
    root = Node("Root Entry", None, root_children)
    entries: list[Node] = []

    def number(node: Node) -> None:
        entries.append(node)
        for child in sorted(node.children, key=_key):
            number(child)

    number(root)
    index = {id(n): i for i, n in enumerate(entries)}

    # Mini stream: the small streams, in 64-byte mini sectors.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    starts: dict[int, int] = {}
    big: list[Node] = []
    for node in entries:
        if node.data is None or node is root:
            continue
        if len(node.data) < CUTOFF:
            if not node.data:
                starts[id(node)] = END
                continue
            first = len(mini_stream) // MINI
            count = -(-len(node.data) // MINI)
            mini_stream += node.data + b"\x00" * (count * MINI - len(node.data))
            mini_fat += [first + i + 1 for i in range(count - 1)] + [END]
            starts[id(node)] = first
        else:
            big.append(node)

    sectors: list[bytes] = []
    fat: list[int] = []

    def put(data: bytes) -> int:
        if not data:
            return END
        first = len(sectors)
        count = -(-len(data) // SECTOR)
        padded = data + b"\x00" * (count * SECTOR - len(data))
        for i in range(count):
            sectors.append(padded[i * SECTOR : (i + 1) * SECTOR])
            fat.append(first + i + 1 if i < count - 1 else END)
        return first

    for node in big:
        assert node.data is not None
        starts[id(node)] = put(node.data)
    root_start = put(bytes(mini_stream))
    mini_fat_bytes = b"".join(struct.pack("<I", v) for v in mini_fat)
    mini_fat_start = put(mini_fat_bytes) if mini_fat else END
    mini_fat_sectors = -(-len(mini_fat_bytes) // SECTOR)

    # The directory: 128-byte entries; children of a storage chained as a right-leaning tree.
    def entry(node: Node) -> bytes:
        name = node.name.encode("utf-16-le") + b"\x00\x00"
        kind = 5 if node is root else (1 if node.data is None else 2)
        left = right = child = NOSTREAM
        if node.children:
            ordered = sorted(node.children, key=_key)
            child = index[id(ordered[0])]
        siblings = _right_of.get(id(node))
        if siblings is not None:
            right = siblings
        if node is root:
            start, size = root_start, len(mini_stream)
        elif node.data is None:
            start, size = 0, 0
        else:
            start, size = starts[id(node)], len(node.data)
        return (
            name.ljust(64, b"\x00")
            + struct.pack("<HBB", len(name), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    _right_of: dict[int, int] = {}
    for node in entries:
        ordered = sorted(node.children, key=_key)
        for a, b in itertools.pairwise(ordered):
            _right_of[id(a)] = index[id(b)]
    directory = b"".join(entry(n) for n in entries)
    dir_start = put(directory)

    # The FAT itself, in sectors marked FATSECT.
    fat_sectors = 1
    while len(fat) + fat_sectors > fat_sectors * SECTOR // 4:
        fat_sectors += 1
    first_fat = len(sectors)
    fat += [FATSECT] * fat_sectors
    fat += [FREE] * (fat_sectors * SECTOR // 4 - len(fat))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    for i in range(fat_sectors):
        sectors.append(fat_bytes[i * SECTOR : (i + 1) * SECTOR])
    assert fat_sectors <= 109
    difat = [first_fat + i for i in range(fat_sectors)] + [FREE] * (109 - fat_sectors)

    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<I", 0)  # directory sectors (0 for version 3)
        + struct.pack("<I", fat_sectors)
        + struct.pack("<I", dir_start)
        + struct.pack("<I", 0)  # transaction signature
        + struct.pack("<I", CUTOFF)
        + struct.pack("<I", mini_fat_start)
        + struct.pack("<I", mini_fat_sectors)
        + struct.pack("<I", END)  # no DIFAT sectors
        + struct.pack("<I", 0)
        + b"".join(struct.pack("<I", v) for v in difat)
    )
    assert len(header) == SECTOR
    return header + b"".join(sectors)


# --------------------------------------------------------------------------------------
# .msg files


def _text(value: str) -> bytes:
    return value.encode("utf-16-le")


def _filetime(when: dt.datetime) -> int:
    return int((when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)


@dataclass
class MsgAttachment:
    name: str
    data: bytes
    mime: str = "application/octet-stream"
    embedded: bool = False  # an Outlook item attached (its data is a storage)


def write_msg(
    *,
    subject: str,
    sender: str,
    body: str = "",
    headers: str = "",
    sent: dt.datetime | None = None,
    attachments: list[MsgAttachment] | None = None,
    message_class: str = "IPM.Note",
) -> bytes:
    """An Outlook-style .msg (see the module docstring: not made by Outlook)."""
    top: list[Node] = []

    def prop(parent: list[Node], tag: str, value: bytes) -> None:
        parent.append(Node(f"__substg1.0_{tag}", value))

    prop(top, "0037001F", _text(subject))
    prop(top, "0C1F001F", _text(sender))
    prop(top, "001A001F", _text(message_class))
    if body:
        prop(top, "1000001F", _text(body))
    if headers:
        prop(top, "007D001F", _text(headers))
    fixed = b"\x00" * 32
    if sent is not None:
        fixed += struct.pack("<IIQ", (0x0039 << 16) | 0x0040, 6, _filetime(sent))
    top.append(Node("__properties_version1.0", fixed))
    for i, a in enumerate(attachments or []):
        storage = Node(f"__attach_version1.0_#{i:08X}")
        if a.embedded:
            inner = storage.add("__substg1.0_3701000D")
            inner.add("__substg1.0_0037001F", _text(a.name))
            inner.add("__properties_version1.0", b"\x00" * 24)
        else:
            storage.add("__substg1.0_37010102", a.data)
        storage.add("__substg1.0_3707001F", _text(a.name))
        storage.add("__substg1.0_370E001F", _text(a.mime))
        storage.add("__properties_version1.0", b"\x00" * 8)
        top.append(storage)
    return write_cfb(top)
