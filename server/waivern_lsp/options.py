"""Initialization options: a fully defaulted, typed structure.

Every option is optional. An option of the wrong type or an unknown option becomes a
message for the user and the default is used: a bad setting never stops the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waivern_lsp.diagnostic_cap import DEFAULT_MAX_DIAGNOSTICS
from waivern_orchestration.execution.executors import ExecutorError, parse_executor

# Beyond this many, a cap no longer spares the editor anything.
MAX_DIAGNOSTICS_LIMIT = 100_000
DEFAULT_RUNBOOK_GLOBS = (
    "**/runbook.yaml",
    "**/runbook.yml",
    "**/*.runbook.yaml",
    "**/*.runbook.yml",
)


@dataclass(frozen=True)
class ServerOptions:
    # The run store folder; None: $WCT_STORE, else `.waivern` in the first workspace folder.
    store: Path | None = None
    # Files matching these globs are runbooks even before they have `artifacts:`; any
    # YAML file whose root mapping has `artifacts` is one too.
    runbook_globs: tuple[str, ...] = DEFAULT_RUNBOOK_GLOBS
    # Extra wait after an edit before analysing, in milliseconds. 0 (the default): analyse
    # at once, coalescing edits that arrive while an analysis runs.
    debounce_ms: int = 0
    # Send a `waivern/runProgress` notification for each event of a run started from the
    # editor (the VS Code extension's status bar and DAG view follow runs with it).
    run_events: bool = False
    # Where runs started from the editor execute (`wct run --executor`): None is
    # $WCT_EXECUTOR in the server's environment, else local.
    executor: str | None = None
    # At most this many diagnostics are published per file, errors first, then one that
    # counts the rest by code (`diagnostic_cap`).
    max_diagnostics: int = DEFAULT_MAX_DIAGNOSTICS
    problems: tuple[str, ...] = field(default=(), compare=False)


# option name as sent by clients (camelCase, as VS Code settings and Neovim configs write
# it; snake_case accepted too) -> field
_NAMES = {
    "store": "store",
    "runbookGlobs": "runbook_globs",
    "runbook_globs": "runbook_globs",
    "debounceMs": "debounce_ms",
    "debounce_ms": "debounce_ms",
    "debounce": "debounce_ms",
    "runEvents": "run_events",
    "run_events": "run_events",
    "executor": "executor",
    "maxDiagnostics": "max_diagnostics",
    "max_diagnostics": "max_diagnostics",
}


def parse_options(raw: Any) -> ServerOptions:
    """Options from the client's `initializationOptions` (any JSON value)."""
    if raw is None:
        return ServerOptions()
    if not isinstance(raw, Mapping):
        return ServerOptions(
            problems=(
                f"initializationOptions must be an object, not {_json_type(raw)}: defaults used",
            )
        )
    problems: list[str] = []
    chosen: dict[str, Any] = {}
    for name, value in raw.items():
        target = _NAMES.get(str(name))
        if target is None:
            known = ", ".join(
                sorted(
                    {
                        "store",
                        "runbookGlobs",
                        "debounceMs",
                        "runEvents",
                        "executor",
                        "maxDiagnostics",
                    }
                )
            )
            problems.append(f"unknown option `{name}` ignored (options: {known})")
            continue
        parsed, problem = _PARSERS[target](value)
        if problem is not None:
            problems.append(f"option `{name}`: {problem}; the default is used")
        elif parsed is not None:
            chosen[target] = parsed
    return ServerOptions(**chosen, problems=tuple(problems))


def _store(value: Any) -> tuple[Path | None, str | None]:
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"expected a folder path (string), got {_json_type(value)}"
    return Path(value).expanduser(), None


def _globs(value: Any) -> tuple[tuple[str, ...] | None, str | None]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        return None, f"expected a list of glob strings, got {_json_type(value)}"
    return tuple(value), None


def _debounce(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, f"expected milliseconds (a number), got {_json_type(value)}"
    if not 0 <= value <= 10_000:
        return None, f"expected 0 to 10000 milliseconds, got {value}"
    return int(value), None


def _max_diagnostics(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return None, f"expected a number of diagnostics (a whole number), got {_json_type(value)}"
    if not 1 <= value <= MAX_DIAGNOSTICS_LIMIT:
        return None, f"expected 1 to {MAX_DIAGNOSTICS_LIMIT} diagnostics, got {value}"
    return int(value), None


def _executor(value: Any) -> tuple[str | None, str | None]:
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"expected an executor (string), got {_json_type(value)}"
    try:
        parse_executor(value)
    except ExecutorError as error:
        return None, str(error)
    return value.strip(), None


def _flag(value: Any) -> tuple[bool | None, str | None]:
    if not isinstance(value, bool):
        return None, f"expected true or false, got {_json_type(value)}"
    return value, None


_PARSERS: dict[str, Any] = {
    "store": _store,
    "runbook_globs": _globs,
    "debounce_ms": _debounce,
    "run_events": _flag,
    "executor": _executor,
    "max_diagnostics": _max_diagnostics,
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"
