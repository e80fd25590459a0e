"""The original `wct`'s command names still work (scripts written for it keep running):
`validate-runbook`, `generate-schema`, `connectors` and `processors` do what `validate`,
`schema` and `components` (one kind) do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "simple_files" / "runbook.yaml"


def wct(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_validate_runbook_and_generate_schema_are_validate_and_schema() -> None:
    assert wct("validate-runbook", EXAMPLE).stdout == wct("validate", EXAMPLE).stdout
    assert wct("validate-runbook", EXAMPLE).returncode == 0
    assert wct("generate-schema").stdout == wct("schema").stdout


def test_connectors_and_processors_list_one_kind_each() -> None:
    everything = json.loads(wct("components", "--json").stdout)
    connectors = json.loads(wct("connectors", "--json").stdout)
    processors = json.loads(wct("processors", "--json").stdout)
    assert connectors == {"connectors": everything["connectors"], "problems": []}
    assert processors == {"processors": everything["processors"], "problems": []}
    table = wct("connectors").stdout
    assert "filesystem" in table and "personal_data" not in table
    helped = wct("processors", "--help")
    assert helped.returncode == 0 and "List the installed processors" in helped.stdout
