"""Two processors around the plug-in's own schema: one writes `credential/1.0.0`, the
other reads it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from waivern_orchestration.components import Processor
from waivern_orchestration.components.base import ComponentContext
from waivern_orchestration.message_schemas import STANDARD_INPUT, SchemaRef
from waivern_orchestration.messages import Message

CREDENTIAL = SchemaRef("credential", "1.0.0")
CREDENTIAL_REPORT = SchemaRef("credential_report", "1.0.0")

_ASSIGNMENT = re.compile(r"\b(password|api_key|token)\s*[=:]\s*\S+", re.IGNORECASE)


class NoProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CredentialsProcessor(Processor):
    name = "credentials"
    description = "Finds credentials written into text (`password=...`), never keeping them."
    Properties = NoProperties
    input_combinations: ClassVar = (frozenset({STANDARD_INPUT}),)
    output_schemas: ClassVar = (CREDENTIAL,)

    def process(
        self, inputs: Sequence[Message], properties: Any, context: ComponentContext
    ) -> dict[str, Any]:
        found = []
        for message in inputs:
            for item in message.content["items"]:
                source = str(item.get("metadata", {}).get("source", ""))
                for match in _ASSIGNMENT.finditer(str(item["content"])):
                    found.append({"kind": match[1].lower(), "source": source})
        return {"credentials": found}


class CredentialReportProcessor(Processor):
    name = "credential_report"
    description = "Counts credentials by kind."
    Properties = NoProperties
    input_combinations: ClassVar = (frozenset({CREDENTIAL}),)
    output_schemas: ClassVar = (CREDENTIAL_REPORT,)

    def process(
        self, inputs: Sequence[Message], properties: Any, context: ComponentContext
    ) -> dict[str, Any]:
        kinds = Counter(
            credential["kind"]
            for message in inputs
            for credential in message.content["credentials"]
        )
        return {"total": sum(kinds.values()), "by_kind": dict(sorted(kinds.items()))}
