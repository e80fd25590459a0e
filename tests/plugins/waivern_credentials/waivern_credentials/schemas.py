"""The message schemas of this plug-in, named by its `waivern.schemas` entry points."""

from importlib.resources import files
from typing import Any

# A JSON file shipped in the package.
CREDENTIAL = files("waivern_credentials") / "credential-1.0.0.json"


def credential_report() -> dict[str, Any]:
    """A schema may also be a document a function returns."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "credential_report/1.0.0",
        "description": "Credentials counted by kind.",
        "type": "object",
        "required": ["total", "by_kind"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "by_kind": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    }
