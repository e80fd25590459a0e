"""The JSON Schema of what the server sends beyond LSP itself: the result of each `waivern.*`
command (`workspace/executeCommand`) and the params of the `waivern/runProgress`
notification, as one document, `schemas/server-api.schema.json` (DESIGN.md §4.2, §5).

The shapes are the TypedDicts declared next to the code that builds each answer (their
docstrings and their fields' docstrings are the schema's descriptions); this module only
gathers them. The VS Code extension's types are generated from the file
(`npm run generate-types`), so the Python code is the one source of both.

`make schema` writes it (`python -m waivern_lsp.api_schema DIR`); a test keeps the
checked-in file in sync.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, TypeAdapter, with_config
from pydantic.json_schema import GenerateJsonSchema
from typing_extensions import TypedDict  # pydantic wants this one before Python 3.12

from waivern_lsp.features.commands import Cancellation, PollReport, StartedRun
from waivern_lsp.runs.editor_runs import RunProgress
from waivern_lsp.runs.graph import Graph
from waivern_orchestration.store.reports import RunReport, RunSummary

API_SCHEMA_FILE = "server-api.schema.json"
API_SCHEMA_ID = "https://waivern.dev/schemas/server-api.schema.json"

# By method: a command's result, or a notification's params.
ServerApi = TypedDict(
    "ServerApi",
    {
        "waivern.run": StartedRun,
        "waivern.resume": StartedRun,
        "waivern.poll": PollReport,
        "waivern.cancel": Cancellation,
        "waivern.graph": Graph,
        "waivern.runs": list[RunSummary],
        "waivern.inspect": RunReport,
        "waivern/runProgress": RunProgress,  # (a literal: mypy reads the keys)
    },
)
# The shapes' attribute docstrings are their fields' descriptions: every TypedDict in
# ServerApi takes its configuration.
with_config(ConfigDict(use_attribute_docstrings=True))(ServerApi)


class _NamedTypesTitled(GenerateJsonSchema):
    """Titles on the named types only: a field's title ("Run Id") says nothing its name
    does not, and code generators make a type alias of every title."""

    def field_title_should_be_set(self, schema: object) -> bool:
        return False


def api_json_schema() -> dict[str, Any]:
    """The schema (draft 2020-12): an object with one property per method, whose `$defs`
    are the named shapes (`RunSummary`, `Graph`, `RunProgress`, …)."""
    schema = TypeAdapter(ServerApi).json_schema(
        schema_generator=_NamedTypesTitled, mode="serialization"
    )
    header = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": API_SCHEMA_ID,
        "title": "ServerApi",
        "description": (
            "What the Waivern language server sends beyond LSP, by method: the result of\n"
            "each `waivern.*` command (`workspace/executeCommand`; `waivern.inspect` with\n"
            "one argument, the run id) and the params of the `waivern/runProgress`\n"
            "notification. Fields may be added, never renamed or removed."
        ),
    }
    return {**header, **schema, "title": header["title"]}


def render_api_schema() -> str:
    """`api_json_schema` as the text checked in to `schemas/`: stable across runs (in
    declaration order, which the generated TypeScript keeps)."""
    return json.dumps(api_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_api_schema(target_dir: Path) -> Path:
    """Write the schema into `target_dir` (created if missing); the path written."""
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / API_SCHEMA_FILE
    path.write_text(render_api_schema(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write_api_schema(Path(sys.argv[1]))}", file=sys.stderr)
