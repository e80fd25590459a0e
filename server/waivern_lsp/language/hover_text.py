"""The text hover shows (`textDocument/hover`) for what stands at the cursor, in the
runbook's own words, from the analysis of the current text (never a re-parse):

- an artifact id, declared or used: its name and description, how it is produced, its
  resolved output schema, its inputs and the artifacts that use it, and its status in
  the latest run of the runbook (or "not run yet");
- a child output alias or a runbook input: what the name stands for;
- a connector or processor type: its description, schemas and settings;
- a child runbook path: the file it resolves to, with its declared inputs and outputs;
  an `input_mapping` key or a child output name: the child's declaration;
- `${VAR}`: whether it is set and its default; never a value (secrets live there);
- a message schema, a `reuse` run or artifact, a field key (its documentation).

Editor-agnostic: a site (see `sites.py`) in, text out, as Markdown or plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from waivern_lsp.language.field_docs import FieldDoc, component_fields, field_doc
from waivern_lsp.language.run_words import duration, moment_words, nearest, status_words
from waivern_lsp.language.sites import (
    ArtifactSite,
    ChildNameSite,
    ChildPathSite,
    ComponentSite,
    EnvVarSite,
    KeySite,
    ReuseSite,
    SchemaSite,
    Site,
)
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.dotenv_files import RunbookEnvironment
from waivern_orchestration.analysis.facts import Alias, ArtifactInfo, DeclaredInput, Production
from waivern_orchestration.components import Component, ComponentRegistry
from waivern_orchestration.message_schemas import default_schemas
from waivern_orchestration.parse.yaml_tree import YamlMapping, YamlScalar
from waivern_orchestration.redaction import Redactor, is_secret, marked_secret, referenced
from waivern_orchestration.store.run_states import ArtifactState, RunState
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus

MAX_LISTED = 12  # names listed before "and N more" (a hub artifact may have thousands)


class Markup:
    """Hover text in the client's format: Markdown where it is accepted, plain text
    (with the same backtick quoting, which reads well as it is) otherwise."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown

    def code(self, text: str) -> str:
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * (longest + 1)
        padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
        return f"{fence}{padded}{fence}"

    def strong(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def preformatted(self, text: str) -> str:
        if not self.markdown:
            return "\n".join(f"    {line}" for line in text.splitlines())
        longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
        fence = "`" * (longest + 1)
        return f"{fence}text\n{text}\n{fence}"

    def rule(self) -> str:
        return "---" if self.markdown else ""

    def names(self, names: Sequence[str]) -> str:
        shown = ", ".join(self.code(name) for name in names[:MAX_LISTED])
        more = len(names) - MAX_LISTED
        return f"{shown} and {more} more" if more > 0 else shown


@dataclass(frozen=True)
class HoverContext:
    """What hover text is made of besides the site."""

    analysis: Analysis
    registry: ComponentRegistry
    markup: Markup
    env: Mapping[str, str]  # the environment runs started from the editor get
    run: RunState | None = None  # latest run (artifacts) or the reused run (`reuse`)
    now: datetime | None = None


def hover_text(site: Site, context: HoverContext) -> str | None:
    """The hover text for a site, or None when there is nothing to say about it."""
    paragraphs: list[str] | None
    if isinstance(site, ArtifactSite):
        paragraphs = _artifact_name(site, context)
    elif isinstance(site, ComponentSite):
        paragraphs = _component(site, context)
    elif isinstance(site, ChildPathSite):
        paragraphs = _child_path(site, context)
    elif isinstance(site, ChildNameSite):
        paragraphs = _child_name(site, context)
    elif isinstance(site, EnvVarSite):
        paragraphs = _env_var(site, context)
    elif isinstance(site, SchemaSite):
        paragraphs = _schema(site.name, context)
    elif isinstance(site, ReuseSite):
        paragraphs = _reuse(site, context)
    else:
        paragraphs = _field(site, context)
    if not paragraphs:
        return None
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


# -- artifacts ---------------------------------------------------------------------------


def _artifact_name(site: ArtifactSite, context: HoverContext) -> list[str]:
    analysis, m = context.analysis, context.markup
    info = analysis.artifacts.get(site.name)
    if info is not None:
        return _artifact(info, context)
    alias = analysis.aliases.get(site.name)
    if alias is not None:
        return _alias(alias, context)
    header = analysis.header
    if header is not None and site.name in header.inputs:
        return _runbook_input(header.inputs[site.name], context)
    return [
        f"{m.code(site.name)}: no artifact, child output or runbook input has this name",
    ]


def _artifact(info: ArtifactInfo, context: HoverContext) -> list[str]:
    analysis, m = context.analysis, context.markup
    title = f"{m.strong(m.code(info.id))} · artifact"
    name = _text_field(info, "name")
    if name:
        title += f" — {name}"
    facts = [f"- {_production(info, context)}"]
    schema = analysis.schemas.get(info.id)
    if schema is not None:
        facts.append(f"- output schema {m.code(str(schema))}")
    inputs = list(dict.fromkeys(reference.name for reference in info.inputs))
    if inputs:
        facts.append(f"- inputs: {m.names(inputs)}")
    users = list(analysis.dependents.get(info.id, ()))
    facts.append(f"- used by: {m.names(users)}" if users else "- used by no other artifact")
    flags = [
        label
        for label, on in (
            ("a result of the runbook (`output: true`)", info.output),
            ("optional: a failure is a warning (`optional: true`)", _flag(info, "optional")),
        )
        if on
    ]
    facts.extend(f"- {flag}" for flag in flags)
    names = [info.id]
    if info.child is not None and info.child.output_mapping:
        names = [alias.name for _output, alias in info.child.output_mapping]
    return [
        title,
        info.description or "",
        "\n".join(facts),
        m.rule(),
        _latest_run(names, context),
    ]


def _production(info: ArtifactInfo, context: HoverContext) -> str:
    m = context.markup
    production = info.production
    if production is Production.SOURCE and info.source_type is not None:
        return f"extracted by the connector {m.code(info.source_type.name)}"
    if production is Production.DERIVED:
        if info.process_type is not None:
            return f"derived by the processor {m.code(info.process_type.name)}"
        return "derived from its inputs, combined without a processor"
    if production is Production.REUSE and info.reuse is not None:
        run, artifact = info.reuse
        return f"reused: artifact {m.code(artifact.name)} of run {m.code(run.name)}"
    if production is Production.CHILD and info.child is not None:
        child = info.child
        made = f"produced by the child runbook {m.code(child.path)}"
        if child.output is not None:
            return f"{made}: its output {m.code(child.output.name)}"
        mapped = [
            f"{m.code(out.name)} as {m.code(alias.name)}"
            for out, alias in child.output_mapping or ()
        ]
        return f"{made}: its outputs {', '.join(mapped)}" if mapped else made
    return "how it is produced is not clear yet (see the problems reported on it)"


def _alias(alias: Alias, context: HoverContext) -> list[str]:
    analysis, m = context.analysis, context.markup
    parent = analysis.artifacts.get(alias.artifact)
    path = parent.child.path if parent is not None and parent.child is not None else "?"
    facts = [
        f"- the output {m.code(alias.child_output)} of the child runbook {m.code(path)}, "
        f"run by the artifact {m.code(alias.artifact)}"
    ]
    if alias.child_artifact is not None:
        facts.append(f"- the child's artifact {m.code(alias.child_artifact)}")
    schema = analysis.schemas.get(alias.name)
    if schema is not None:
        facts.append(f"- output schema {m.code(str(schema))}")
    users = list(
        dict.fromkeys(
            reference.artifact
            for reference in analysis.references
            if reference.name == alias.name and reference.artifact is not None
        )
    )
    facts.append(f"- used by: {m.names(users)}" if users else "- used by no other artifact")
    return [
        f"{m.strong(m.code(alias.name))} · child runbook output",
        "\n".join(facts),
        m.rule(),
        _latest_run([alias.name], context),
    ]


def _runbook_input(declared: DeclaredInput, context: HoverContext) -> list[str]:
    m = context.markup
    return [
        f"{m.strong(m.code(declared.name.name))} · runbook input",
        declared.description or "",
        "\n".join(_declared_input_facts(declared, m)),
        "A parent runbook feeds it one of its artifacts through `input_mapping`.",
    ]


def _declared_input_facts(declared: DeclaredInput, m: Markup) -> list[str]:
    facts = []
    if declared.schema is not None:
        facts.append(f"- schema {m.code(declared.schema)}")
    facts.append("- optional" if declared.optional else "- required")
    if declared.sensitive:
        facts.append("- sensitive: its data is never shown in logs, events or stored results")
    return facts


def _latest_run(names: Sequence[str], context: HoverContext) -> str:
    m, run = context.markup, context.run
    if run is None:
        return f"{m.strong('Latest run:')} not run yet"
    heading = (
        f"{m.strong('Latest run')} {m.code(run.run_id)} · {run.status}"
        f"{_when(' · started ', run.started_at, context)}"
    )
    if run.status is RunStatus.RUNNING:
        heading += " (in progress)"
    elif run.reason:
        heading += f" ({run.reason})"
    if not run.ran_text(context.analysis.text):
        heading += "\n\nThe runbook has changed since this run started."
    lines = []
    for name in names:
        status = run.artifact(name)
        if status is None:
            lines.append(f"- {m.code(name)}: not run yet (not in this run)")
            continue
        lines.append(f"- {m.code(name)}: {_artifact_status(status, context)}")
    text = heading + "\n\n" + "\n".join(lines)
    errors = [
        status.error
        for name in names
        if (status := run.artifact(name)) is not None and status.error
    ]
    if errors:
        text += "\n\n" + m.preformatted(errors[0])
    limits = [
        limit
        for name in names
        if (status := run.artifact(name)) is not None
        for limit in status.limits
    ]
    if limits:  # a limit the runbook set cut the output short
        text += "\n\n" + "\n".join(
            f"{m.strong('Limit reached:')} {m.code(limit)}" for limit in limits
        )
    return text


def _artifact_status(status: ArtifactState, context: HoverContext) -> str:
    m = context.markup
    shown = m.strong(status_words(status.status))
    finished = (ArtifactStatus.COMPLETED, ArtifactStatus.FAILED)
    if status.duration_seconds is not None and status.status in finished:
        shown += f" in {duration(status.duration_seconds)}"
    if status.status is ArtifactStatus.RUNNING:
        shown += _when(", since ", status.started_at, context)
    else:
        shown += _when(", finished ", status.finished_at, context)
    return shown


# -- components ------------------------------------------------------------------------


def _component(site: ComponentSite, context: HoverContext) -> list[str]:
    m, registry = context.markup, context.registry
    installed: Mapping[str, type[Component]] = (
        registry.connectors if site.kind == "connector" else registry.processors
    )
    component = installed.get(site.name)
    if component is None:
        listing = m.names(sorted(installed)) or "none"
        return [
            f"{m.code(site.name)}: no {site.kind} of this type is installed (installed: {listing})"
        ]
    facts = [
        f"- output schema {', '.join(m.code(str(schema)) for schema in component.output_schemas)}"
    ]
    for combination in getattr(component, "input_combinations", ()):
        accepted = " + ".join(m.code(str(schema)) for schema in sorted(combination))
        facts.append(f"- accepts inputs {accepted}")
    settings = [_setting(doc, m) for doc in component_fields(component)]
    return [
        f"{m.strong(m.code(site.name))} · {site.kind}",
        component.description,
        "\n".join(facts),
        f"{m.strong('Settings')} (`properties`):\n" + "\n".join(settings) if settings else "",
    ]


def _setting(doc: FieldDoc, m: Markup) -> str:
    details = [part for part in (doc.type, "required" if doc.required else None) if part]
    if doc.default is not None:
        details.append(f"default {m.code(doc.default)}")
    line = f"- {m.code(doc.key)}"
    if details:
        line += f" ({', '.join(details)})"
    if doc.description:
        line += f": {doc.description}"
    return line


# -- child runbooks --------------------------------------------------------------------


def _child_path(site: ChildPathSite, context: HoverContext) -> list[str]:
    m = context.markup
    link = context.analysis.children.get(site.artifact)
    title = f"{m.strong(m.code(site.path))} · child runbook"
    if link is None or link.path is None:
        return [title, "Not found, or not allowed here: see the problem reported on the path."]
    child = link.analysis
    # The file was found with the variables of the path substituted: its name never
    # shows a secret one's value (`redaction`).
    header = context.analysis.header
    templates = header.config.template_paths if header is not None else []
    variables = [name for text in (site.path, *templates) for name in referenced(text)]
    redact = Redactor.of(context.env, variables)
    paragraphs = [title, f"File: {m.code(redact(str(link.path)))}"]
    if child is None or child.header is None:
        paragraphs.append("Its contents could not be analysed (see the problem reported).")
        return paragraphs
    header = child.header
    if header.header is not None:
        paragraphs.append(f"{m.strong(header.header.name)}: {header.header.description}")
    inputs = [
        _described(f"- {m.code(name)}: {_input_summary(declared, m)}", declared.description)
        for name, declared in header.inputs.items()
    ]
    paragraphs.append(
        f"{m.strong('Inputs')} (`input_mapping`):\n" + "\n".join(inputs)
        if inputs
        else "It declares no inputs."
    )
    outputs = [
        _described(
            f"- {m.code(name)}"
            + (f": {summary}" if (summary := _output_summary(child, name, m)) else ""),
            declared.description,
        )
        for name, declared in header.outputs.items()
    ]
    paragraphs.append(
        f"{m.strong('Outputs')} (`output` / `output_mapping`):\n" + "\n".join(outputs)
        if outputs
        else "It declares no outputs."
    )
    return paragraphs


def _input_summary(declared: DeclaredInput, m: Markup) -> str:
    parts = [m.code(declared.schema) if declared.schema else "any schema"]
    parts.append("optional" if declared.optional else "required")
    if declared.sensitive:
        parts.append("sensitive")
    return ", ".join(parts)


def _output_summary(child: Analysis, name: str, m: Markup) -> str | None:
    """The child's artifact behind a declared output, with its schema."""
    assert child.header is not None
    artifact = child.header.outputs[name].artifact
    if artifact is None:
        return None
    schema = child.schemas.get(artifact.name)
    shown = f"artifact {m.code(artifact.name)}"
    return f"{shown}, {m.code(str(schema))}" if schema is not None else shown


def _described(line: str, description: str | None) -> str:
    return f"{line} — {description}" if description else line


def _child_name(site: ChildNameSite, context: HoverContext) -> list[str]:
    m = context.markup
    link = context.analysis.children.get(site.artifact)
    if link is None:
        return []
    child = link.analysis
    path = link.request.path
    where = f"of the child runbook {m.code(path)}"
    if child is None or child.header is None:
        return [f"{m.strong(m.code(site.name))} · {site.kind} {where} (not analysed)"]
    if site.kind == "input":
        declared = child.header.inputs.get(site.name)
        if declared is None:
            return [f"{m.code(site.name)}: the child runbook {m.code(path)} declares no such input"]
        facts = _declared_input_facts(declared, m)
        facts.extend(
            f"- fed by this runbook's artifact {m.code(value.name)}"
            for key, value in link.request.input_mapping
            if key.name == site.name
        )
        return [
            f"{m.strong(m.code(site.name))} · input {where}",
            declared.description or "",
            "\n".join(facts),
        ]
    output = child.header.outputs.get(site.name)
    if output is None:
        return [f"{m.code(site.name)}: the child runbook {m.code(path)} declares no such output"]
    facts = []
    summary = _output_summary(child, site.name, m)
    if summary is not None:
        facts.append(f"- the child's {summary}")
    here = [
        alias.name
        for alias in context.analysis.aliases.values()
        if alias.artifact == site.artifact and alias.child_output == site.name
    ]
    if here:
        facts.append(f"- available here as {m.names(here)}")
    return [
        f"{m.strong(m.code(site.name))} · output {where}",
        output.description or "",
        "\n".join(facts),
    ]


# -- environment, schemas, reuse ---------------------------------------------------------


def _env_var(site: EnvVarSite, context: HoverContext) -> list[str]:
    m = context.markup
    env = site.site
    facts = []
    value = context.env.get(env.name)
    if value is not None:
        known = context.env
        origin = known.origin(env.name) if isinstance(known, RunbookEnvironment) else None
        where = f"in {m.code(str(origin))}" if origin is not None else "in the editor's environment"
        if is_secret(env.name, value, marked_secret(context.env)):
            facts.append(f"- set {where}; a secret: its value is never shown")
        else:
            facts.append(f"- set {where}: {_shown_value(value, m)}")
    elif env.default is not None:
        facts.append("- not set: the default is used")
    else:
        facts.append(
            "- not set and no default: a run fails until it is set (in the environment or "
            "a `.env` file beside the runbook)"
        )
    if env.default is not None:
        facts.append(f"- default {m.code(env.default)}" if env.default else "- default: empty")
    return [f"{m.strong(m.code('${' + env.name + '}'))} · environment variable", "\n".join(facts)]


# A value longer than this is cut in a hover.
MAX_SHOWN_VALUE = 120


def _shown_value(value: str, m: Markup) -> str:
    if not value:
        return "empty"
    one_line = value.replace("\r", "\\r").replace("\n", "\\n")
    if len(one_line) > MAX_SHOWN_VALUE:
        one_line = one_line[: MAX_SHOWN_VALUE - 1] + "…"
    return m.code(one_line)


def _schema(name: str, context: HoverContext) -> list[str]:
    m = context.markup
    schemas = default_schemas()
    ref = schemas.resolve(name)
    if ref is None:
        broken = schemas.why_unavailable(name)
        if broken is not None:
            return [
                f"{m.code(name)}: message schema of the plug-in {m.code(broken.provider)}, "
                "which could not be loaded",
                broken.reason,
            ]
        return [f"{m.code(name)}: no installed package provides a message schema of this name"]
    schema = schemas.schemas[ref]
    title = f"{m.strong(m.code(str(ref)))} · message schema"
    if str(ref) != name:
        title += f" (the newest version of {m.code(name)})"
    origin = "Built in" if schema.built_in else f"From the plug-in {m.code(schema.provider)}"
    return [title, schema.description, f"{origin}."]


def _reuse(site: ReuseSite, context: HoverContext) -> list[str]:
    m, run = context.markup, context.run
    if run is None:
        return [f"{m.code(site.run_id)}: no run with this id in the run store"]
    started = _when(", started ", run.started_at, context)
    summary = f"run {m.code(run.run_id)} · {run.status}{started}"
    if site.kind == "run":
        return [
            f"{m.strong('Run')} {m.code(run.run_id)} · {run.status}{started}",
            f"Runbook: {m.code(str(run.runbook_path))}",
        ]
    status = run.artifact(site.name)
    if status is None:
        return [f"{m.code(site.name)}: no artifact of this name in {summary}"]
    return [
        f"{m.strong(m.code(site.name))} · artifact of {summary}",
        f"- {_artifact_status(status, context)}",
    ]


# -- field keys --------------------------------------------------------------------------


def _field(site: KeySite, context: HoverContext) -> list[str] | None:
    analysis, m = context.analysis, context.markup
    path = site.path
    header = analysis.header
    if len(path) == 2 and path[0] == "outputs" and header is not None:
        output = header.outputs.get(path[1])
        if output is not None:
            offered = (
                f"- offers the artifact {m.code(output.artifact.name)}"
                if output.artifact is not None
                else ""
            )
            return [
                f"{m.strong(m.code(path[1]))} · runbook output (for a parent runbook)",
                output.description or "",
                offered,
            ]
    component = _component_of(path, context)
    doc = field_doc(path, context.registry, component)
    if doc is None:
        return None
    if path[0] == "artifacts" and len(path) > 2:
        inner = path[2:]
        if component is not None and len(inner) > 2 and inner[1] == "properties":
            where = f"setting of the {m.code(component.name)} {_kind(inner[0])}"
            shown = ".".join(inner[2:])
        else:
            where, shown = "artifact field", ".".join(inner)
    else:
        where, shown = "runbook field", ".".join(path)
    details = [part for part in (doc.type, "required" if doc.required else None) if part]
    if doc.default is not None:
        details.append(f"default {m.code(doc.default)}")
    facts = [f"- {', '.join(details)}"] if details else []
    if doc.choices:
        facts.append(f"- values: {m.names(list(doc.choices))}")
    return [f"{m.strong(m.code(shown))} · {where}", doc.description or "", "\n".join(facts)]


def _component_of(path: Sequence[str], context: HoverContext) -> type[Component] | None:
    if len(path) < 4 or path[0] != "artifacts" or path[2] not in ("source", "process"):
        return None
    info = context.analysis.artifacts.get(path[1])
    if info is None:
        return None
    if path[2] == "source":
        return context.registry.connectors.get(info.source_type.name) if info.source_type else None
    return context.registry.processors.get(info.process_type.name) if info.process_type else None


def _kind(section: str) -> str:
    return "connector" if section == "source" else "processor"


# -- small things ------------------------------------------------------------------------


def _text_field(info: ArtifactInfo, key: str) -> str | None:
    node = info.node.value_of(key) if isinstance(info.node, YamlMapping) else None
    return node.value if isinstance(node, YamlScalar) and node.is_string else None


def _flag(info: ArtifactInfo, key: str) -> bool:
    node = info.node.value_of(key) if isinstance(info.node, YamlMapping) else None
    return isinstance(node, YamlScalar) and node.value is True


def _when(prefix: str, moment: datetime | None, context: HoverContext) -> str:
    if moment is None:
        return ""
    shown = moment_words(moment)
    now = context.now or datetime.now(UTC)
    return f"{prefix}{shown} ({_ago(now - moment.astimezone(UTC), moment)})"


def _ago(elapsed: timedelta, moment: datetime) -> str:
    """How long ago, by the rule every view of a run shares (the VS Code extension's
    `relativeTime` says the same): "just now" under 45 s, then whole minutes, hours and
    days, rounded; past a week the date."""
    seconds = elapsed.total_seconds()
    if seconds < 45:
        return "just now"
    minutes = nearest(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = nearest(minutes / 60)
    if hours < 24:
        return f"{hours} h ago"
    days = nearest(hours / 24)
    if days <= 7:
        return "yesterday" if days == 1 else f"{days} days ago"
    return moment.astimezone(UTC).strftime("%Y-%m-%d")
