"""The `filesystem` connector: text files under a directory, as `standard_input/1.0.0`.

Files are chosen by include/exclude globs relative to `path` and given in sorted path
order, every one of them unless the runbook sets `max_files` (a limit that is hit is
reported). Items stream out one per file; the text stays in the file (`file_text`: the
store keeps a reference with the file's SHA-256, checked when the text is read). Binary,
unreadable and undecodable files are skipped with a warning on the artifact; a missing
`path` is an error. A resumed run goes on after the last file stored before it stopped.
"""

from __future__ import annotations

import codecs
import os
import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from waivern_orchestration.components.base import ComponentContext, Connector
from waivern_orchestration.components.file_text import SkippedFile, fingerprint
from waivern_orchestration.components.streams import Stream
from waivern_orchestration.message_schemas import STANDARD_INPUT


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
    max_files: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Read at most this many files, in sorted path order; every matching file when "
            "not set. A limit that is hit is reported with the run."
        ),
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

    def extract(self, properties: Any, context: ComponentContext) -> Stream:
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

        limit = settings.max_files
        if limit is not None and len(files) > limit:
            skipped = len(files) - limit
            context.limit_reached(
                f"max_files is {limit}: skipped {skipped} more matching "
                f"file{'s' if skipped != 1 else ''} (from {files[limit]!r} on)"
            )
            files = files[:limit]
        context.progress(total_files=len(files))

        # A resumed run: the files up to the last one stored are done (sorted order).
        # (Files removed since are not counted again: the place is the last file's name.)
        done = context.checkpoint
        first, start = 0, 0
        if done is not None and isinstance(done.last, dict):
            last_file = (done.last.get("metadata") or {}).get("file")
            if isinstance(last_file, str):
                first, start = bisect_right(files, last_file), done.items
        return Stream(
            self._items(root, files[first:], settings.encoding, context),
            fields={"source": settings.path},
            start=start,
        )

    def _items(
        self, root: Path, files: list[str], encoding: str, context: ComponentContext
    ) -> Iterator[dict[str, Any]]:
        base = str(root)
        for relative in files:
            if context.cancelled():
                return
            try:
                content = fingerprint(os.path.join(base, relative), relative, encoding)
            except SkippedFile as skipped:
                context.warn(str(skipped))
                continue
            context.progress(files=1, bytes=content["size"])
            metadata = {"source": relative, "connector": self.name, "file": relative}
            yield {"content": content, "metadata": metadata}


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
    stack = [(root, "")]  # (folder, its path relative to root with a trailing "/")
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as error:
            report(error)
            continue
        for entry in listed:
            relative = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):  # links to folders: not followed
                    if not (is_excluded(relative) or is_excluded(relative + "/")):
                        stack.append((Path(entry.path), relative + "/"))
                    continue
                if not entry.is_file():  # sockets, FIFOs, dead links
                    continue
            except OSError:
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
