"""Environment variables (WCT050): a `${VAR}` without a default that is not set fails
the run, so it is said while editing."""

from __future__ import annotations

from waivern_orchestration.analysis.scope import RunbookScope


def check_environment(scope: RunbookScope) -> None:
    env = scope.context.env
    sites = [*scope.header.env_sites]
    for info in scope.artifacts.values():
        sites.extend(info.env_sites)
    for site in sites:
        if site.default is None and site.name not in env:
            scope.report(
                "WCT050",
                site.range,
                f"environment variable `{site.name}` is not set and has no default "
                f"(write `${{{site.name}:-value}}`); running this runbook will fail",
            )
