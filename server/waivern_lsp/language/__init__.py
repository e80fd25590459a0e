"""Editor-agnostic language services: what the server answers, computed from an
`Analysis` and the document's lines, with no protocol in sight (no pygls, no LSP types).

- `yaml_path`, `cursor`: where a position stands in a runbook's text, even while the line
  is half-typed;
- `sites`: what stands at a position (an artifact id, a reference, a component type, a
  child path, a `${VAR}`, ...);
- `hover_text`, `completion` (with its trigger characters), `quick_fixes`,
  `definitions`, `occurrences` and `renames` (references and rename), `lens_titles`,
  `schema_hints` (inlay hints), `outline` and `artifact_kinds` (symbols),
  `artifact_graph` (call hierarchy);
- `runbook_text`: the runbook they work on (its real path, analysis and lines);
- `field_docs`, `runbook_fields`, `schema_nodes`: what the runbook's JSON Schema says of
  each field.

The thin handlers in `features/` turn LSP requests into calls of these and their results
into LSP types. Tests call them in-process (`tests/language/`), with `<|>` marking the
cursor.
"""
