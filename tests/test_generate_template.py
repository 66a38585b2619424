"""The workbooks of a batch written from one template (xlsxkit/workbook/write/template.py)
are the workbooks a direct write gives: every part byte for byte once inflated; and those
it cannot write (prefill, a generic workbook, a name that is also a heading) are written
directly by generate."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import fwtools
from tests.helpers import generate_batch, orgs
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Answer, Framework, Organisation
from xlsxkit.outbound import generate as gen
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.manifest import read_manifest
from xlsxkit.workbook.read import read_return
from xlsxkit.workbook.write import WorkbookLimitError, WorkbookSpec, write_workbook
from xlsxkit.workbook.write.template import PROBE, BatchTemplate
from xlsxkit.workbook.write.zipparts import read_parts, unpacked, write_zip

WHEN = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)

HOSTILE = [
    "Organisation 1",
    "A & B <Partners> \"quoted\" 'single' ]]> &amp;",
    "  leading and trailing spaces  ",
    "=SUM(A1:A9)",
    "+1 (555) 0100 -@",
    "Tab\there, line\nbreak, ctl \x01\x02\x1f end",
    "Emoji 😀🏳️‍🌈 and astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Right-to-left מוסד ארגון العربية",
    "<r> almost a rich string </r",
    "_x0041_ looks like an escape",
    "x" * 250,
    "Long name, " * 40,
    "&L&R&P&N&& footer codes",
    "Ü" * 120,
]


def spec_for(
    framework: Framework, org: Organisation | None, token: str = "0123456789abcdef", **kw: object
) -> WorkbookSpec:
    base: dict[str, object] = {
        "framework": framework,
        "organisation": org,
        "instructions": TEMPLATE_TEXT,
        "token": token,
        "round": "2026 Q4",
        "deadline": dt.date(2027, 1, 15),
        "return_to": "coordinator@example.org",
        "generated_at": WHEN,
    }
    base.update(kw)
    return WorkbookSpec(**base)  # type: ignore[arg-type]


TEMPLATE_TEXT = load_template()


def direct(spec: WorkbookSpec) -> bytes:
    out = io.BytesIO()
    write_workbook(spec, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def template(framework: Framework) -> BatchTemplate:
    made = BatchTemplate.build(spec_for(framework, None))
    assert made is not None
    return made


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_workbook_from_the_template_is_the_direct_workbook_part_for_part(
    framework: Framework, template: BatchTemplate, name: str
) -> None:
    spec = spec_for(framework, Organisation(id=f"id-{len(name)}", name=name), token="f00d" * 4)
    mine = template.render(spec)
    assert mine is not None
    assert unpacked(mine) == unpacked(direct(spec))
    assert zipfile.ZipFile(io.BytesIO(mine)).testzip() is None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=300), org_id=st.text(min_size=1, max_size=40))
def test_any_organisation_is_written_as_the_direct_path_writes_it_or_left_to_it(
    framework: Framework, template: BatchTemplate, name: str, org_id: str
) -> None:
    spec = spec_for(framework, Organisation(id=org_id, name=name))
    try:
        expected = direct(spec)
    except WorkbookLimitError:
        with pytest.raises(WorkbookLimitError):
            template.render(spec)
        return
    mine = template.render(spec)
    if mine is not None:
        assert unpacked(mine) == unpacked(expected)


@pytest.mark.parametrize(
    "name",
    [
        "Stage reached",  # the heading's shared string: every later index would move
        "<r><t>rich-looking</t></r>",  # written as a rich string (workbook/write/plaintext.py)
    ],
)
def test_a_name_the_template_cannot_splice_is_left_to_the_direct_path(
    framework: Framework, template: BatchTemplate, name: str
) -> None:
    assert template.render(spec_for(framework, Organisation(id="o", name=name))) is None


def test_a_name_beyond_excels_cell_limit_is_refused_as_a_direct_write_refuses_it(
    framework: Framework, template: BatchTemplate
) -> None:
    spec = spec_for(framework, Organisation(id="o", name="n" * 33_000))
    with pytest.raises(WorkbookLimitError):
        direct(spec)
    with pytest.raises(WorkbookLimitError):
        template.render(spec)


def test_prefill_a_generic_workbook_and_other_batch_settings_are_left_to_the_direct_path(
    framework: Framework, template: BatchTemplate
) -> None:
    org = Organisation(id="o", name="Org")
    criterion = framework.criteria[0]
    prefill = (Answer(item_id=criterion.id, sheet="x", row=1, stage_id=framework.stages[0].id),)
    assert template.render(spec_for(framework, None)) is None
    assert template.render(spec_for(framework, org, prefill=prefill)) is None
    assert template.render(spec_for(framework, org, previous_round="2026 Q2")) is None
    assert template.render(spec_for(framework, org, round="another round")) is None
    assert template.render(spec_for(framework, org, password="secret")) is None
    assert template.render(spec_for(framework, org)) is not None


@pytest.mark.parametrize("password", [None, "pa&ss<word>"])
def test_template_of_another_framework_and_a_password_writes_the_direct_workbooks(
    tmp_path: Path, password: str | None
) -> None:
    fw = require_framework(fwtools.write(tmp_path, fwtools.big_framework(stages=6)))
    made = BatchTemplate.build(spec_for(fw, None, password=password, deadline=None))
    assert made is not None
    for name in ("Alpha & Omega", "Ω" * 90, " x "):
        spec = spec_for(fw, Organisation(id="p1", name=name), password=password, deadline=None)
        mine = made.render(spec)
        assert mine is not None
        assert unpacked(mine) == unpacked(direct(spec))


def test_zip_of_the_parts_read_back_is_the_same_package(framework: Framework) -> None:
    data = direct(spec_for(framework, Organisation(id="o", name="Org")))
    again = write_zip(list(read_parts(data).values()))
    assert again == data  # the same container XlsxWriter's zipfile writes


def test_generate_writes_each_workbook_as_the_direct_path_does_whether_templated_or_not(
    framework: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch of partners, some with last round's answers (comments, targets, dates: the
    direct path), the rest plain (the template), one named like a heading (direct)."""
    names = ["Alpha", "B & <c>", "Stage reached", *(f"Partner {i}" for i in range(8)), "<r>x</r>"]
    partners = orgs(*names)
    fw = framework
    c, a = fw.criteria[0], fw.criteria[0].actions[0]
    answers = (
        Answer(
            item_id=c.id, sheet="x", row=1, stage_id=fw.stages[1].id, comment="We did it\n" * 30,
            target_stage_id=fw.stages[2].id,
        ),
        Answer(item_id=a.id, sheet="x", row=1, done=True, notes="n" * 400, lead="Lead",
               target_date="2027-03-31"),
    )  # fmt: skip
    prefill = {partners[0].id: answers, partners[3].id: answers}
    templated: list[str] = []
    real = BatchTemplate.render

    def render(self: BatchTemplate, spec: WorkbookSpec) -> bytes | None:
        data = real(self, spec)
        if data is not None and spec.organisation and spec.organisation is not PROBE:
            templated.append(spec.organisation.name)
        return data

    monkeypatch.setattr(BatchTemplate, "render", render)
    previous = {partners[0].id: "2026 Q2", partners[3].id: "2026 Q2"}
    result = generate_batch(
        fw, tmp_path / "out", partners, prefill=prefill, previous_round=previous,
        generated_at=WHEN, jobs=1,
    )  # fmt: skip
    assert sorted(templated) == sorted(
        n for n in names if n not in ("Alpha", "Stage reached", "Partner 0", "<r>x</r>")
    )
    rows = read_manifest(result.manifest)
    assert len(rows) == len(partners)
    for row, org in zip(rows, partners, strict=True):
        path = tmp_path / "out" / row.file
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == row.sha256
        spec = spec_for(
            fw, org, token=row.token, prefill=prefill.get(org.id, ()),
            previous_round=previous.get(org.id),
        )  # fmt: skip
        assert unpacked(data) == unpacked(direct(spec)), org.name
        got = read_return(path, fw)
        assert got.status == "accepted", (org.name, got.verdict)


