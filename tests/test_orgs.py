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


def test_unicode_text_from_excel_is_read_as_utf16(tmp_path: Path) -> None:
    # Excel's "Unicode text": UTF-16 little-endian with a byte-order mark, tab separated.
    text = (
        "id\tname\tcontact\temail\r\n\tCafé Société\tZoë Ærø\tz@x.org\r\nb2\tZürich Ärzte\t\t\r\n"
    )
    path = tmp_path / "orgs.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    r = read_org_list(path)
    assert r.report.ok, r.report.render_text()
    assert [(o.id, o.name, o.contact) for o in r.organisations] == [
        ("cafe-societe", "Café Société", "Zoë Ærø"),
        ("b2", "Zürich Ärzte", ""),
    ]
    big_endian = tmp_path / "be.csv"
    big_endian.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    assert [o.name for o in read_org_list(big_endian).organisations] == [
        "Café Société",
        "Zürich Ärzte",
    ]


def test_a_list_with_only_its_header_is_an_error(tmp_path: Path) -> None:
    r = read_org_list(csv(tmp_path, "id,name,contact,email\n\n"))
    assert r.organisations == ()
    [p] = r.report.errors
    assert p.code == "org-list-no-organisations"
    assert "has a header but no organisations" in p.message
    assert p.location.file == str(tmp_path / "orgs.csv")
    path = tmp_path / "orgs.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Partners").write_row(0, 0, ["id", "name", "contact", "email"])
    wb.close()
    [p] = read_org_list(path).report.errors
    assert (p.code, p.location.sheet) == ("org-list-no-organisations", "Partners")


def test_a_header_only_list_with_names_on_the_command_line_is_fine(tmp_path: Path) -> None:
    r = read_org_list(csv(tmp_path, "id,name,contact,email\n"), extra_names=["North"])
    assert r.report.ok
    assert [o.name for o in r.organisations] == ["North"]


def test_a_header_only_list_makes_generate_fail_and_write_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from xlsxkit.cli import cli

    path = csv(tmp_path, "id,name,contact,email\n")
    result = CliRunner().invoke(
        cli, ["generate", "--orgs", str(path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "has a header but no organisations" in result.output
    assert not (tmp_path / "o").exists()


def test_long_values_are_quoted_shortened_in_messages(tmp_path: Path) -> None:
    r = read_org_list(csv(tmp_path, "id,name,contact,email\n,Alpha,," + "e" * 5000 + "\n"))
    [p] = r.report.errors
    assert p.code == "org-invalid-email"
    assert len(p.message) < 200 and "..." in p.message
