"""`reuse` against the run store (WCT060): the earlier run must be there and have a
stored output for the artifact (by id or by the name the runbook gave it)."""

from __future__ import annotations

from waivern_orchestration.analysis.env_vars import ENV_REFERENCE, expand
from waivern_orchestration.analysis.scope import RunbookScope
from waivern_orchestration.analysis.suggestions import did_you_mean


def check_reuse(scope: RunbookScope) -> None:
    runs = scope.context.runs
    if runs is None:
        return
    for info in scope.artifacts.values():
        if info.reuse is None:
            continue
        run, artifact = info.reuse
        if not run.name or not artifact.name:
            continue  # an empty value is a structure problem (WCT002), said already
        # `${EARLIER_RUN}`: checked with the value it has (unset and no default: that is
        # WCT050's to say, and the run it names is not known)
        run_id = expand(run.name, scope.context.env)
        artifact_id = expand(artifact.name, scope.context.env)
        if ENV_REFERENCE.search(run_id) or ENV_REFERENCE.search(artifact_id):
            continue
        produced = runs.run_artifacts(run_id)
        if produced is None and runs.problem is not None:
            scope.report(
                "WCT060",
                run.range,
                f"run `{run_id}` cannot be checked: {runs.problem}",
            )
        elif produced is None:
            where = "the run store" if runs.available() else "the run store (none yet)"
            scope.report(
                "WCT060",
                run.range,
                f"run `{run_id}` is not in {where} at {runs.directory}: check the id "
                "with `wct runs` (a run from another store will fail here)",
            )
        elif artifact_id not in produced:
            scope.report(
                "WCT060",
                artifact.range,
                f"run `{run_id}` has no stored output for `{artifact_id}`"
                f"{did_you_mean(artifact_id, produced)}",
            )
