"""Runbooks built in Python: analyse, plan and run a `Runbook` without writing YAML.

A `Runbook` object goes the way a runbook file goes (text → analysis → plan → run), so
that it is checked by the same rules and runs the same way: it is written as YAML
(`runbook_yaml`) and that text is analysed as if it stood in the file
``base_dir / "<name>.python.yaml"`` (`runbook_path`). That file is never written and
need not exist: it is where relative paths start (a `filesystem` connector's `path`,
`child_runbook.path`, `config.template_paths`, `.env` files), the file the diagnostics
name, and the runbook path a run records (`wct runs`). Diagnostics' ranges are
positions in `runbook_yaml`'s text (also `Analysis.text`).

The models already refuse what one artifact gets wrong on its own (a `ValidationError`
when the `Runbook` is built); the analysis adds what needs the whole runbook, the
components or other files: references, cycles, schemas, connector and processor
properties, child runbooks, environment variables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from waivern_orchestration.analysis import Analysis, analyse
from waivern_orchestration.analysis.dotenv_files import runbook_environment
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.execution.events import EventSink, SilentSink
from waivern_orchestration.execution.outcome import RunOutcome
from waivern_orchestration.execution.runs import RunRequest, execute
from waivern_orchestration.models import Runbook, RunbookInput
from waivern_orchestration.planner import ExecutionPlan, Planner
from waivern_orchestration.store.location import store_directory
from waivern_orchestration.store.reports import artifact_message
from waivern_orchestration.store.run_store import RunStore

__all__ = [
    "analyse_runbook",
    "artifact_output",
    "plan_runbook",
    "run_runbook",
    "runbook_path",
    "runbook_yaml",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def runbook_yaml(runbook: Runbook) -> str:
    """The runbook as a YAML runbook file would say it: the fields that were set, in the
    models' order."""
    return yaml.safe_dump(
        _as_written(runbook), sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def runbook_path(runbook: Runbook, base_dir: Path | str | None = None) -> Path:
    """The file the runbook stands for: ``<base_dir>/<name>.python.yaml`` (absolute;
    ``base_dir`` defaults to the current directory), never written."""
    stem = _UNSAFE.sub("-", runbook.name).strip("-") or "runbook"
    return Path(base_dir if base_dir is not None else ".").absolute() / f"{stem}.python.yaml"


def analyse_runbook(
    runbook: Runbook,
    base_dir: Path | str | None = None,
    *,
    registry: ComponentRegistry | None = None,
    env: Mapping[str, str] | None = None,
) -> Analysis:
    """Every problem of the runbook as diagnostics (`Analysis.diagnostics`), as `wct
    validate` finds them in a file. Never raises for a problem of the runbook.

    ``env``: the variables `${VAR}` take; default: this process' environment over the
    `.env` files of ``base_dir`` and of the current directory."""
    path = runbook_path(runbook, base_dir)
    return analyse(
        runbook_yaml(runbook),
        path,
        registry=registry,
        env=_environment(path, env),
    )


def plan_runbook(
    runbook: Runbook,
    base_dir: Path | str | None = None,
    *,
    registry: ComponentRegistry | None = None,
    env: Mapping[str, str] | None = None,
) -> ExecutionPlan:
    """The runbook's execution plan (child runbooks flattened, variables substituted).
    Raises `PlanningError` (every error in its ``diagnostics``) when the analysis finds
    an error or a variable without a value."""
    path = runbook_path(runbook, base_dir)
    planner = Planner(registry=registry, env=_environment(path, env))
    return planner.plan_text(runbook_yaml(runbook), path)


def run_runbook(
    runbook: Runbook,
    base_dir: Path | str | None = None,
    *,
    store_dir: Path | str | None = None,
    resume: str | None = None,
    registry: ComponentRegistry | None = None,
    env: Mapping[str, str] | None = None,
    workers: int | None = None,
    executor: str | None = None,
    events: EventSink | None = None,
) -> RunOutcome:
    """Plan and run the runbook, as `wct run` does, recording the run in the run store at
    ``store_dir`` (default: `$WCT_STORE`, else `./.waivern`); returns how it ended
    (`RunOutcome`: run id, status, counts). ``resume``: the id of an earlier run of this
    runbook to go on with. ``workers`` and ``executor`` are `wct run`'s `--workers` and
    `--executor`; ``events`` hears the run's events as it goes.

    Raises `PlanningError` for a runbook with errors, `StoreError` for a store that
    cannot be used (or an unknown run to resume)."""
    path = runbook_path(runbook, base_dir)
    request = RunRequest(
        path,
        _store(store_dir),
        resume=resume,
        registry=registry,
        env=_environment(path, env),
        workers=workers,
        executor=executor,
        text=runbook_yaml(runbook),
    )
    return execute(request, events or SilentSink(), lambda _line: None)


def artifact_output(
    run_id: str, artifact: str, store_dir: Path | str | None = None
) -> dict[str, Any]:
    """The stored output of an artifact of a run, as `wct inspect RUN_ID ARTIFACT --json`
    shows it: `{"id", "schema": {"name", "version"}, "content", "extensions"}`. ``artifact``
    is an id of the plan or the name a child runbook's output has in the runbook. A
    streamed list in the content is a sequence read from the store as it is iterated.

    Raises `RunNotFound` for an unknown run, `NoStoredOutput` for an artifact without a
    stored output (unknown, not completed, or sensitive)."""
    with RunStore(_store(store_dir)) as store:
        return artifact_message(store, run_id, artifact)


def _store(store_dir: Path | str | None) -> Path:
    return store_directory(Path(store_dir) if store_dir is not None else None)


def _environment(path: Path, env: Mapping[str, str] | None) -> Mapping[str, str]:
    return runbook_environment(path) if env is None else env


def _as_written(model: BaseModel) -> dict[str, Any]:
    """The fields set on ``model``; one set to None where None is the default is left
    out, as a runbook leaves it unwritten (`inputs: null` would be an `inputs` to the
    analysis). A runbook input's `default: null` is kept: it is a default."""
    written: dict[str, Any] = {}
    for name in type(model).model_fields:
        if name not in model.model_fields_set:
            continue
        value = getattr(model, name)
        if value is None and not (isinstance(model, RunbookInput) and name == "default"):
            continue
        written[name] = _value(value)
    return written


def _value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _as_written(value)
    if isinstance(value, Mapping):
        return {str(key): _value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    return to_jsonable_python(value)
