"""The plan a run recorded when it started, read back (a resume runs it again; `inspect`
resolves aliases with it). A plan the store holds damaged is one StoreError."""

from __future__ import annotations

from waivern_orchestration.planner import ExecutionPlan
from waivern_orchestration.store.run_store import RunStore, StoreError


def stored_plan(store: RunStore, run_id: str) -> ExecutionPlan:
    try:
        return ExecutionPlan.from_json(store.plan_json(run_id))
    except StoreError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StoreError(
            f"the run store at {store.directory} holds a plan for run {run_id} that this wct "
            f"cannot read ({type(error).__name__}: {error}): start a new run"
        ) from None
