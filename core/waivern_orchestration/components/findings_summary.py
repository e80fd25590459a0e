"""The `findings_summary` processor: counts of personal data findings, as
`findings_summary/1.0.0` — the figures a compliance report starts from.

Accepts any number of `personal_data_finding/1.0.0` inputs and counts their findings
(a finding counts once, however many occurrences it has) by category, type, source and
risk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from waivern_orchestration.components.base import ComponentContext, Processor
from waivern_orchestration.components.streams import stream_items
from waivern_orchestration.message_schemas import PERSONAL_DATA_FINDING, SchemaRef
from waivern_orchestration.messages import Message

FINDINGS_SUMMARY = SchemaRef("findings_summary", "1.0.0")

RISK_ORDER = ("high", "medium", "low")
UNKNOWN = "unknown"


class FindingsSummaryProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    top_sources: int = Field(
        default=10,
        gt=0,
        le=10000,
        description=(
            "List at most this many sources in `by_source` (those with the most findings); "
            "`sources_omitted` counts the others."
        ),
    )


class FindingsSummaryProcessor(Processor):
    name = "findings_summary"
    description = "Counts personal data findings by category, type, source and risk."
    Properties = FindingsSummaryProperties
    output_schemas = (FINDINGS_SUMMARY,)
    input_combinations = (frozenset({PERSONAL_DATA_FINDING}),)
    lazy_inputs = True  # findings are counted as they are read, never all held

    def process(
        self, inputs: Sequence[Message], properties: Any, context: ComponentContext
    ) -> dict[str, Any]:
        settings: FindingsSummaryProperties = properties
        by_category: Counter[str] = Counter()
        by_type: Counter[str] = Counter()
        by_source: Counter[str] = Counter()
        by_risk: Counter[str] = Counter({risk: 0 for risk in RISK_ORDER})
        for message in inputs:
            findings = (
                stream_items(message.content, "findings")
                if isinstance(message.content, dict)
                else None
            )
            if findings is None:
                context.warn(f"input {message.id!r} has no findings: skipped")
                continue
            for finding in findings:
                if not isinstance(finding, dict):
                    continue
                by_category[_label(finding.get("category"))] += 1
                by_type[_label(finding.get("type"))] += 1
                by_source[_label(finding.get("source"))] += 1
                risk = finding.get("risk")
                by_risk[risk if risk in RISK_ORDER else UNKNOWN] += 1
        top = _by_count(by_source)[: settings.top_sources]
        return {
            "total": by_type.total(),
            "by_category": dict(_by_count(by_category)),
            "by_type": dict(_by_count(by_type)),
            "by_source": dict(top),
            "sources_omitted": len(by_source) - len(top),
            "by_risk": {risk: by_risk[risk] for risk in (*RISK_ORDER, UNKNOWN) if risk in by_risk},
        }


def _label(value: Any) -> str:
    return value if isinstance(value, str) and value else UNKNOWN


def _by_count(counter: Counter[str]) -> list[tuple[str, int]]:
    """Most findings first, then by name: a stable order for reports."""
    return sorted(counter.items(), key=lambda entry: (-entry[1], entry[0]))
