"""Message schemas: the shapes of artifact outputs (`standard_input/1.0.0`, ...), and
their discovery from the entry-point group `waivern.schemas`.

Runbooks name a schema as `name/version`, or just `name` for the newest version. Every
schema, the built-in ones included (pyproject.toml), is an entry point whose *name* is
`name-version` (its file name in `schemas/` without `.json`; `name/version` is accepted
too, but setuptools warns about the `/`) and whose *object* is the JSON Schema: a path to
the JSON file (a `pathlib.Path` or an `importlib.resources` file), the document itself (a
dict), or a function without arguments returning one of these. The entry point's name is
the schema's identity, known even when its file cannot be read; the document's own `$id`
and `title` are not read for it.

Discovery runs once per process (`default_schemas`): the language server analyses on
every keystroke and must not scan entry points each time. A plug-in that cannot provide
its schema (module missing, file missing, not JSON, not an object) is logged once and left
out, remembered as `unavailable` so the analysis can say why the name is unknown. A second
provider of a name is refused with a logged warning: a plug-in never silently replaces a
built-in schema (or another plug-in's).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

SCHEMA_GROUP = "waivern.schemas"
BUILT_IN_DISTRIBUTION = "waivern-tooling"
SCHEMA_FOLDER = Path(__file__).with_name("message_schemas")

# The built-in schemas' files, named by this package's own `waivern.schemas` entry points.
STANDARD_INPUT_FILE = SCHEMA_FOLDER / "standard_input-1.0.0.json"
PERSONAL_DATA_FINDING_FILE = SCHEMA_FOLDER / "personal_data_finding-1.0.0.json"
FINDINGS_SUMMARY_FILE = SCHEMA_FOLDER / "findings_summary-1.0.0.json"

# `name-version` or `name/version`: a name as runbooks write it, then a version of
# dot-separated numbers (the last `-` before one separates them).
_ENTRY_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*?)[/-]([0-9]+(?:\.[0-9]+)*)")

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, order=True)
class SchemaRef:
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}/{self.version}"

    @property
    def file_name(self) -> str:
        """The schema's file name in `schemas/` and `wct schema --dir`."""
        return f"{self.name}-{self.version}.json"

    @classmethod
    def parse(cls, text: str) -> SchemaRef:
        name, _, version = text.partition("/")
        return cls(name, version)


@dataclass(frozen=True, slots=True)
class MessageSchema:
    ref: SchemaRef
    description: str
    json_schema: dict[str, Any]
    # The distribution that provides it (`waivern-tooling` for the built-ins).
    provider: str = BUILT_IN_DISTRIBUTION
    # The document as the provider ships it: what `wct schema --dir` writes.
    content: bytes = b""

    @property
    def built_in(self) -> bool:
        return self.provider == BUILT_IN_DISTRIBUTION


@dataclass(frozen=True, slots=True)
class UnavailableSchema:
    """A schema a plug-in declares but could not provide."""

    ref: SchemaRef
    provider: str
    reason: str

    def __str__(self) -> str:
        return (
            f"the plug-in `{self.provider}` declares message schema `{self.ref}`, but its "
            f"schema could not be loaded: {self.reason}"
        )


@dataclass(frozen=True)
class SchemaProblem:
    """An entry point of `waivern.schemas` that was left out, and why."""

    name: str
    provider: str
    message: str


@dataclass(frozen=True)
class SchemaRegistry:
    schemas: dict[SchemaRef, MessageSchema] = field(default_factory=dict)
    unavailable: dict[SchemaRef, UnavailableSchema] = field(default_factory=dict)
    problems: tuple[SchemaProblem, ...] = ()

    @classmethod
    def discover(cls, points: Iterable[EntryPoint] | None = None) -> SchemaRegistry:
        """The schemas of ``points`` (default: the installed `waivern.schemas` entry
        points); every problem is logged once, here."""
        found: dict[SchemaRef, MessageSchema] = {}
        unavailable: dict[SchemaRef, UnavailableSchema] = {}
        problems: list[SchemaProblem] = []
        chosen = entry_points(group=SCHEMA_GROUP) if points is None else points
        # Built-ins first, then plug-ins by distribution: the first provider of a name
        # keeps it, whatever order the environment lists them in.
        ordered = sorted(chosen, key=lambda point: _order(point))
        for point in ordered:
            provider = _provider(point)
            problem = _add(point, provider, found, unavailable)
            if problem is not None:
                logger.warning("waivern.schemas: %s (from %s): %s", point.name, provider, problem)
                problems.append(SchemaProblem(point.name, provider, problem))
        for ref in found:
            unavailable.pop(ref, None)
        return cls(dict(sorted(found.items())), unavailable, tuple(problems))

    def resolve(self, text: str) -> SchemaRef | None:
        """`name/version` or `name` (newest version) → a known schema, else None."""
        ref = SchemaRef.parse(text)
        if ref.version:
            return ref if ref in self.schemas else None
        versions = [known for known in self.schemas if known.name == ref.name]
        return max(versions, key=_version_key) if versions else None

    def why_unavailable(self, text: str) -> UnavailableSchema | None:
        """For a name nobody provides: the plug-in that meant to, if it failed."""
        ref = SchemaRef.parse(text)
        for missing in self.unavailable.values():
            if missing.ref == ref or (not ref.version and missing.ref.name == ref.name):
                return missing
        return None


