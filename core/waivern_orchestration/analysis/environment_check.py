"""Environment variables (WCT050): a `${VAR}` without a default that is not set fails
the run, so it is said while editing."""

from __future__ import annotations

from collections.abc import Iterable

from waivern_orchestration.analysis.dotenv_files import RunbookEnvironment
from waivern_orchestration.analysis.facts import EnvSite
from waivern_orchestration.analysis.scope import RunbookScope


def check_environment(scope: RunbookScope) -> None:
    sites = [*scope.header.env_sites]
    for info in scope.artifacts.values():
        sites.extend(info.env_sites)
    check_sites(scope, sites)


def check_sites(scope: RunbookScope, sites: Iterable[EnvSite]) -> None:
    env = scope.context.env
    # A `.env` file that could not be read may be why a variable is not set.
    problems = env.problems if isinstance(env, RunbookEnvironment) else ()
    unread = f" ({'; '.join(problems)})" if problems else ""
    for site in sites:
        if site.default is None and site.name not in env:
            scope.report(
                "WCT050",
                site.range,
                f"environment variable `{site.name}` is not set and has no default "
                f"(set it, add it to a `.env` file beside the runbook, or write "
                f"`${{{site.name}:-value}}`); running this runbook will fail{unread}",
            )
