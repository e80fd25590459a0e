"""The `personal_data` processor: finds personal data in `standard_input/1.0.0` text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from waivern_orchestration.components.base import Processor
from waivern_orchestration.message_schemas import PERSONAL_DATA_FINDING, STANDARD_INPUT


class EvidenceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Keep snippets of text around each match.")
    context_chars: int = Field(
        default=40, ge=0, le=500, description="Characters of context on each side of a match."
    )
    max_per_finding: int = Field(
        default=5, gt=0, le=100, description="At most this many snippets per finding."
    )


class PersonalDataProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ruleset: Literal["default", "strict"] = Field(
        default="default",
        description=(
            "`default`: e-mail addresses, phone numbers, payment cards, IP addresses, "
            "national ids; `strict` adds dates of birth and postal addresses."
        ),
    )
    evidence: EvidenceOptions = Field(
        default_factory=EvidenceOptions, description="What evidence to keep with findings."
    )


class PersonalDataProcessor(Processor):
    name = "personal_data"
    description = "Finds personal data (e-mails, phones, cards, ...) in text, with evidence."
    Properties = PersonalDataProperties
    output_schemas = (PERSONAL_DATA_FINDING,)
    input_combinations = (frozenset({STANDARD_INPUT}),)
