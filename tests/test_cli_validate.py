"""`xlsxkit validate` through click's CliRunner: exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tests.fwtools import minimal, write
from xlsxkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    runner = CliRunner()
    if cwd is None:
        result = runner.invoke(cli, list(args))
    else:
        old = Path.cwd()
        os.chdir(cwd)
        try:
            result = runner.invoke(cli, list(args))
        finally:
            os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def test_bundled_framework_is_valid() -> None:
    code, out = run("validate", str(ROOT / "framework.yaml"))
    assert code == 0
    assert out.strip() == (
        f"{ROOT / 'framework.yaml'}: valid: 3 dimensions, 6 criteria, 3 stages, 29 actions"
    )


def test_default_is_local_framework_yaml(tmp_path: Path) -> None:
    write(tmp_path, minimal(), "framework.yaml")
    code, out = run("validate", cwd=tmp_path)
    assert code == 0
    assert out.strip() == "framework.yaml: valid: 1 dimensions, 1 criteria, 2 stages, 2 actions"


def test_default_falls_back_to_bundled(tmp_path: Path) -> None:
    code, out = run("validate", cwd=tmp_path)
    assert code == 0
    assert out.strip().endswith(
        "framework.yaml: valid: 3 dimensions, 6 criteria, 3 stages, 29 actions"
    )


def test_invalid_lists_every_problem_as_file_line_col(tmp_path: Path) -> None:
    doc = minimal()
    crit = doc["dimensions"][0]["criteria"][0]
    crit["actions"]["medium"] = [{"id": "act-one", "text": "again"}]
    path = write(tmp_path, doc, "broken.yaml")
    code, out = run("validate", str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[-1] == f"{path}: not valid: 2 problems"
    undeclared = next(line for line in lines if "not a declared stage" in line)
    assert undeclared.startswith(f"{path}:")
    _file, line_no, col, where, _ = undeclared.split(":", 4)
    assert int(line_no) > 0 and int(col) > 0
    assert where.strip() == "dimensions[0].criteria[0].actions.medium"
    assert any("id 'act-one' is already used" in line for line in lines)
    assert "Traceback" not in out


def test_syntax_error_exit_1(tmp_path: Path) -> None:
    path = write(tmp_path, "framework: [unclosed\nstages: x\n", "bad.yaml")
    code, out = run("validate", str(path))
    assert code == 1
    assert out.startswith(f"{path}:")
    assert "YAML syntax error" in out


def test_json_report(tmp_path: Path) -> None:
    doc = minimal()
    doc["dimensions"][0]["criteria"][0]["actions"]["medium"] = []
    path = write(tmp_path, doc)
    code, out = run("validate", "--json", str(path))
    assert code == 1
    payload = json.loads(out)
    assert payload["valid"] is False
    [problem] = payload["problems"]
    assert problem["code"] == "undeclared-stage"
    assert problem["severity"] == "error"
    assert problem["line"] > 0 and problem["column"] > 0
    assert problem["path"] == "dimensions[0].criteria[0].actions.medium"

    code, out = run("validate", "--json", str(ROOT / "framework.yaml"))
    assert code == 0
    payload = json.loads(out)
    assert payload["valid"] is True
    assert payload["counts"] == {"dimensions": 3, "criteria": 6, "stages": 3, "actions": 29}
    assert payload["framework"]["content_hash"].startswith("sha256:")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    code, out = run("validate", str(tmp_path / "nope.yaml"))
    assert code == 1
    assert "no such file" in out
    code, out = run("validate", str(tmp_path))
    assert code == 1
    assert "folder" in out


def test_usage_error_is_exit_2() -> None:
    code, out = run("validate", "--no-such-option")
    assert code == 2
    assert "No such option" in out


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "xlsxkit", "validate", str(ROOT / "framework.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "valid: 3 dimensions" in proc.stdout


def test_framework_option_works_as_for_every_other_command(tmp_path: Path) -> None:
    path = write(tmp_path, minimal(), "mine.yaml")
    code, out = run("validate", "--framework", str(path))
    assert code == 0
    assert out.strip() == f"{path}: valid: 1 dimensions, 1 criteria, 2 stages, 2 actions"
    code, out = run("validate", "--framework", str(path), "--json")
    assert code == 0 and json.loads(out)["valid"] is True
    code, out = run("validate", str(path), "--framework", str(path))
    assert code == 0


def test_two_different_frameworks_are_a_usage_error(tmp_path: Path) -> None:
    a = write(tmp_path, minimal(), "a.yaml")
    b = write(tmp_path, minimal(), "b.yaml")
    code, out = run("validate", str(a), "--framework", str(b))
    assert code == 2
    assert "two frameworks given" in out


def test_a_framework_over_one_megabyte_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * 110_000)
    code, out = run("validate", str(path))
    assert code == 1
    assert (
        f"{path}: the framework may be at most 1 MB (1,048,576 bytes) and this file is "
        "1,100,000 bytes" in out
    )


def test_a_file_nested_hundreds_of_levels_deep_is_refused_with_its_reason(tmp_path: Path) -> None:
    """Each parser and the builder recurse once per level: deep nesting must be a message,
    never a RecursionError (an unclosed '[' repeated, or a real but absurd depth)."""
    for depth in (300, 480, 600, 5000):
        for text in ("[" * depth + "]" * depth, "[" * depth, "a:\n" + "- " * depth + "x\n"):
            path = tmp_path / "deep.yaml"
            path.write_text(f"id: x\ntitle: {text}\n", encoding="utf-8")
            code, out = run("validate", str(path))
            assert code != 0, (depth, text[:20])
            assert "Traceback" not in out and "internal error" not in out, out[-500:]
            assert str(path) in out
