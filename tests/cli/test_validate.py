"""`wct validate FILE... [--format text|json]`: what it prints and how it exits
(DESIGN.md §4.2: 0 no errors, 1 errors, 2 usage or I/O error)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from unittest.mock import ANY

import pytest

from waivern_orchestration.cli.app import main

WriteFile = Callable[[str, str], Path]

# Two independent errors: a misspelt connector (6:13) and an unknown input (10:13).
TWO_ERRORS = """\
    name: Two errors
    description: a misspelt connector and an unknown input
    artifacts:
      db:
        source:
          type: sqllite
          properties: {database_path: app.db}
        output: true
      findings:
        inputs: dbb
        process:
          type: personal_data
        output: true
    """

VALID = """\
    name: Valid
    description: files scanned for personal data
    artifacts:
      files:
        source:
          type: filesystem
          properties: {path: data}
      findings:
        inputs: files
        process:
          type: personal_data
        output: true
    """

# Valid, with one hint: `database` is neither an output nor used (4:3).
UNUSED = """\
    name: Unused
    description: an artifact nobody uses
    artifacts:
      database:
        source:
          type: sqlite
          properties: {database_path: app.db}
      files:
        source:
          type: filesystem
          properties: {path: data}
        output: true
    """


def wct(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_two_errors(lines: list[str], shown_path: str) -> None:
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{shown_path}:6:13: error WCT020 ")
    assert "`sqllite`" in lines[0]
    assert "did you mean `sqlite`?" in lines[0]
    assert lines[1].startswith(f"{shown_path}:10:13: error WCT010 ")
    assert "`dbb`" in lines[1]
    assert "did you mean `db`?" in lines[1]


# -- text ----------------------------------------------------------------------------------


def test_every_error_is_printed_with_its_1_based_position(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file("two_errors.yaml", TWO_ERRORS)

    assert main(["validate", str(path)]) == 1

    printed = capsys.readouterr()
    assert_two_errors(printed.out.splitlines(), str(path))
    assert printed.err.splitlines() == ["1 file checked: 2 errors"]


def test_a_valid_runbook_exits_0_and_prints_no_diagnostic(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file("valid.yaml", VALID)

    assert main(["validate", str(path)]) == 0

    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.splitlines() == ["1 file checked: 0 errors"]


def test_a_hint_is_printed_but_does_not_fail(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file("unused.yaml", UNUSED)

    assert main(["validate", str(path)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:4:3: hint WCT090 ")


@pytest.mark.parametrize("kind", ["missing", "directory", "latin-1"])
def test_an_unreadable_file_is_one_line_on_stderr_and_exit_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unreadable = tmp_path / "runbook.yaml"
    if kind == "directory":
        unreadable.mkdir()
    elif kind == "latin-1":
        unreadable.write_bytes("name: Café\n".encode("latin-1"))

    assert main(["validate", str(unreadable)]) == 2

    printed = capsys.readouterr()
    assert printed.out == ""
    assert len(printed.err.splitlines()) == 1
    assert str(unreadable) in printed.err
    assert "Traceback" not in printed.err


def test_several_files_are_reported_together(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    valid = write_file("valid.yaml", VALID)
    broken = write_file("two_errors.yaml", TWO_ERRORS)
    unused = write_file("unused.yaml", UNUSED)

    assert main(["validate", str(valid), str(broken), str(unused)]) == 1

    printed = capsys.readouterr()
    lines = printed.out.splitlines()
    assert_two_errors(lines[:2], str(broken))
    assert lines[2].startswith(f"{unused}:4:3: hint WCT090 ")
    assert len(lines) == 3
    assert printed.err.splitlines() == ["3 files checked: 2 errors, 1 other finding"]


def test_a_missing_file_among_others_still_reports_the_others(
    write_file: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = write_file("two_errors.yaml", TWO_ERRORS)
    missing = tmp_path / "nowhere.yaml"

    assert main(["validate", str(missing), str(broken)]) == 2

    printed = capsys.readouterr()
    assert_two_errors(printed.out.splitlines(), str(broken))
    assert len(printed.err.splitlines()) == 1
    assert str(missing) in printed.err


def test_no_file_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["validate"])

    assert exited.value.code == 2


# -- json ----------------------------------------------------------------------------------


def test_json_is_one_object_with_0_based_positions(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file(
        "unknown_input.yaml",
        """\
        name: Unknown input
        description: one unknown input
        artifacts:
          findings:
            inputs: filez
            output: true
        """,
    )

    assert main(["validate", "--format", "json", str(path)]) == 1

    printed = json.loads(capsys.readouterr().out)
    assert printed == {
        "diagnostics": [
            {
                "file": str(path),
                "range": {
                    "start": {"line": 4, "character": 12},
                    "end": {"line": 4, "character": 17},
                },
                "severity": "error",
                "code": "WCT010",
                "message": ANY,
                "related": [],
            }
        ]
    }
    assert "`filez`" in printed["diagnostics"][0]["message"]


def test_json_related_information_points_into_the_child_file(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = write_file(
        "parent.yaml",
        """\
        name: Parent
        description: uses a broken child runbook
        artifacts:
          files:
            source:
              type: filesystem
              properties: {path: data}
          scan:
            inputs: files
            child_runbook:
              path: child.yaml
              input_mapping: {documents: files}
              output: findings
            output: true
        """,
    )
    child = write_file(
        "child.yaml",
        """\
        name: Child
        description: its processor type is misspelt
        inputs:
          documents:
            input_schema: standard_input/1.0.0
        outputs:
          findings:
            artifact: pd
        artifacts:
          pd:
            inputs: documents
            process:
              type: personal_dta
        """,
    )

    assert main(["validate", "--format", "json", str(parent)]) == 1

    (diagnostic,) = json.loads(capsys.readouterr().out)["diagnostics"]
    assert diagnostic["code"] == "WCT046"
    assert diagnostic["range"]["start"] == {"line": 10, "character": 12}
    (related,) = diagnostic["related"]
    assert set(related) == {"file", "range", "message"}
    assert Path(related["file"]).resolve() == child.resolve()
    assert related["range"] == {
        "start": {"line": 12, "character": 12},
        "end": {"line": 12, "character": 24},
    }
    assert "WCT021" in related["message"]


def test_json_with_a_missing_file_is_still_one_object(
    write_file: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    valid = write_file("valid.yaml", VALID)

    assert main(["validate", "--format", "json", str(valid), str(tmp_path / "no.yaml")]) == 2

    printed = capsys.readouterr()
    assert json.loads(printed.out) == {"diagnostics": []}
    assert len(printed.err.splitlines()) == 1


# -- as a process ----------------------------------------------------------------------------


def test_validate_as_a_process(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("two_errors.yaml", TWO_ERRORS)

    broken = wct("validate", "two_errors.yaml", cwd=tmp_path)
    missing = wct("validate", "nowhere.yaml", cwd=tmp_path)

    assert broken.returncode == 1
    assert_two_errors(broken.stdout.splitlines(), "two_errors.yaml")
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert len(missing.stderr.splitlines()) == 1
    assert "nowhere.yaml" in missing.stderr
    assert "Traceback" not in missing.stderr