def test_a_template_whose_probe_differs_from_the_direct_write_is_not_used(
    framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = BatchTemplate.render

    def off_by_one(self: BatchTemplate, spec: WorkbookSpec) -> bytes | None:
        data = real(self, spec)
        parts = read_parts(data) if data else {}
        core = parts.pop("docProps/core.xml", None)
        return write_zip(list(parts.values())) if core else data

    monkeypatch.setattr(BatchTemplate, "render", off_by_one)
    assert BatchTemplate.build(spec_for(framework, None)) is None


def test_every_workbook_of_a_parallel_batch_is_its_direct_workbook(
    framework: Framework, tmp_path: Path
) -> None:
    partners = orgs(*(f"Partner {i:03}" for i in range(gen.PARALLEL_THRESHOLD + 2)))
    result = generate_batch(framework, tmp_path / "out", partners, generated_at=WHEN, jobs=2)
    for row, org in zip(read_manifest(result.manifest), partners, strict=True):
        data = (tmp_path / "out" / row.file).read_bytes()
        assert unpacked(data) == unpacked(direct(spec_for(framework, org, token=row.token)))


def test_spec_fields_the_template_checks_cover_every_field_of_a_spec() -> None:
    """A field added to WorkbookSpec must be judged by BatchTemplate.fits."""
    judged = {
        "framework", "organisation", "instructions", "token", "round", "deadline",
        "return_to", "generated_at", "password", "prefill", "previous_round", "typed",
    }  # fmt: skip
    assert {f.name for f in dataclasses.fields(WorkbookSpec)} == judged


FORMULAS = [
    "=SUM(A1:A9)",
    '=IF(H1="","(organisation not named yet)",H1)',
    "=XLOOKUP(A1,B:B,C:C)",
    "=STDEV.S(A1:A3)+CONCAT(A1,B1)",
    "{=SUM(A1:A2*B1:B2)}",
    "=_xlfn.STDEV.S(A1:A3)",
    "=SINGLE(A1)+xSINGLE(B1)",
]


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("expand", [False, True])
@pytest.mark.parametrize("future", [False, True])
def test_formulas_are_prepared_as_xlsxwriter_prepares_them(
    formula: str, expand: bool, future: bool
) -> None:
    from xlsxwriter.worksheet import Worksheet

    from xlsxkit.workbook.write.checked import CheckedWorksheet

    plain, checked = Worksheet(), CheckedWorksheet()
    plain.use_future_functions = checked.use_future_functions = future
    for _ in range(2):  # prepared, then from the cache
        assert checked._prepare_formula(formula, expand) == plain._prepare_formula(formula, expand)


def test_late_partners_added_to_a_templated_batch_get_their_direct_workbooks(
    framework: Framework, tmp_path: Path
) -> None:
    first = orgs(*(f"Partner {i:02}" for i in range(gen.TEMPLATE_THRESHOLD + 1)))
    out = tmp_path / "out"
    generate_batch(framework, out, first, generated_at=WHEN)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    late = orgs(*(f"Late & <partner> {i}" for i in range(gen.TEMPLATE_THRESHOLD)))
    result = generate_batch(framework, out, first + late, generated_at=WHEN)
    assert result.mode is gen.Mode.ADDED and len(result.added) == len(late)
    for name, data in before.items():
        if name != "manifest.csv":
            assert (out / name).read_bytes() == data  # sent already: left byte for byte
    by_id = {o.id: o for o in late}
    for row in result.added:
        data = (out / row.file).read_bytes()
        spec = spec_for(framework, by_id[row.org_id], token=row.token)
        assert unpacked(data) == unpacked(direct(spec))
