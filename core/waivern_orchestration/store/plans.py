"""The plan a run records when it starts, and read back (a resume runs it again;
`inspect` resolves aliases with it). A plan the store holds damaged is one StoreError.

The recorded plan never holds a secret value (`redaction`): each is written `${NAME}`, and
the plan lists those names (`secret_variables`); a resume takes their values from its own
environment again, and refuses to start without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from waivern_orchestration.planner import ExecutionPlan
from waivern_orchestration.redaction import MissingSecrets, Redactor, redacted_names, restored
from waivern_orchestration.store.run_store import RunStore, StoreError

SECRET_VARIABLES = "secret_variables"


def plan_to_record(plan: ExecutionPlan, redact: Redactor) -> dict[str, Any]:
    """The plan as a run records it: secret values replaced by `${NAME}`."""
    recorded: dict[str, Any] = redact.data(plan.to_json())
    names = redacted_names(recorded, redact)
    if names:
        recorded[SECRET_VARIABLES] = names
    return recorded


def stored_plan(
    store: RunStore, run_id: str, env: Mapping[str, str] | None = None
) -> ExecutionPlan:
    """The recorded plan; with ``env`` (to run it again), secret values put back."""
    try:
        data = store.plan_json(run_id)
        if env is not None:
            data = restored(data, data.get(SECRET_VARIABLES, ()), env)
        return ExecutionPlan.from_json(data)
    except StoreError:
        raise
    except MissingSecrets as missing:
        plural = "s" if len(missing.names) > 1 else ""
        names = ", ".join(missing.names)
        raise StoreError(
            f"run {run_id} needs the secret variable{plural} {names}, whose value{plural} "
            f"the run store does not keep: set {names} to resume it"
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StoreError(
            f"the run store at {store.directory} holds a plan for run {run_id} that this wct "
            f"cannot read ({type(error).__name__}: {error}): start a new run"
        ) from None
