"""The `findings_summary` processor: counts of the findings of any number of
`personal_data_finding/1.0.0` inputs."""

from __future__ import annotations

from typing import Any

from component_fakes import FakeContext, assert_matches_schema, file_items, message

from waivern_orchestration.components.findings_summary import (
    FINDINGS_SUMMARY,
    FindingsSummaryProcessor,
    FindingsSummaryProperties,
)
from waivern_orchestration.components.personal_data import (
    PersonalDataProcessor,
    PersonalDataProperties,
)
from waivern_orchestration.message_schemas import PERSONAL_DATA_FINDING, STANDARD_INPUT


def summarise(context: FakeContext, *contents: dict[str, Any], **properties: Any) -> dict[str, Any]:
    inputs = [message(f"findings_{n}", PERSONAL_DATA_FINDING, c) for n, c in enumerate(contents)]
    result = FindingsSummaryProcessor().process(
        inputs, FindingsSummaryProperties(**properties), context
    )
    assert_matches_schema(result, FINDINGS_SUMMARY)
    return result


def finding(kind: str, category: str, source: str, risk: str) -> dict[str, Any]:
    return {"type": kind, "category": category, "source": source, "risk": risk}


def test_findings_of_every_input_are_counted(context: FakeContext) -> None:
    files = {
        "findings": [
            finding("email", "contact", "a.txt", "medium"),
            finding("email", "contact", "b.txt", "medium"),
            finding("iban", "financial", "b.txt", "high"),
        ]
    }
    database = {"findings": [finding("phone", "contact", "shop.db/customers", "medium")]}

    assert summarise(context, files, database) == {
        "total": 4,
        "by_category": {"contact": 3, "financial": 1},
        "by_type": {"email": 2, "iban": 1, "phone": 1},
        "by_source": {"b.txt": 2, "a.txt": 1, "shop.db/customers": 1},
        "sources_omitted": 0,
        "by_risk": {"high": 1, "medium": 3, "low": 0},
    }


def test_top_sources_keeps_the_sources_with_most_findings(context: FakeContext) -> None:
    findings = [finding("email", "contact", f"{name}.txt", "low") for name in "abbcccdddd"]

    result = summarise(context, {"findings": findings}, top_sources=2)

    assert result["by_source"] == {"d.txt": 4, "c.txt": 3}
    assert result["sources_omitted"] == 2
    assert result["total"] == 10


def test_no_findings_gives_zero_counts(context: FakeContext) -> None:
    assert summarise(context, {"findings": []}) == {
        "total": 0,
        "by_category": {},
        "by_type": {},
        "by_source": {},
        "sources_omitted": 0,
        "by_risk": {"high": 0, "medium": 0, "low": 0},
    }


def test_findings_without_a_risk_are_counted_as_unknown(context: FakeContext) -> None:
    result = summarise(
        context, {"findings": [{"type": "email", "category": "contact", "source": "x"}]}
    )

    assert result["by_risk"] == {"high": 0, "medium": 0, "low": 0, "unknown": 1}


def test_summarises_what_personal_data_found(context: FakeContext) -> None:
    text = "Mail jane@acme.io or max@acme.io; card 4556 7375 8689 9855; host 81.2.69.160"
    findings = PersonalDataProcessor().process(
        [message("files", STANDARD_INPUT, file_items({"notes.txt": text}))],
        PersonalDataProperties(),
        context,
    )

    result = summarise(context, findings)

    assert result["by_type"] == {"email": 2, "ipv4": 1, "payment_card": 1}
    assert result["by_category"] == {"contact": 2, "financial": 1, "network": 1}
    assert result["by_risk"] == {"high": 1, "medium": 3, "low": 0}
    assert result["by_source"] == {"notes.txt": 4}