def schema_ref_of_entry_point(name: str) -> SchemaRef | None:
    """The schema an entry point of `waivern.schemas` is named after, if it is."""
    match = _ENTRY_NAME.fullmatch(name.strip())
    return SchemaRef(match[1], match[2]) if match else None


def _order(point: EntryPoint) -> tuple[bool, str, str]:
    provider = _provider(point)
    return (provider != BUILT_IN_DISTRIBUTION, provider, point.name)


def _provider(point: EntryPoint) -> str:
    distribution = point.dist
    name = distribution.name if distribution is not None else None
    if not name:
        return point.value.partition(":")[0].partition(".")[0] or "unknown"
    return re.sub(r"[-_.]+", "-", name).lower()


def _add(
    point: EntryPoint,
    provider: str,
    found: dict[SchemaRef, MessageSchema],
    unavailable: dict[SchemaRef, UnavailableSchema],
) -> str | None:
    """Add the schema of ``point`` to ``found``; why it was left out, if it was."""
    ref = schema_ref_of_entry_point(point.name)
    if ref is None:
        return "the entry point's name must be `name-version` (e.g. `credential-1.0.0`)"
    if ref in found:
        return f"`{ref}` is already provided by `{found[ref].provider}`; this one is ignored"
    try:
        content = _content(point.load())
        document = json.loads(content)
    except Exception as error:  # a broken plug-in must never break the analysis
        reason = _reason(error)
        unavailable.setdefault(ref, UnavailableSchema(ref, provider, reason))
        return f"cannot load the schema: {reason}"
    if not isinstance(document, dict):
        reason = "the schema is not a JSON object"
        unavailable.setdefault(ref, UnavailableSchema(ref, provider, reason))
        return reason
    description = document.get("description")
    found[ref] = MessageSchema(
        ref,
        description if isinstance(description, str) else "",
        document,
        provider,
        content,
    )
    return None


def _content(loaded: object) -> bytes:
    """The bytes of the JSON document an entry point's object stands for."""
    if callable(loaded) and not isinstance(loaded, type):
        loaded = loaded()
    if isinstance(loaded, dict):
        return (json.dumps(loaded, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if isinstance(loaded, str | Path):
        return Path(loaded).read_bytes()
    read_bytes = getattr(loaded, "read_bytes", None)  # importlib.resources files
    if callable(read_bytes):
        content = read_bytes()
        if isinstance(content, bytes):
            return content
    raise TypeError(
        f"expected a path to a JSON file, a dict or a function returning one, "
        f"got {type(loaded).__name__}"
    )


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON ({error.msg} at line {error.lineno}, column {error.colno})"
    return str(error) or type(error).__name__


def _version_key(ref: SchemaRef) -> tuple[int, ...]:
    return tuple(int(part) for part in ref.version.split(".") if part.isdigit())


_default: SchemaRegistry | None = None


def default_schemas() -> SchemaRegistry:
    """The installed message schemas, discovered once per process."""
    global _default
    if _default is None:
        _default = SchemaRegistry.discover()
    return _default


def known_schemas() -> dict[SchemaRef, MessageSchema]:
    """The installed message schemas by reference, in name order."""
    return default_schemas().schemas


def resolve_schema(text: str) -> SchemaRef | None:
    """`name/version` or `name` (newest version) → an installed schema, else None."""
    return default_schemas().resolve(text)


STANDARD_INPUT = SchemaRef("standard_input", "1.0.0")
PERSONAL_DATA_FINDING = SchemaRef("personal_data_finding", "1.0.0")
