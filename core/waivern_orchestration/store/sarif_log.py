"""A run's findings as a SARIF 2.1.0 log (`wct export RUN_ID --format sarif`), for code
scanning in CI (GitHub's `upload-sarif`) and SARIF viewers: one result per finding that is
located in a file, written one at a time (a run may hold millions of findings).

The mapping (docs/cli.md, "SARIF"):

- the findings are the `findings` lists of the results document's artifacts (those the
  runbook marks `output: true`; `store/results.py`), `personal_data_finding` messages;
- a rule per finding `type` (`email`, `phone`, ...), in the order first met; a result's
  level follows the finding's `risk`: high → `error`, medium → `warning`, low → `note`;
- its message says what was found with the value as the finding holds it (masked): no raw
  data is added, and evidence snippets are left out;
- its location is the file (found under the `path` of the `filesystem` connectors the
  artifact reads from) relative to a source root, `uriBaseId` `SRCROOT`, which
  `originalUriBaseIds` gives as a file URI (default: the runbook's directory); a file
  outside the root is an absolute file URI; the region is the finding's first line;
- findings not located in a file (database tables, columns and rows) are not results
  (code scanning shows only results in files): the run's `properties.findingsNotInFiles`
  counts them by type, and the JSON results document holds them.

The run object's members are written results first, then the rules (known only once every
finding was seen): JSON objects have no order, and one pass keeps memory bounded.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from waivern_orchestration import __version__
from waivern_orchestration.components.filesystem import resolve_path
from waivern_orchestration.planner import ExecutionPlan
from waivern_orchestration.store.plans import stored_plan
from waivern_orchestration.store.results import results_document
from waivern_orchestration.store.run_store import RunStore
from waivern_orchestration.store.statuses import RunStatus

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SOURCE_ROOT_ID = "SRCROOT"
FINGERPRINT_KEY = "waivernFinding/v1"
LEVELS = {"high": "error", "medium": "warning", "low": "note"}
DEFAULT_LEVEL = "warning"
FILE_CONNECTOR = "filesystem"
_KNOWN_PATHS = 4096  # resolved file paths remembered (findings come grouped by file)


@dataclass
class SarifSummary:
    """What a written log holds."""

    results: int = 0
    not_in_files: Counter[str] = field(default_factory=Counter)


def write_sarif(
    store: RunStore,
    run_id: str,
    out: TextIO,
    *,
    source_root: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> SarifSummary:
    """Write the SARIF log of the run's findings to ``out``; ``source_root``: the folder
    file locations are relative to (default: the runbook's directory)."""
    document = results_document(store, run_id, warn)
    plan = stored_plan(store, run_id)
    run = document["run"]
    root = _absolute(source_root or Path(run["runbook_path"]).parent)
    rules = _Rules()
    summary = SarifSummary()
    out.write(
        "{\n"
        f'  "$schema": {json.dumps(SARIF_SCHEMA)},\n'
        '  "version": "2.1.0",\n'
        '  "runs": [\n'
        "    {\n"
        '      "results": ['
    )
    for name, artifact in document["artifacts"].items():
        content = artifact["content"]
        findings = content.get("findings") if content is not None else None
        if findings is None or isinstance(findings, str | bytes | dict):
            continue
        files = _FileLocator(_file_roots(plan, artifact["id"]), Path(run["runbook_path"]).parent)
        for finding in findings:
            result = _result(finding, name, files, root, rules)
            if result is None:
                kind = finding.get("type") if isinstance(finding, dict) else None
                summary.not_in_files[str(kind) if kind is not None else "unknown"] += 1
                continue
            out.write(("\n" if summary.results == 0 else ",\n") + " " * 8)
            out.write(json.dumps(result, ensure_ascii=False))
            summary.results += 1
    out.write("\n      ],\n" if summary.results else "],\n")
    tail: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "wct",
                "fullName": "Waivern Compliance Tool (wct)",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules.descriptors,
            }
        },
        "automationDetails": {"id": f"wct/{Path(run['runbook_path']).stem}/{run['run_id']}"},
        "originalUriBaseIds": {
            SOURCE_ROOT_ID: {
                "uri": root.as_uri().rstrip("/") + "/",
                "description": {"text": "The folder file locations are relative to."},
            }
        },
        "invocations": [_invocation(run)],
        "properties": {
            "runId": run["run_id"],
            "runbookPath": run["runbook_path"],
            "runStatus": str(run["status"]),
            "artifacts": list(document["artifacts"]),
            "findingsNotInFiles": {
                "total": sum(summary.not_in_files.values()),
                "byType": dict(sorted(summary.not_in_files.items())),
            },
        },
    }
    lines = json.dumps(tail, indent=2, ensure_ascii=False).splitlines()[1:-1]
    out.write("\n".join(" " * 4 + line for line in lines))
    out.write("\n    }\n  ]\n}\n")
    return summary


