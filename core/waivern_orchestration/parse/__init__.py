"""Runbook text → a positioned YAML tree.

- `positions`: 0-based lines and characters, as in LSP;
- `yaml_tree`: the tree, built on PyYAML's C composer, with limits against hostile input;
- `incremental`: after an edit, only the artifact blocks it touched are parsed again;
- `recovery`: after a syntax error, the header and every artifact block that still
  parses on its own.

Nothing here knows what an artifact means: that is the analysis.
"""
