"""The organisation list: CSV or spreadsheet, with every problem located."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from xlsxkit.inbound.orgs import org_id_for, read_org_list


def csv(tmp_path: Path, text: str, name: str = "orgs.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_blank_id_becomes_slug(tmp_path: Path) -> None:
    r = read_org_list(csv(tmp_path, "id,name,contact,email\n,North & East Trust,Ada,a@x.org\n"))
    assert r.report.ok
    [org] = r.organisations
    assert (org.id, org.name, org.contact, org.email) == (
        "north-east-trust",
        "North & East Trust",
        "Ada",
        "a@x.org",
    )


def test_errors_give_line_numbers_and_nothing_is_returned(tmp_path: Path) -> None:
    text = (
        "id,name,contact,email\n"
        "a1,Alpha,,alpha@example.org\n"
        "\n"
        "a1,Beta,,beta@example.org\n"
        ",alpha,,\n"
        "c1,,,\n"
        "d1,Delta,,not-an-email\n"
    )
    r = read_org_list(csv(tmp_path, text))
    assert r.organisations == ()
    found = sorted((p.location.line, p.code) for p in r.report.errors)
    assert found == [
        (4, "org-duplicate-id"),
        (5, "org-duplicate-name"),
        (6, "org-blank-name"),
        (7, "org-invalid-email"),
    ]
    dup = next(p for p in r.report.errors if p.code == "org-duplicate-id")
    assert "line 2" in dup.message
    assert dup.render().startswith(f"{tmp_path / 'orgs.csv'}:4: ")


def test_semicolon_csv_and_windows_encoding(tmp_path: Path) -> None:
    path = csv(
        tmp_path, "id;name;contact;email\r\n;Café Société;Zoé;z@x.org\r\n", encoding="cp1252"
    )
    r = read_org_list(path)
    assert r.report.ok
    assert [o.name for o in r.organisations] == ["Café Société"]
    assert r.organisations[0].id == "cafe-societe"


def test_xlsx_list_with_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "orgs.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Partners")
    ws.write_row(0, 0, ["ID", "Name", "Contact", "Email"])
    ws.write_row(1, 0, [1001, "North", "Ada", "ada@example.org"])
    ws.write_row(2, 0, [None, "South", "Bob", "bob@example"])
    wb.close()
    r = read_org_list(path)
    [p] = r.report.errors
    assert (p.code, p.location.sheet, p.location.cell) == ("org-invalid-email", "Partners", "A3")
    path2 = tmp_path / "ok.xlsx"
    wb = xlsxwriter.Workbook(str(path2))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["id", "name", "contact", "email"])
    ws.write_row(1, 0, [1001, "North", "Ada", "ada@example.org"])
    wb.close()
    r = read_org_list(path2)
    assert r.report.ok and r.organisations[0].id == "1001"


def test_missing_header(tmp_path: Path) -> None:
    r = read_org_list(csv(tmp_path, "organisation,email\nA,a@x.org\n"))
    [p] = r.report.errors
    assert p.code == "org-list-header"
    assert p.location.line == 1


def test_command_line_names_are_added(tmp_path: Path) -> None:
    r = read_org_list(None, extra_names=["North", "South"])
    assert [o.id for o in r.organisations] == ["north", "south"]
    r = read_org_list(None, extra_names=["North", "north"])
    assert [p.code for p in r.report.errors] == ["org-duplicate-id"]


def test_id_for_names_without_latin_letters() -> None:
    assert org_id_for("日本") == org_id_for("日本")
    assert org_id_for("日本").startswith("org-")
    assert org_id_for("日本") != org_id_for("中国")
