"""A corpus of bad and odd returns, built from real generated workbooks, each with the
verdict the import must give it.

Nothing here is a committed binary: every file is made by the tests, from a workbook that
xlsxkit generated, by the kinds of damage and editing that returns really suffer (and some
that only an attacker would try).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from tests.filling import fill_with_openpyxl, random_answers, rows_by_id
from tests.helpers import write_filled
from xlsxkit.framework.load import parse_framework
from xlsxkit.framework.model import Framework, Organisation
from xlsxkit.inbound.orgs import org_id_for
from xlsxkit.workbook import layout as L

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, kw_only=True)
class Case:
    file: str  # path relative to the corpus folder
    status: str
    code: str = ""  # the verdict's code (rejections), "" for accepted/skipped
    warnings: tuple[str, ...] = ()  # problem codes an accepted file must carry, sorted
    reason: str = ""  # a phrase the reason must contain
    org: str = ""  # the organisation an accepted file must be attributed to


@dataclass(kw_only=True)
class Corpus:
    root: Path
    framework: Framework
    cases: list[Case] = field(default_factory=list)
    answers: dict[str, dict[tuple[str, str], object]] = field(default_factory=dict)


def org(n: int | str) -> Organisation:
    name = f"Corpus Org {n}" if isinstance(n, int) else n
    return Organisation(id=org_id_for(name), name=name)


# --------------------------------------------------------------------------------------
# zip surgery


def rewrite(
    src: Path,
    dst: Path,
    edit: Callable[[str, bytes], bytes | None] = lambda n, b: b,
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy an xlsx part by part; EDIT may change a part or drop it (None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = edit(info.filename, zin.read(info))
            if body is not None:
                zout.writestr(info.filename, body)
        for name, body in (add or {}).items():
            zout.writestr(name, body)
    return dst


def sheet_part(path: Path, sheet: str) -> str:
    """The zip part of SHEET in an xlsx written by XlsxWriter."""
    names = openpyxl.load_workbook(path).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def _deflate(payload: bytes | int) -> tuple[bytes, int, int]:
    """(deflated data, crc, size) of PAYLOAD, or of that many zero bytes, streamed."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    if isinstance(payload, bytes):
        data = compressor.compress(payload) + compressor.flush()
        return data, zlib.crc32(payload), len(payload)
    parts, crc, block = [], 0, b"\0" * (1 << 20)
    for _ in range(payload >> 20):
        parts.append(compressor.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(compressor.flush())
    return b"".join(parts), crc, (payload >> 20) << 20


def raw_zip(entries: list[tuple[str, bytes | int, int | None]]) -> bytes:
    """A zip written by hand: (name, payload or a count of zero bytes, declared size or
    None for the true size). Lets a test declare sizes that do not match the content, as a
    zip bomb does."""
    out = io.BytesIO()
    central = []
    for name, payload, declared in entries:
        data, crc, true_size = _deflate(payload)
        size = true_size if declared is None else declared
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )
        )
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(
        struct.pack(
            "<4sHHHHIIH",
            b"PK\x05\x06",
            0,
            0,
            len(central),
            len(central),
            out.tell() - start,
            start,
            0,
        )
    )
    return out.getvalue()


# --------------------------------------------------------------------------------------
# the corpus


