"""The `filesystem` connector: text files under a directory, as `standard_input/1.0.0`.

Files are chosen by include/exclude globs relative to `path`, read in sorted path order
up to `max_files`, and decoded with `encoding`. Binary, unreadable and undecodable files
are skipped with a warning on the artifact; a missing `path` is an error.
"""

from __future__ import annotations

import codecs
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from waivern_orchestration.components.base import ComponentContext, Connector
from waivern_orchestration.message_schemas import STANDARD_INPUT

# A NUL byte in the first 8 KiB marks a file as binary (the heuristic git and grep use).
BINARY_SNIFF_BYTES = 8192


class FilesystemProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="File or directory to read, relative to the runbook's directory.")
    include: list[str] = Field(
        default_factory=lambda: ["**/*"],
        description=(
            "Glob patterns (relative to `path`) of files to read: `*` stays within a folder, "
            "`**` spans folders (`**/*.txt` is every .txt file)."
        ),
    )
    exclude: list[str] = Field(
        default_factory=list,
        description=(
            "Glob patterns of files to skip (wins over include); a pattern that matches a "
            "folder skips everything under it."
        ),
    )
    max_files: int = Field(
        default=1000,
        gt=0,
        description="Read at most this many files, in sorted path order (the rest is skipped).",
    )
    encoding: str = Field(default="utf-8", description="Text encoding of the files.")

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown text encoding {value!r}") from None
        return value


class FilesystemConnector(Connector):
    name = "filesystem"
    description = "Reads text files under a directory (include/exclude globs), one item per file."
    Properties = FilesystemProperties
    output_schemas = (STANDARD_INPUT,)

    def extract(self, properties: Any, context: ComponentContext) -> dict[str, Any]:
        settings: FilesystemProperties = properties
        root = resolve_path(settings.path, context.runbook_dir)
        if root.is_file():
            files = [root.name]
            root = root.parent
        elif root.is_dir():
            files = matching_files(root, settings.include, settings.exclude, context)
            if not files:
                context.warn(f"no files under {settings.path!r} match include/exclude")
        elif root.exists():
            raise ValueError(f"path {settings.path!r} is neither a file nor a directory")
        else:
            raise FileNotFoundError(f"path {settings.path!r} does not exist ({root})")

        if len(files) > settings.max_files:
            skipped = len(files) - settings.max_files
            context.warn(
                f"max_files is {settings.max_files}: skipped {skipped} more matching "
                f"file{'s' if skipped != 1 else ''} (from {files[settings.max_files]!r} on)"
            )
            files = files[: settings.max_files]

        items: list[dict[str, Any]] = []
        for relative in files:
            if context.cancelled():
                break
            text = _read_text(root / relative, relative, settings.encoding, context)
            if text is not None:
                metadata = {"source": relative, "connector": self.name, "file": relative}
                items.append({"content": text, "metadata": metadata})
        return {"source": settings.path, "items": items}


def resolve_path(path: str, runbook_dir: Path) -> Path:
    """``path`` as given when absolute, else relative to the runbook's directory."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else runbook_dir / candidate


def matching_files(
    root: Path, include: list[str], exclude: list[str], context: ComponentContext
) -> list[str]:
    """Relative POSIX paths of the regular files under ``root`` that match an include
    pattern and no exclude pattern, sorted. Folders matching an exclude pattern are not
    entered; symbolic links to folders are not followed (no loops)."""
    included = [glob_pattern(pattern) for pattern in include]
    excluded = [glob_pattern(pattern) for pattern in exclude]

    def is_excluded(relative: str) -> bool:
        return any(pattern.fullmatch(relative) for pattern in excluded)

    def report(error: OSError) -> None:
        context.warn(f"cannot list folder {error.filename!r}: {error.strerror or error}")

    found: list[str] = []
    for folder, folders, names in os.walk(root, onerror=report):
        base = Path(folder).relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        folders[:] = [
            name
            for name in folders
            if not (is_excluded(prefix + name) or is_excluded(prefix + name + "/"))
        ]
        for name in names:
            relative = prefix + name
            if not os.path.isfile(os.path.join(folder, name)):  # sockets, FIFOs, dead links
                continue
            if any(p.fullmatch(relative) for p in included) and not is_excluded(relative):
                found.append(relative)
    return sorted(found)


@cache
def glob_pattern(pattern: str) -> re.Pattern[str]:
    """A glob relative to the scanned folder as a regular expression over POSIX paths:
    `*` and `?` stay within one path segment, `[...]` is a character class, `**` as a
    whole segment spans any number of folders (none included)."""
    text = pattern.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    segments = text.rstrip("/").split("/") if text.rstrip("/") else [""]
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(_segment_regex(segment) + ("" if last else "/"))
    return re.compile("".join(parts))


def _segment_regex(segment: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (close := segment.find("]", index + 2)) != -1:
            body = segment[index + 1 : close]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = close
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def _read_text(path: Path, relative: str, encoding: str, context: ComponentContext) -> str | None:
    """The decoded text of a file, or None (with a warning) when it is binary, unreadable
    or not text in ``encoding``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        context.warn(f"skipped unreadable file {relative!r}: {error.strerror or error}")
        return None
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        context.warn(f"skipped binary file {relative!r}")
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        context.warn(
            f"skipped {relative!r}: not {encoding} text ({error.reason} at byte {error.start})"
        )
        return None
    return text.removeprefix("\ufeff")  # a byte order mark is not content
