"""Checks of everything in a runbook but its artifacts: the top-level fields, `config`,
the declared `inputs` and `outputs` of a runbook meant as a child."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pydantic import ValidationError

from waivern_orchestration.analysis.facts import (
    DeclaredInput,
    DeclaredOutput,
    EnvSite,
    HeaderInfo,
    NamedSite,
    Reference,
)
from waivern_orchestration.analysis.model_errors import model_diagnostics
from waivern_orchestration.analysis.schema_check import unknown_schema_message
from waivern_orchestration.analysis.substitution import Substituted, substitute_tree, with_notes
from waivern_orchestration.analysis.tree_checks import duplicate_keys_in, scan_subtree
from waivern_orchestration.diagnostics import Diagnostic
from waivern_orchestration.message_schemas import resolve_schema
from waivern_orchestration.models import Runbook, RunbookConfig, RunbookHeader
from waivern_orchestration.parse.yaml_tree import YamlMapping, YamlScalar, to_python


def check_header(
    root: YamlMapping,
    file: Path,
    line_text: Callable[[int], str],
    env: Mapping[str, str] | None = None,
) -> HeaderInfo:
    """The runbook's fields but its artifacts; `config` is checked with its variables
    substituted (``env``: `config.timeout: ${SCAN_TIMEOUT}`)."""
    diagnostics: list[Diagnostic] = []
    sites: list[EnvSite] = []
    substituted: list[Substituted] = []
    artifacts_entry = root.get("artifacts")
    data = {}
    for entry in root.entries:
        key = entry.key_text
        if key == "artifacts":
            continue
        duplicates, found_sites = scan_subtree(entry.value, file, line_text)
        diagnostics.extend(duplicates)
        sites.extend(found_sites)
        if key == "config" and found_sites:
            substituted += substitute_tree(entry.value, env or {})
        data[key] = to_python(entry.value)
    # Top-level duplicates (the artifacts' own keys are checked artifact by artifact).
    diagnostics.extend(duplicate_keys_in(root.entries, file))

    header: RunbookHeader | None = None
    try:
        header = RunbookHeader.model_validate(data)
    except ValidationError as error:
        # A missing top-level field is shown on the first key (not on an empty range).
        first_key = root.entries[0].key.range if root.entries else root.range
        diagnostics.extend(
            model_diagnostics(
                error,
                root,
                first_key,
                file,
                code="WCT002",
                where="the runbook",
                model=Runbook,
            )
        )
    if artifacts_entry is None:
        diagnostics.append(
            Diagnostic.of(
                "WCT002",
                file,
                root.entries[0].key.range if root.entries else root.range,
                "missing required field `artifacts` in the runbook: add `artifacts:` with "
                "at least one artifact",
            )
        )
    elif isinstance(artifacts_entry.value, YamlScalar) and artifacts_entry.value.value is None:
        diagnostics.append(
            Diagnostic.of(
                "WCT002",
                file,
                artifacts_entry.key.range,
                "`artifacts` is empty: declare at least one artifact below it",
            )
        )
    elif not isinstance(artifacts_entry.value, YamlMapping):
        diagnostics.append(
            Diagnostic.of(
                "WCT002",
                file,
                artifacts_entry.value.range,
                "`artifacts` must be a mapping of artifact id → definition",
            )
        )
    inputs = _declared_inputs(root, file, diagnostics)
    outputs = _declared_outputs(root)
    config = header.config if header else _config_from_tree(root)
    return HeaderInfo(
        header,
        inputs,
        outputs,
        config,
        artifacts_entry.key.range if artifacts_entry is not None else None,
        artifacts_entry is not None and isinstance(artifacts_entry.value, YamlMapping),
        tuple(sites),
        tuple(with_notes(diagnostics, substituted)),
    )


def _declared_inputs(
    root: YamlMapping, file: Path, diagnostics: list[Diagnostic]
) -> dict[str, DeclaredInput]:
    node = root.value_of("inputs")
    found: dict[str, DeclaredInput] = {}
    if not isinstance(node, YamlMapping):
        return found
    for entry in node.entries:
        spec = entry.value
        schema: str | None = None
        optional = sensitive = False
        description = None
        if isinstance(spec, YamlMapping):
            schema_node = spec.value_of("input_schema")
            if isinstance(schema_node, YamlScalar) and isinstance(schema_node.value, str):
                schema = schema_node.value
                if resolve_schema(schema) is None:
                    diagnostics.append(
                        Diagnostic.of(
                            "WCT030", file, schema_node.range, unknown_schema_message(schema)
                        )
                    )
            optional = _flag(spec, "optional")
            sensitive = _flag(spec, "sensitive")
            description_node = spec.value_of("description")
            if isinstance(description_node, YamlScalar) and description_node.is_string:
                description = description_node.value
        found.setdefault(
            entry.key_text,
            DeclaredInput(
                NamedSite(entry.key_text, entry.key.range), schema, optional, sensitive, description
            ),
        )
    return found


def _declared_outputs(root: YamlMapping) -> dict[str, DeclaredOutput]:
    node = root.value_of("outputs")
    found: dict[str, DeclaredOutput] = {}
    if not isinstance(node, YamlMapping):
        return found
    for entry in node.entries:
        artifact: Reference | None = None
        description = None
        if isinstance(entry.value, YamlMapping):
            artifact_node = entry.value.value_of("artifact")
            if isinstance(artifact_node, YamlScalar) and isinstance(artifact_node.value, str):
                artifact = Reference(artifact_node.value, artifact_node.range, None, "outputs")
            description_node = entry.value.value_of("description")
            if isinstance(description_node, YamlScalar) and description_node.is_string:
                description = description_node.value
        found.setdefault(
            entry.key_text,
            DeclaredOutput(NamedSite(entry.key_text, entry.key.range), artifact, description),
        )
    return found


def _flag(spec: YamlMapping, key: str) -> bool:
    node = spec.value_of(key)
    return isinstance(node, YamlScalar) and node.value is True


def _config_from_tree(root: YamlMapping) -> RunbookConfig:
    """Best effort when the header is invalid: keep the valid parts of `config`."""
    node = root.value_of("config")
    if not isinstance(node, YamlMapping):
        return RunbookConfig()
    values = {}
    for entry in node.entries:
        candidate = {entry.key_text: to_python(entry.value)}
        try:
            RunbookConfig.model_validate(candidate)
        except ValidationError:
            continue
        values.update(candidate)
    return RunbookConfig.model_validate(values)