def build_corpus(root: Path, framework: Framework, generated: Path, generic: Path) -> Corpus:
    """Write the corpus into ROOT. GENERATED is a personalised workbook (any organisation)
    and GENERIC an un-personalised one, both from ``xlsxkit generate``."""
    c = Corpus(root=root, framework=framework)
    root.mkdir(parents=True, exist_ok=True)
    fw = framework
    rng = random.Random(5)
    crit = fw.criteria
    first_actions = crit[0].actions

    def filled(
        n: int, name: str, answers: dict[tuple[str, str], object] | None = None, **kw: object
    ) -> Path:
        answers = answers if answers is not None else random_answers(fw, n)
        c.answers[name] = answers
        return write_filled(fw, root / name, org(n), answers, **kw)  # type: ignore[arg-type]

    def add(case: Case) -> None:
        c.cases.append(case)

    # 1-4: ordinary returns under odd names, re-saved by another app.
    p = root / "ok re-saved by another app.xlsx"
    answers = random_answers(fw, 1)
    write_filled(fw, root / "_src1.xlsx", org(1), {})
    fill_with_openpyxl(root / "_src1.xlsx", p, answers)
    (root / "_src1.xlsx").unlink()
    c.answers[p.name] = answers
    add(Case(file=p.name, status="accepted", org=org(1).id))

    filled(2, "Ünïcödé – 東京 ✓ return.xlsx")
    add(Case(file="Ünïcödé – 東京 ✓ return.xlsx", status="accepted", org=org(2).id))
    filled(3, "-rf --leading-dashes.xlsx")
    add(Case(file="-rf --leading-dashes.xlsx", status="accepted", org=org(3).id))
    long_name = (
        "a" * 40 + " very long file name that someone's email client made " + "b" * 80 + ".xlsx"
    )
    filled(4, long_name)
    add(Case(file=long_name, status="accepted", org=org(4).id))

    # 5: renamed sheets (and a reordering).
    p = filled(5, "renamed-sheets.xlsx")
    wb = openpyxl.load_workbook(p)
    wb["People"].title = "Our people"
    wb["Start"].title = "Lisez-moi"
    wb.move_sheet("Systems", offset=-2)
    wb.save(p)
    add(Case(file=p.name, status="accepted", org=org(5).id))

    # 6: values pasted over the dropdowns.
    pasted: dict[tuple[str, str], object] = {
        (crit[0].id, "stage"): "  well   DEVELOPED ",
        (crit[1].id, "stage"): "Some-Work-Done",
        (crit[2].id, "stage"): "Well developped",
        (crit[3].id, "stage"): 2,
        (crit[4].id, "stage"): "Advanced",  # a stage of another framework
        (crit[5].id, "stage"): "not-well-developed",  # a stage id
    }
    filled(6, "pasted-over-dropdowns.xlsx", pasted)
    add(
        Case(
            file="pasted-over-dropdowns.xlsx",
            status="accepted",
            org=org(6).id,
            warnings=("unreadable-stage",) * 3,
        )
    )

    # 7: ticks typed by hand.
    ticks: dict[tuple[str, str], object] = {}
    for action, value in zip(
        fw.actions, ["x", "yes", "✓", 1, "Y", "✔", "X", "no", "0", "n"], strict=False
    ):
        ticks[(action.id, "done")] = value
    ticks[(fw.actions[10].id, "done")] = "done?"
    filled(7, "typed-ticks.xlsx", ticks)
    add(
        Case(
            file="typed-ticks.xlsx", status="accepted", org=org(7).id, warnings=("unreadable-tick",)
        )
    )

    # 8: free text of any length in any script.
    scripts = (
        "English, Cymraeg ŵ, Ελληνικά, Русский, العربية, עברית, हिन्दी, 中文, 日本語, 한국어, 🙂 "
    )
    long_text = (scripts * 400)[:32000]
    filled(
        8,
        "long-free-text.xlsx",
        {(crit[0].id, "comment"): long_text, (first_actions[0].id, "notes"): scripts},
    )
    add(Case(file="long-free-text.xlsx", status="accepted", org=org(8).id))

    # 9: extra sheets added.
    p = filled(9, "extra-sheets.xlsx")
    wb = openpyxl.load_workbook(p)
    ws = wb.create_sheet("My notes")
    ws["A1"] = "We discussed this at the board"
    ws["B2"] = 42
    wb.create_sheet("Empty one")
    wb.save(p)
    add(Case(file=p.name, status="accepted", org=org(9).id, warnings=("extra-sheet",)))

    # 10: junk pasted below and beside the form.
    p = filled(10, "junk-below-the-form.xlsx")
    wb = openpyxl.load_workbook(p)
    ws = wb["People"]
    for r in range(300, 340):
        ws.cell(row=r, column=4, value=f"junk {r}")
    ws["Z10"] = "beside"
    wb.save(p)
    add(Case(file=p.name, status="accepted", org=org(10).id, warnings=("content-outside-form",)))

    # 11: junk pasted far away (a sheet whose cells span a billion positions).
    p = filled(11, "junk-far-away.xlsx")
    wb = openpyxl.load_workbook(p)
    wb["Culture"]["XFD1048576"] = "the very last cell"
    wb["Culture"]["A1048000"] = "far below"
    wb.save(p)
    add(Case(file=p.name, status="accepted", org=org(11).id, warnings=("content-outside-form",)))

    # 12: an enormous sheet: 580,000 cells below the form, within the unpacking bound.
    p = filled(12, "enormous-sheet.xlsx")
    part = sheet_part(p, "Systems")
    rows = "".join(f'<row r="{r}"><c r="D{r}"><v>{r}</v></c></row>' for r in range(200, 580_000))

    def enormous(name: str, body: bytes) -> bytes:
        if name != part:
            return body
        return body.replace(b"</sheetData>", rows.encode() + b"</sheetData>")

    rewrite(p, root / "_big.xlsx", enormous)
    shutil.move(root / "_big.xlsx", p)
    add(Case(file=p.name, status="accepted", org=org(12).id, warnings=("content-outside-form",)))
    # ... and one past the bound on what is unpacked at all.
    rows = "".join(f'<row r="{r}"><c r="D{r}"><v>{r}</v></c></row>' for r in range(200, 800_200))
    rewrite(p, root / "too-enormous.xlsx", enormous)
    add(Case(file="too-enormous.xlsx", status="rejected", code="too-large", reason="the limit is"))

    # 13: saved by a program that writes formulas without their values.
    p = filled(13, "no-cached-values.xlsx", {(first_actions[0].id, "done"): True})
    sheet, row = rows_by_id(p)[first_actions[0].id]
    part = sheet_part(p, sheet)
    ref = f"{L.col_letter(L.COL_INPUT)}{row}"

    def no_values(name: str, body: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return body
        body = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", body)
        if name == part:
            body = re.sub(
                rb'<c r="' + ref.encode() + rb'"([^>]*)><v>1</v></c>',
                rb'<c r="' + ref.encode() + rb'"\1><f>TRUE()</f></c>',
                body,
            )
        return body

    rewrite(p, root / "_nv.xlsx", no_values)
    shutil.move(root / "_nv.xlsx", p)
    add(Case(file=p.name, status="accepted", org=org(13).id, warnings=("missing-cached-value",)))

    # 14: LibreOffice-style booleans: =TRUE() formulas with cached values.
    p = filled(14, "libreoffice-booleans.xlsx", {(a.id, "done"): True for a in first_actions})

    def lo_booleans(name: str, body: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return body
        body = re.sub(rb'(<c r="E\d+"[^>]*t="b"[^>]*>)<v>1</v>', rb"\1<f>TRUE()</f><v>1</v>", body)
        return re.sub(rb'(<c r="E\d+"[^>]*t="b"[^>]*>)<v>0</v>', rb"\1<f>FALSE()</f><v>0</v>", body)

    rewrite(p, root / "_lo.xlsx", lo_booleans)
    shutil.move(root / "_lo.xlsx", p)
    add(Case(file=p.name, status="accepted", org=org(14).id))

    # 15: a macro-enabled copy (.xlsm).
    p = filled(15, "_macro.xlsx")
    rewrite(
        p,
        root / "macro-enabled.xlsm",
        lambda n, b: (
            b.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
            if n == "[Content_Types].xml"
            else b
        ),
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 508},
    )
    p.unlink()
    c.answers["macro-enabled.xlsm"] = c.answers.pop("_macro.xlsx")
    add(Case(file="macro-enabled.xlsm", status="accepted", org=org(15).id))

    # 16: sheet protection with a password is normal.
    from tests.helpers import generate_batch

    batch = generate_batch(fw, root / "_pw", [org(16)], password="s3cret")
    shutil.move(batch.out_dir / batch.rows[0].file, root / "protected-sheets.xlsx")
    shutil.rmtree(root / "_pw")
    add(Case(file="protected-sheets.xlsx", status="blank", org=org(16).id))  # untouched

    # 17-24: not workbooks at all, some dressed as one.
    (root / "export.csv").write_text("Success criterion,Stage\nStaff engagement,Well-developed\n")
    (root / "csv-renamed.xlsx").write_text("id,stage\npeople,Some work done\n")
    (root / "scan.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")
    (root / "photo-of-screen.xlsx").write_bytes(
        b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(300))
    )
    (root / "notes.txt").write_text("We are at stage 2 for everything, thanks!\n")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    (root / "letter-renamed.xlsx").write_bytes(docx.getvalue())
    (root / "archive.zip").write_bytes(raw_zip([("readme.txt", b"hello", None)]))
    (root / "empty.xlsx").write_bytes(b"")
    for name, code, phrase in (
        ("export.csv", "not-a-workbook", "CSV"),
        ("csv-renamed.xlsx", "not-a-workbook", "CSV"),
        ("scan.pdf", "not-a-workbook", "PDF"),
        ("photo-of-screen.xlsx", "not-a-workbook", "PNG image"),
        ("notes.txt", "not-a-workbook", "plain text"),
        ("letter-renamed.xlsx", "not-a-workbook", "Word document"),
        ("archive.zip", "not-a-workbook", "zip archive"),
        ("empty.xlsx", "empty-file", "empty"),
    ):
        add(Case(file=name, status="rejected", code=code, reason=phrase))

    # 25-27: damage.
    good = (root / "ok re-saved by another app.xlsx").read_bytes()
    (root / "truncated-in-transit.xlsx").write_bytes(good[: len(good) * 6 // 10])
    add(Case(file="truncated-in-transit.xlsx", status="rejected", code="corrupt", reason="damaged"))
    (root / "garbage.xlsx").write_bytes(
        b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(2000))
    )
    add(Case(file="garbage.xlsx", status="rejected", code="corrupt", reason="damaged"))
    flipped = bytearray(generated.read_bytes())
    where = flipped.find(b"xl/worksheets/sheet2.xml") + 200
    for i in range(where, where + 64):
        flipped[i] ^= 0x5A
    (root / "bit-flipped.xlsx").write_bytes(bytes(flipped))
    add(Case(file="bit-flipped.xlsx", status="rejected", code="corrupt", reason="damaged"))

    # 28: zero sheets.
    def no_sheets(name: str, body: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return body
        body = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", body, flags=re.S)
        return re.sub(rb"<definedNames>.*</definedNames>", b"", body, flags=re.S)

    rewrite(generated, root / "no-sheets.xlsx", no_sheets)
    add(Case(file="no-sheets.xlsx", status="rejected", code="no-sheets", reason="no sheets"))

    # 29: the hidden identity sheet deleted (or the content copied to a new workbook).
    p = filled(29, "identity-deleted.xlsx")
    wb = openpyxl.load_workbook(p)
    del wb[L.IDENTITY_SHEET]
    wb.save(p)
    add(Case(file=p.name, status="rejected", code="no-identity", reason="identity"))

    # 30: encrypted with a password to open (an OLE container, as Office writes it).
    ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    for stream in ("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"):
        ole += stream.encode("utf-16-le").ljust(128, b"\x00")
    ole += bytes(rng.randrange(256) for _ in range(4096))
    (root / "password-to-open.xlsx").write_bytes(bytes(ole))
    add(
        Case(
            file="password-to-open.xlsx",
            status="rejected",
            code="password-protected",
            reason="password",
        )
    )

    # 31-34: identity and framework.
    other_doc = (
        (ROOT / "framework.yaml")
        .read_text("utf-8")
        .replace("id: ip-engaging-people", "id: another-framework")
    )
    other = parse_framework(other_doc).framework
    assert other is not None
    write_filled(other, root / "another-framework.xlsx", org(31), {})
    add(
        Case(
            file="another-framework.xlsx",
            status="rejected",
            code="other-framework",
            reason="another-framework",
        )
    )
    older_doc = (
        (ROOT / "framework.yaml")
        .read_text("utf-8")
        .replace('version: "1.0"', 'version: "0.9"')
        .replace("id: people-network-group-time", "id: people-network-time-old")
    )
    older = parse_framework(older_doc).framework
    assert older is not None
    write_filled(
        older, root / "older-version.xlsx", org(32), {(crit[0].id, "stage"): "Some work done"}
    )
    add(
        Case(
            file="older-version.xlsx",
            status="accepted",
            org=org(32).id,
            warnings=("framework-version",),
        )
    )
    fill_with_openpyxl(generic, root / "generic-no-name.xlsx", random_answers(fw, 33))
    add(
        Case(
            file="generic-no-name.xlsx", status="rejected", code="no-organisation", reason="type it"
        )
    )
    fill_with_openpyxl(
        generic,
        root / "generic-with-name.xlsx",
        {**random_answers(fw, 34), (L.START_ORG_ROW_ID, "org_name"): "Hilltop Hospice"},
    )
    add(Case(file="generic-with-name.xlsx", status="accepted", org="hilltop-hospice"))

    # 35-37: the same organisation more than once.
    filled(35, "resent-first.xlsx", saved=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    filled(
        35,
        "resent-second.xlsx",
        random_answers(fw, 350),
        saved=dt.datetime(2026, 11, 9, tzinfo=dt.UTC),
    )
    shutil.copy(root / "resent-second.xlsx", root / "resent-second (1).xlsx")
    # Of byte-identical copies, the first in file order stands for the others.
    add(
        Case(
            file="resent-first.xlsx",
            status="superseded",
            code="superseded",
            reason="resent-second (1).xlsx",
        )
    )
    add(Case(file="resent-second (1).xlsx", status="accepted", org=org(35).id))
    add(
        Case(
            file="resent-second.xlsx",
            status="duplicate",
            code="duplicate",
            reason="byte-identical",
        )
    )

    # 38-42: hostile containers.
    (root / "zip-bomb.xlsx").write_bytes(
        raw_zip(
            [
                ("xl/workbook.xml", b"<workbook/>", None),
                ("xl/worksheets/sheet1.xml", b"0" * 1000, 4 * 1024**3 - 1),
            ]
        )
    )
    add(Case(file="zip-bomb.xlsx", status="rejected", code="too-large", reason="unpacks"))
    bomb = b"<sheetData>" + b"<row>" * 10 + b"0" * (60 * 1024 * 1024)
    (root / "lying-zip-bomb.xlsx").write_bytes(
        raw_zip(
            [("xl/workbook.xml", b"<workbook/>", None), ("xl/worksheets/sheet1.xml", bomb, 1000)]
        )
    )
    add(Case(file="lying-zip-bomb.xlsx", status="rejected", code="too-large", reason="more than"))
    (root / "many-parts.xlsx").write_bytes(
        raw_zip(
            [("xl/workbook.xml", b"<workbook/>", None)]
            + [(f"xl/p{i}.xml", b"<x/>", None) for i in range(3000)]
        )
    )
    add(Case(file="many-parts.xlsx", status="rejected", code="too-complex", reason="parts"))
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE sst [' + "".join(entities) + "]>"
        "<sst><si><t>&lol9;</t></si></sst>"
    ).encode()
    rewrite(
        generated,
        root / "billion-laughs.xlsx",
        lambda n, b: laughs if n == "xl/sharedStrings.xml" else b,
    )
    add(Case(file="billion-laughs.xlsx", status="rejected", code="xml-entities", reason="DOCTYPE"))
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<sst><si><t>&xxe;</t></si></sst>"
    )
    rewrite(
        generated,
        root / "external-entity.xlsx",
        lambda n, b: xxe if n == "xl/sharedStrings.xml" else b,
    )
    add(Case(file="external-entity.xlsx", status="rejected", code="xml-entities", reason="DOCTYPE"))

    # 43: a spreadsheet that asks the native reader for billions of cells (calamine refuses
    # it; the worker sandbox is tested on its own in test_hostile.py).
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" '
        'office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
            'xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    (root / "allocation-bomb.ods").write_bytes(ods.getvalue())
    add(
        Case(file="allocation-bomb.ods", status="rejected", code="corrupt", reason="cannot be read")
    )

    # 44-47: files that are not returns.
    (root / "~$ok re-saved by another app.xlsx").write_bytes(b"\x0bsomeone" + b"\x00" * 150)
    (root / ".~lock.renamed-sheets.xlsx#").write_text(
        ",someone,host,26.11.2026 10:00,file:///home;\n"
    )
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / ".hidden").mkdir()
    shutil.copy(generated, root / ".hidden" / "copy.xlsx")
    for name in (
        "~$ok re-saved by another app.xlsx",
        ".~lock.renamed-sheets.xlsx#",
        ".DS_Store",
        ".hidden/copy.xlsx",
    ):
        add(Case(file=name, status="skipped", code="skipped"))
    return c
