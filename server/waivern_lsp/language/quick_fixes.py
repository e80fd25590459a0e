"""Quick fixes: for a diagnostic, the text changes that make it go away.

- WCT010 unknown artifact, WCT020 unknown connector type, WCT021 unknown processor type:
  use the closest known name (the one the message suggests first, then the next ones;
  never an id the same list already has);
- WCT041 child runbook not found: use the closest name of a runbook file (`.yaml`,
  `.yml`) in the directories searched (the runbook's own, `config.template_paths`);
- WCT012 the same input listed twice: remove the repeat;
- WCT043 required child input not mapped: add the missing `input_mapping` keys, each
  fed by the artifact's input whose schema is the one the child declares (when exactly
  one is), else by its first input;
- WCT031 `reuse` without `output_schema`: add `output_schema`, the schema of the reused
  artifact when this runbook knows it, else a known schema close to its name;
- WCT090 artifact neither an output nor used: mark it `output: true`.

Editor-agnostic: an analysis and one of its diagnostics in, changes (core ranges, in
characters) out. Everything is found from the analysis (which reference, artifact or
component type the diagnostic stands on), never by reading the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.child_paths import search_directories
from waivern_orchestration.analysis.facts import ArtifactInfo, NamedSite
from waivern_orchestration.analysis.suggestions import closest
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.diagnostics import Diagnostic
from waivern_orchestration.message_schemas import SchemaRef, known_schemas, resolve_schema
from waivern_orchestration.parse.positions import Position, Range
from waivern_orchestration.parse.yaml_tree import YamlMapping, YamlNode, YamlScalar, YamlSequence

FIXABLE = frozenset(
    {"WCT010", "WCT012", "WCT020", "WCT021", "WCT031", "WCT041", "WCT043", "WCT050", "WCT090"}
)
MAX_NAMES = 3  # did-you-mean fixes offered for one misspelt name
MAX_LISTED = 1_000  # runbook files looked at in one directory for a misspelt child path
PLACEHOLDER_SCHEMA = "standard_input/1.0.0"


@dataclass(frozen=True, slots=True)
class TextChange:
    range: Range
    text: str


@dataclass(frozen=True, slots=True)
class QuickFix:
    title: str
    changes: tuple[TextChange, ...]
    preferred: bool = False  # the single best fix for its diagnostic


def quick_fixes(
    analysis: Analysis,
    diagnostic: Diagnostic,
    lines: Sequence[str],
    registry: ComponentRegistry,
) -> list[QuickFix]:
    """The fixes for one diagnostic of the analysis of `lines` (none when it has no fix)."""
    text = _Text(lines, "\r\n" if "\r\n" in analysis.text else "\n")
    if diagnostic.code == "WCT010":
        return _unknown_artifact(analysis, diagnostic, text)
    if diagnostic.code == "WCT012":
        return _repeated_input(analysis, diagnostic, text)
    if diagnostic.code in ("WCT020", "WCT021"):
        return _unknown_type(analysis, diagnostic, text, registry)
    if diagnostic.code == "WCT041":
        return _missing_child(analysis, diagnostic, text)
    if diagnostic.code == "WCT043":
        return _unmapped_inputs(analysis, diagnostic, text)
    if diagnostic.code == "WCT031":
        return _missing_output_schema(analysis, diagnostic, text)
    if diagnostic.code == "WCT090":
        return _mark_output(analysis, diagnostic, text)
    if diagnostic.code == "WCT050":
        return _default_for(analysis, diagnostic)
    return []


def unset_variable(analysis: Analysis, diagnostic: Diagnostic) -> str | None:
    """The name of the variable a WCT050 is about."""
    site = next((site for site in analysis.env_sites if site.range == diagnostic.range), None)
    return site.name if site is not None else None


def _default_for(analysis: Analysis, diagnostic: Diagnostic) -> list[QuickFix]:
    """`${NAME}` → `${NAME:-}`: the run goes on with an empty value (the other fix, a line
    in `.env`, is made where files can be edited: `features.code_actions`)."""
    name = unset_variable(analysis, diagnostic)
    if name is None or diagnostic.range.start.line != diagnostic.range.end.line:
        return []
    return [
        QuickFix(f"Give `${{{name}}}` a default", (TextChange(diagnostic.range, f"${{{name}:-}}"),))
    ]


# -- did you mean -------------------------------------------------------------------------


def _unknown_artifact(analysis: Analysis, diagnostic: Diagnostic, text: _Text) -> list[QuickFix]:
    reference = next((r for r in analysis.references if r.range == diagnostic.range), None)
    if reference is None:
        return []
    name = reference.name
    # An artifact offering its child runbook's outputs under other names: one of those.
    offered = [alias for alias, value in analysis.aliases.items() if value.artifact == name]
    if name in analysis.artifacts and offered:
        names = offered
    else:
        header_inputs = analysis.header.inputs if analysis.header is not None else {}
        known = set(analysis.artifacts) | set(header_inputs) | set(analysis.aliases)
        # Not a name the same list already has (the fix would repeat it), nor the
        # artifact itself (a cycle).
        listed = {
            other.name
            for other in analysis.references
            if other.artifact == reference.artifact
            and other.field == reference.field
            and other.range != reference.range
        }
        known -= listed | {reference.artifact}
        names = closest(name, sorted(known), MAX_NAMES)
    return _renames(NamedSite(name, reference.range), names, text)


def _unknown_type(
    analysis: Analysis, diagnostic: Diagnostic, text: _Text, registry: ComponentRegistry
) -> list[QuickFix]:
    connector = diagnostic.code == "WCT020"
    for info in analysis.artifact_list:
        site = info.source_type if connector else info.process_type
        if site is not None and site.range == diagnostic.range:
            known = registry.connectors if connector else registry.processors
            return _renames(site, closest(site.name, list(known), MAX_NAMES), text)
    return []


def _missing_child(analysis: Analysis, diagnostic: Diagnostic, text: _Text) -> list[QuickFix]:
    """A child runbook path that leads to no file, when a file of a close name is where
    the path is looked for (paths with variables are left alone)."""
    request = next(
        (
            info.child
            for info in analysis.artifact_list
            if info.child is not None and info.child.path_range == diagnostic.range
        ),
        None,
    )
    if request is None or "${" in request.path or analysis.header is None:
        return []
    written = PurePosixPath(request.path)
    templates = [path for path in analysis.header.config.template_paths if "${" not in path]
    files: set[str] = set()
    for directory in search_directories(analysis.path.parent, templates):
        folder = directory / written.parent
        if (folder / written.name).exists():
            return []  # there, but not a file a runbook can be read from: not a misspelling
        try:
            found = [entry.name for entry in folder.iterdir() if entry.suffix in (".yaml", ".yml")]
        except OSError:
            continue
        files.update(found[:MAX_LISTED])
    names = [str(written.parent / name) for name in closest(written.name, sorted(files), MAX_NAMES)]
    return _renames(NamedSite(request.path, request.path_range), names, text)


def _renames(site: NamedSite, names: Sequence[str], text: _Text) -> list[QuickFix]:
    quote = text.char_at(site.range.start)
    quote = quote if quote in ("'", '"') else ""
    return [
        QuickFix(
            f"Change to `{name}`",
            (TextChange(site.range, f"{quote}{name}{quote}"),),
            preferred=index == 0 and len(names) == 1,
        )
        for index, name in enumerate(names)
    ]


# -- WCT012: the same input twice --------------------------------------------------------


def _repeated_input(analysis: Analysis, diagnostic: Diagnostic, text: _Text) -> list[QuickFix]:
    for info in analysis.artifact_list:
        node = info.node
        inputs = node.value_of("inputs") if isinstance(node, YamlMapping) else None
        if not isinstance(inputs, YamlSequence):
            continue
        for index, item in enumerate(inputs.items):
            if item.range != diagnostic.range or index == 0:
                continue
            if text.char_at(inputs.range.start) == "[":  # `[a, b, a]`: from the comma before
                removed = Range(inputs.items[index - 1].range.end, item.range.end)
            else:  # `- a` on a line of its own: the whole line
                line = item.range.start.line
                removed = Range(text.line_end(line - 1), text.line_end(line))
            name = item.value if isinstance(item, YamlScalar) else ""
            return [
                QuickFix(f"Remove the repeated input `{name}`", (TextChange(removed, ""),), True)
            ]
    return []


# -- WCT043: unmapped child inputs --------------------------------------------------------


def _unmapped_inputs(analysis: Analysis, diagnostic: Diagnostic, text: _Text) -> list[QuickFix]:
    for info in analysis.artifact_list:
        request = info.child
        if request is None or not isinstance(info.node, YamlMapping):
            continue
        child_node = info.node.value_of("child_runbook")
        if not isinstance(child_node, YamlMapping):
            continue
        mapping_entry = child_node.get("input_mapping")
        anchors = {request.key_range}
        if mapping_entry is not None:
            anchors.add(mapping_entry.key.range)
        if diagnostic.range not in anchors:
            continue
        link = analysis.children.get(info.id)
        child = link.analysis if link is not None else None
        if child is None or child.header is None:
            return []
        mapped = {key.name for key, _reference in request.input_mapping}
        missing = [
            declared
            for name, declared in child.header.inputs.items()
            if not declared.optional and name not in mapped
        ]
        inputs = list(dict.fromkeys(reference.name for reference in info.inputs))
        if not missing or not inputs:
            return []
        pairs = [
            f"{declared.name.name}: {_feeding(analysis, inputs, declared.schema)}"
            for declared in missing
        ]
        if mapping_entry is None:
            change = text.append(child_node, [("input_mapping", pairs)])
        elif isinstance(mapping_entry.value, YamlMapping):
            change = text.append(mapping_entry.value, [(pair, None) for pair in pairs])
        elif text.is_empty(mapping_entry.value):
            indent = " " * (mapping_entry.key.range.start.character + 2)
            end = mapping_entry.key.range.end
            added = "".join(f"{text.newline}{indent}{pair}" for pair in pairs)
            change = TextChange(Range(text.line_end(end.line), text.line_end(end.line)), added)
        else:
            change = None
        if change is None:
            return []
        names = ", ".join(f"`{declared.name.name}`" for declared in missing)
        return [QuickFix(f"Map the child input{'s' * (len(missing) > 1)} {names}", (change,), True)]
    return []


def _feeding(analysis: Analysis, inputs: list[str], schema: str | None) -> str:
    """The input that should feed a child input of this schema: the only one producing it,
    else the first."""
    wanted = resolve_schema(schema) if schema else None
    if wanted is not None:
        matching = [name for name in inputs if _schema_of(analysis, name) == wanted]
        if len(matching) == 1:
            return matching[0]
    return inputs[0]


def _schema_of(analysis: Analysis, name: str) -> SchemaRef | None:
    if name in analysis.schemas:
        return analysis.schemas[name]
    alias = analysis.aliases.get(name)
    if alias is not None:
        return analysis.schemas.get(alias.name)
    declared = analysis.header.inputs.get(name) if analysis.header is not None else None
    if declared is not None and declared.schema:
        return resolve_schema(declared.schema)
    return None


# -- WCT031, WCT090: a field the artifact lacks --------------------------------------------


def _missing_output_schema(
    analysis: Analysis, diagnostic: Diagnostic, text: _Text
) -> list[QuickFix]:
    info = _artifact_with_key(analysis, "reuse", diagnostic.range)
    if info is None or not isinstance(info.node, YamlMapping):
        return []
    schema = _reused_schema(analysis, info)
    change = text.append(info.node, [(f"output_schema: {schema}", None)])
    if change is None:
        return []
    return [QuickFix(f"Add `output_schema: {schema}`", (change,), True)]


def _reused_schema(analysis: Analysis, info: ArtifactInfo) -> str:
    reused = info.reuse[1].name if info.reuse is not None else info.id
    known = analysis.schemas.get(reused)
    if known is not None and reused != info.id:
        return str(known)
    names = {ref.name: ref for ref in known_schemas()}
    close = closest(reused, list(names), 1)
    if close:
        return str(resolve_schema(close[0]) or names[close[0]])
    if resolve_schema(PLACEHOLDER_SCHEMA) is not None:
        return PLACEHOLDER_SCHEMA
    return str(next(iter(known_schemas()), PLACEHOLDER_SCHEMA))


def _mark_output(analysis: Analysis, diagnostic: Diagnostic, text: _Text) -> list[QuickFix]:
    info = next((i for i in analysis.artifact_list if i.key_range == diagnostic.range), None)
    if info is None or not isinstance(info.node, YamlMapping):
        return []
    existing = info.node.get("output")
    if existing is not None:  # `output: false`
        change: TextChange | None = TextChange(existing.value.range, "true")
    else:
        change = text.append(info.node, [("output: true", None)])
    if change is None:
        return []
    return [QuickFix(f"Mark `{info.id}` as an output (`output: true`)", (change,), True)]


def _artifact_with_key(analysis: Analysis, key: str, key_range: Range) -> ArtifactInfo | None:
    for info in analysis.artifact_list:
        node = info.node
        entry = node.get(key) if isinstance(node, YamlMapping) else None
        if entry is not None and entry.key.range == key_range:
            return info
    return None


# -- editing YAML text --------------------------------------------------------------------


class _Text:
    """The document's lines, for placing new mapping entries where YAML expects them."""

    def __init__(self, lines: Sequence[str], newline: str) -> None:
        self.lines = lines
        self.newline = newline

    def char_at(self, position: Position) -> str:
        if position.line >= len(self.lines):
            return ""
        return self.lines[position.line][position.character : position.character + 1]

    def line_end(self, line: int) -> Position:
        return Position(line, len(self.lines[line]) if line < len(self.lines) else 0)

    def is_empty(self, node: YamlNode) -> bool:
        return (
            isinstance(node, YamlScalar) and node.value is None and node.range[0] == node.range[1]
        )

    def append(
        self, mapping: YamlMapping, entries: Sequence[tuple[str, Sequence[str] | None]]
    ) -> TextChange | None:
        """Add `key: value` entries (or `key:` with a nested block of `sub` entries) at the
        end of a mapping, in its own style: new lines at its indentation (block), or
        before its closing brace (flow)."""
        start, end = mapping.range
        if self.char_at(start) == "{":
            if self.char_at(Position(end.line, end.character - 1)) != "}":
                return None
            flow = [
                f"{key}: {{{', '.join(sub)}}}" if sub is not None else key for key, sub in entries
            ]
            separator = ", " if mapping.entries else ""
            brace = Position(end.line, end.character - 1)
            return TextChange(Range(brace, brace), separator + ", ".join(flow))
        if not mapping.entries:
            return None
        indent = " " * mapping.entries[0].key.range.start.character
        block: list[str] = []
        for key, sub in entries:
            block.append(f"{indent}{key}" + (":" if sub is not None else ""))
            block.extend(f"{indent}  {line}" for line in sub or ())
        at = self.line_end(end.line)
        return TextChange(Range(at, at), "".join(self.newline + line for line in block))