class _Rules:
    """A reporting descriptor per finding type, indexed in the order first met."""

    def __init__(self) -> None:
        self.descriptors: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}

    def index(self, kind: str, category: str, level: str) -> int:
        known = self._index.get(kind)
        if known is not None:
            return known
        words = kind.replace("_", " ")
        self._index[kind] = len(self.descriptors)
        self.descriptors.append(
            {
                "id": kind,
                "shortDescription": {"text": f"Personal data: {words}"},
                "fullDescription": {
                    "text": f"Personal data of type `{kind}` (category `{category}`) found in "
                    "a file by a Waivern runbook."
                },
                "defaultConfiguration": {"level": level},
                "properties": {"category": category, "tags": ["personal-data", category]},
            }
        )
        return self._index[kind]


def _result(
    finding: Any, artifact: str, files: _FileLocator, root: Path, rules: _Rules
) -> dict[str, Any] | None:
    """The SARIF result of a finding located in a file, else None."""
    if not isinstance(finding, dict) or not isinstance(finding.get("type"), str):
        return None
    location = finding.get("location")
    if not isinstance(location, dict) or not isinstance(location.get("file"), str):
        return None
    kind: str = finding["type"]
    category = str(finding.get("category", "personal data"))
    risk = finding.get("risk")
    level = LEVELS.get(risk, DEFAULT_LEVEL) if isinstance(risk, str) else DEFAULT_LEVEL
    artifact_location = _artifact_location(files.path(location["file"]), root)
    physical: dict[str, Any] = {"artifactLocation": artifact_location}
    line = location.get("line")
    if isinstance(line, int) and line >= 1:
        region: dict[str, int] = {"startLine": line}
        column = location.get("column")
        if isinstance(column, int) and column >= 1:
            region["startColumn"] = column
        physical["region"] = region
    value = finding.get("value")
    occurrences = finding.get("occurrences")
    text = f"Personal data ({kind}, {category}"
    text += f", {risk} risk)" if isinstance(risk, str) else ")"
    if isinstance(value, str) and value:
        text += f": {value}"  # masked by the processor; never the raw value
    if isinstance(occurrences, int) and occurrences > 1:
        text += f" ({occurrences} occurrences in this file)"
    identity = "\0".join((kind, artifact_location["uri"], str(value)))
    properties: dict[str, Any] = {"category": category, "artifact": artifact}
    for name in ("risk", "source", "occurrences", "detected_by"):
        if name in finding:
            properties[name] = finding[name]
    return {
        "ruleId": kind,
        "ruleIndex": rules.index(kind, category, level),
        "level": level,
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {
            FINGERPRINT_KEY: hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
        },
        "properties": properties,
    }


def _artifact_location(path: Path, root: Path) -> dict[str, str]:
    """Relative to the source root (`SRCROOT`) when the file is under it, else absolute."""
    try:
        relative = PurePosixPath(path.relative_to(root).as_posix())
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": quote(str(relative)), "uriBaseId": SOURCE_ROOT_ID}


class _FileLocator:
    """The absolute path of a finding's `location.file`: relative to the folder of the
    `filesystem` connector that listed it (the first root that has it, when the artifact
    reads from several); without such a connector (a `reuse`d input), the runbook's
    directory."""

    def __init__(self, roots: list[Path], fallback: Path) -> None:
        self._roots = roots or [_absolute(fallback)]
        self._known: dict[str, Path] = {}

    def path(self, file: str) -> Path:
        known = self._known.get(file)
        if known is not None:
            return known
        if os.path.isabs(file):
            found = _absolute(Path(file))
        else:
            candidates = [_absolute(root / file) for root in self._roots]
            there = (c for c in candidates if len(candidates) == 1 or c.exists())
            found = next(there, candidates[0])
        if len(self._known) >= _KNOWN_PATHS:
            self._known.clear()
        self._known[file] = found
        return found


def _file_roots(plan: ExecutionPlan, artifact_id: str) -> list[Path]:
    """The folders of the `filesystem` connectors an artifact reads from, in plan order."""
    upstream: set[str] = set()
    waiting = [artifact_id]
    while waiting:
        current = waiting.pop()
        if current not in upstream and current in plan:
            upstream.add(current)
            waiting.extend(plan[current].inputs)
    roots: dict[Path, None] = {}
    for planned in plan.artifacts:
        source = planned.definition.source
        if planned.id not in upstream or source is None or source.type != FILE_CONNECTOR:
            continue
        path = source.properties.get("path")
        if not isinstance(path, str) or "${" in path:
            continue  # recorded as a template (a secret value): not known here
        root = resolve_path(path, planned.runbook_dir)
        roots[_absolute(root.parent if root.is_file() else root)] = None
    return list(roots)


def _absolute(path: Path) -> Path:
    return Path(os.path.normpath(os.path.abspath(path)))


def _invocation(run: Any) -> dict[str, Any]:
    invocation: dict[str, Any] = {
        "executionSuccessful": run["status"] == RunStatus.COMPLETED,
        "startTimeUtc": _utc(run["started_at"]),
    }
    if run["completed_at"]:
        invocation["endTimeUtc"] = _utc(run["completed_at"])
    return invocation


def _utc(timestamp: str) -> str:
    return timestamp.removesuffix("+00:00") + "Z" if timestamp.endswith("+00:00") else timestamp
