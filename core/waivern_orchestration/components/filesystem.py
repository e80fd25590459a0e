"""The `filesystem` connector: text files under a directory, as `standard_input/1.0.0`."""

from __future__ import annotations

import codecs

from pydantic import BaseModel, ConfigDict, Field, field_validator

from waivern_orchestration.components.base import Connector
from waivern_orchestration.message_schemas import STANDARD_INPUT


class FilesystemProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="File or directory to read, relative to the runbook's directory.")
    include: list[str] = Field(
        default_factory=lambda: ["**/*"],
        description="Glob patterns (relative to `path`) of files to read.",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Glob patterns of files to skip (wins over include)."
    )
    max_files: int = Field(
        default=1000, gt=0, description="Stop after this many files (the rest is skipped)."
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
