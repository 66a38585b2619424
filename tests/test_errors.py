"""One exception family, mapped to exit codes in one place (the CLI group)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xlsxkit import errors
from xlsxkit.cli import XlsxkitGroup, cli
from xlsxkit.errors import XlsxkitError


def _group(action: object) -> click.Group:
    group = XlsxkitGroup(name="xlsxkit")

    @group.command("job")
    def job() -> object:
        if isinstance(action, BaseException):
            raise action
        return action

    return group


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.FrameworkError("framework.yaml: the framework is not valid"), 1),
        (errors.ManifestError("m.csv: the manifest is not UTF-8 text"), 1),
        (errors.JobFailed("nothing could be imported"), 1),
        (errors.UsageError("out: is a file; give a folder"), 2),
    ],
)
def test_an_xlsxkit_error_is_its_message_and_its_exit_code(error: XlsxkitError, code: int) -> None:
    result = CliRunner().invoke(_group(error), ["job"])
    assert result.exit_code == code == type(error).exit_code
    assert result.output == f"Error: {error}\n"
    assert isinstance(result.exception, SystemExit)


def test_a_command_may_return_its_exit_code() -> None:
    assert CliRunner().invoke(_group(1), ["job"]).exit_code == 1
    assert CliRunner().invoke(_group(0), ["job"]).exit_code == 0
    assert CliRunner().invoke(_group(None), ["job"]).exit_code == 0


def test_other_exceptions_are_not_taken_for_input_errors() -> None:
    result = CliRunner().invoke(_group(KeyError("bug")), ["job"])
    assert isinstance(result.exception, KeyError)


def test_every_error_class_is_in_the_family() -> None:
    classes = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Exception)]
    assert len(classes) >= 8
    assert all(issubclass(c, XlsxkitError) and c.exit_code in (1, 2) for c in classes)


def test_the_commands_library_errors_reach_the_user_through_the_group(tmp_path: Path) -> None:
    full = tmp_path / "out"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    result = CliRunner().invoke(cli, ["generate", "--org", "North", "--out", str(full)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {full}: the folder is not empty; choose")
    assert (full / "keep.txt").read_text() == "x"
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(b"\xff\xfe\x00bad")
    result = CliRunner().invoke(
        cli,
        ["import", str(tmp_path), "--out", str(tmp_path / "s.xlsx"), "--manifest", str(manifest)],
    )
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {manifest}: the manifest is not UTF-8 text\n",
    )
