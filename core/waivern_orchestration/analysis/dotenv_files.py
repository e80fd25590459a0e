"""The variables a runbook's `${VAR}` can take: the process environment, then `.env` files.

A runbook reads, in this order (the first that sets a name wins):

1. the environment of the process (`wct`, or the language server's);
2. `.env` in the runbook's directory;
3. `.env` in the workspace root: the current directory for `wct`, the workspace folder
   in an editor (skipped when it is the runbook's directory).

Child runbooks take their root runbook's variables: one run, one set of values. The
files are read with python-dotenv: `KEY=value` lines, `export KEY=value`, quotes,
comments, and `${OTHER}` inside a value expanded from the variables above it (the
runbook's own `${VAR}` are then substituted once: a value is never expanded again). A
file that cannot be read or decoded is left out, with a warning the caller may show.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from waivern_orchestration.analysis.env_vars import expand

log = logging.getLogger(__name__)

DOTENV = ".env"
# A `.env` bigger than this is not a list of variables: it is left out.
MAX_DOTENV_BYTES = 1_000_000


@dataclass(frozen=True)
class RunbookEnvironment(Mapping[str, str]):
    """Variables by name, and where each came from (None: the process environment)."""

    variables: Mapping[str, str]
    origins: Mapping[str, Path] = field(default_factory=dict)  # only those from a file
    files: tuple[Path, ...] = ()  # the `.env` files consulted, nearest first
    problems: tuple[str, ...] = ()  # files left out, in one line each

    def __getitem__(self, name: str) -> str:
        return self.variables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def origin(self, name: str) -> Path | None:
        """The `.env` file that set ``name``; None when the environment did (or nobody)."""
        return self.origins.get(name)


def variables_of(env: Mapping[str, str]) -> Mapping[str, str]:
    """The variables themselves, to compare two environments at once (equal ones give every
    name the same value)."""
    return env.variables if isinstance(env, RunbookEnvironment) else env


def dotenv_paths(runbook: Path, workspace: Path | None = None) -> tuple[Path, ...]:
    """The `.env` files a runbook reads, nearest first (whether they exist or not)."""
    folders = [runbook.parent.absolute()]
    root = (workspace if workspace is not None else Path.cwd()).absolute()
    if root != folders[0]:
        folders.append(root)
    return tuple(folder / DOTENV for folder in folders)


def runbook_environment(
    runbook: Path, workspace: Path | None = None, base: Mapping[str, str] | None = None
) -> RunbookEnvironment:
    """The variables of ``runbook``: ``base`` (default: this process' environment) over
    its `.env` files (`dotenv_paths`)."""
    environment = dict(os.environ if base is None else base)
    values = dict(environment)
    origins: dict[str, Path] = {}
    problems: list[str] = []
    paths = dotenv_paths(runbook, workspace)
    for path in paths:
        read, problem = _read(path, values)
        if problem is not None:
            problems.append(problem)
        for name, value in read.items():
            if name not in values:
                values[name] = value
                origins[name] = path
    return RunbookEnvironment(values, origins, paths, tuple(problems))


def _read(path: Path, known: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """The variables ``path`` sets (none when it does not exist), and why it was left out."""
    try:
        if not path.is_file():
            return {}, None
        if path.stat().st_size > MAX_DOTENV_BYTES:
            return {}, f"{path}: bigger than {MAX_DOTENV_BYTES:,} bytes, not read"
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return {}, f"{path}: cannot be read ({_reason(error)})"
    # `${OTHER}` in a value expands from the variables known so far (python-dotenv reads
    # the process environment for that; here it is given those, nearest file first).
    stream = io.StringIO(text)
    try:
        parsed = dotenv_values(stream=stream, interpolate=False)
    except Exception as error:  # python-dotenv warns on bad lines; anything else: left out
        log.debug("reading %s failed", path, exc_info=error)
        return {}, f"{path}: cannot be read ({type(error).__name__})"
    values = {name: value for name, value in parsed.items() if value is not None}
    return _expanded(values, known), None


def _expanded(values: dict[str, str], known: Mapping[str, str]) -> dict[str, str]:
    """``values`` with `${NAME}` / `${NAME:-default}` in them expanded from what is known
    (the environment and nearer files) and from the lines above, once."""
    done: dict[str, str] = {}
    for name, value in values.items():
        done[name] = expand(value, {**done, **known}) if "${" in value else value
    return done


def _reason(error: BaseException) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return type(error).__name__
