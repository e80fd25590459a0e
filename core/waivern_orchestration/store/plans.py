"""The plan a run records when it starts, and read back (a resume runs it again;
`inspect` resolves aliases with it). A plan the store holds damaged is one StoreError.

The recorded plan never holds a secret value (`redaction`): a string that substituted a
secret variable is recorded as written (`ExecutionPlan.to_json`), and a resume
substitutes it again from its own environment, refusing to start when a variable it
needs is not set. Ids, keys, paths and every other string are recorded as they are.

Plans recorded by the wct of 0e8d4c6 (never released) hold `${NAME}` wherever a secret
value was found, listed in `secret_variables`: a resume puts the values back everywhere
but in artifact ids and alias names, which the run's artifact rows give exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from waivern_orchestration.planner import ExecutionPlan
from waivern_orchestration.redaction import MissingSecrets
from waivern_orchestration.store.run_store import RunStore, StoreError

LEGACY_SECRET_VARIABLES = "secret_variables"
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def plan_to_record(plan: ExecutionPlan) -> dict[str, Any]:
    """The plan as a run records it: templates, never secret values."""
    return plan.to_json()


def stored_plan(
    store: RunStore, run_id: str, env: Mapping[str, str] | None = None
) -> ExecutionPlan:
    """The recorded plan; with ``env`` (to run it again), secret substitutions made again."""
    try:
        data = store.plan_json(run_id)
        if LEGACY_SECRET_VARIABLES in data:
            data = _from_legacy(data, store, run_id, env)
        return ExecutionPlan.from_json(data, env)
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


def _from_legacy(
    data: dict[str, Any], store: RunStore, run_id: str, env: Mapping[str, str] | None
) -> dict[str, Any]:
    """A plan recorded with `secret_variables` (0e8d4c6), with the values put back from
    ``env``; without ``env``, only its ids made to match the run's artifact rows."""
    names = set(data[LEGACY_SECRET_VARIABLES])
    values = {name: env[name] for name in names if env is not None and name in env}
    missing: set[str] = set()

    def put_back(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            return match.group(0)
        if name not in values:
            missing.add(name)
            return match.group(0)
        return values[name]

    def text(value: str) -> str:
        return _REFERENCE.sub(put_back, value) if "${" in value else value

    rows = store.artifacts(run_id)
    known = {row.artifact_id for row in rows} | {row.alias for row in rows if row.alias}

    def an_id(value: str) -> str:
        # The rows hold the ids as planned; `${NAME}` in a recorded id may be a redacted
        # value or the text of a child path as written: whichever the rows know.
        if value in known:
            return value
        restored = _REFERENCE.sub(
            lambda match: (
                values.get(match.group(1), match.group(0))
                if match.group(1) in names
                else match.group(0)
            ),
            value,
        )
        return restored if restored in known else value

    plan = {
        key: _each_string(value, text)
        for key, value in data.items()
        if key not in ("artifacts", "aliases", LEGACY_SECRET_VARIABLES)
    }
    plan["artifacts"] = [
        {
            **{key: _each_string(value, text) for key, value in item.items()},
            "id": an_id(item["id"]),
            "inputs": [an_id(name) for name in item["inputs"]],
        }
        for item in data["artifacts"]
    ]
    plan["aliases"] = {an_id(name): an_id(target) for name, target in data["aliases"].items()}
    if env is not None and missing:
        raise MissingSecrets(missing)
    return plan


def _each_string(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_each_string(item, change) for item in value]
    if isinstance(value, dict):
        return {
            _each_string(key, change): _each_string(item, change) for key, item in value.items()
        }
    return value
