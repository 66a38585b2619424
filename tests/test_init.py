"""`xlsxkit init`: editable copies of the bundled files and an empty partner list, never
overwriting anything."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from xlsxkit import resources
from xlsxkit.cli import cli

STARTER = (
    "framework.yaml",
    "schema.json",
    "templates/email.txt",
    "templates/feedback.txt",
    "templates/instructions.txt",
    "templates/reminder.txt",
    "partners.csv",
    "xlsxkit.yaml",
    "xlsxkit.db",
)


def invoke(*args: str | Path, cwd: Path | None = None) -> Result:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_init_writes_editable_copies_and_an_empty_partner_list(tmp_path: Path) -> None:
    target = tmp_path / "campaign"
    result = invoke("init", target)
    assert result.exit_code == 0, result.output
    assert files_under(target) == set(STARTER)
    assert (target / "framework.yaml").read_bytes() == resources.bundled_framework().read_bytes()
    assert (target / "schema.json").read_bytes() == resources.schema_path().read_bytes()
    assert (target / "templates" / "instructions.txt").read_bytes() == (
        resources.templates_dir() / "instructions.txt"
    ).read_bytes()
    assert (target / "partners.csv").read_text("utf-8-sig") == "id,name,contact,email\n"
    for name in STARTER:
        assert name in result.output


def test_init_without_a_folder_uses_the_current_one(tmp_path: Path) -> None:
    result = invoke("init", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert files_under(tmp_path) == set(STARTER)


@pytest.mark.parametrize("existing", STARTER)
def test_init_refuses_to_overwrite_any_file_and_writes_nothing(
    existing: str, tmp_path: Path
) -> None:
    target = tmp_path / "campaign"
    (target / existing).parent.mkdir(parents=True, exist_ok=True)
    (target / existing).write_text("mine\n")
    result = invoke("init", target)
    assert result.exit_code == 1
    assert str(target / existing) in result.output
    assert "never overwrites" in result.output and "nothing was written" in result.output
    assert (target / existing).read_text() == "mine\n"
    assert files_under(target) == {existing}


def test_init_refuses_a_link_in_the_way_without_following_it(tmp_path: Path) -> None:
    target = tmp_path / "campaign"
    target.mkdir()
    (target / "partners.csv").symlink_to(tmp_path / "elsewhere.csv")
    result = invoke("init", target)
    assert result.exit_code == 1
    assert not (tmp_path / "elsewhere.csv").exists()
    assert files_under(target) == set()


def test_commands_run_in_an_initialised_folder_use_its_files(tmp_path: Path) -> None:
    assert invoke("init", cwd=tmp_path).exit_code == 0
    framework = tmp_path / "framework.yaml"
    framework.write_text(
        framework.read_text("utf-8").replace(
            'title: "Engaging people', 'title: "Our own edition of Engaging people', 1
        ),
        "utf-8",
    )
    template = tmp_path / "templates" / "instructions.txt"
    template.write_text("Our own words for $organisation.\n", "utf-8")
    with (tmp_path / "partners.csv").open("a", encoding="utf-8") as fh:
        fh.write(",North Trust,Ada,ada@example.org\n")
    validated = invoke("validate", cwd=tmp_path)
    assert validated.exit_code == 0, validated.output
    assert validated.output.startswith("framework.yaml: valid")
    result = invoke("generate", "--orgs", "partners.csv", "--out", "outbox", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "outbox" / "north-trust.xlsx")
    cells = [c for row in wb["Start"].iter_rows(values_only=True) for c in row if c]
    assert any("Our own edition of Engaging people" in str(c) for c in cells)
    assert "Our own words for North Trust." in cells


def test_init_prints_commands_that_run_when_pasted(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("xlsxkit")
    if not script.exists():
        pytest.skip("xlsxkit is not installed as a script next to this Python")
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # as in a shell without the venv activated
    target = tmp_path / "my campaign"
    proc = subprocess.run(
        [str(script), "init", str(target)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    start = lines.index("Next: fill in partners.csv, then run, in that folder:")
    commands = [line.strip() for line in lines[start + 1 :]]
    assert commands[0] == f"cd {shlex.quote(str(target))}"
    assert commands[1].endswith(" validate")
    shell = subprocess.run(
        ["/bin/sh", "-c", " && ".join(commands[:2])],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.startswith("framework.yaml: valid")
