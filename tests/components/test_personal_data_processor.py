"""The `personal_data` processor: what it finds in text and database items, how it masks
values and evidence, and the optional review step run as a batch job."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import pytest
from component_fakes import FakeContext, assert_matches_schema, file_items, message
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from waivern_orchestration.components.base import PendingProcessingError
from waivern_orchestration.components.pd_rules import load_ruleset, ruleset_names
from waivern_orchestration.components.personal_data import (
    REVIEW_HANDLER,
    PersonalDataProcessor,
    PersonalDataProperties,
    review_candidates,
    review_key,
)
from waivern_orchestration.message_schemas import PERSONAL_DATA_FINDING, STANDARD_INPUT


def process(context: FakeContext, *contents: dict[str, Any], **properties: Any) -> dict[str, Any]:
    inputs = [message(f"input_{n}", STANDARD_INPUT, c) for n, c in enumerate(contents)]
    result = PersonalDataProcessor().process(inputs, PersonalDataProperties(**properties), context)
    assert_matches_schema(result, PERSONAL_DATA_FINDING)
    return result


def scan(text: str, **properties: Any) -> list[dict[str, Any]]:
    context = FakeContext(runbook_dir=Path("."))
    findings: list[dict[str, Any]] = process(
        context, file_items({"notes.txt": text}), **properties
    )["findings"]
    return findings


def found(text: str, **properties: Any) -> list[tuple[str, str]]:
    """(type, masked value) of each finding."""
    return [(finding["type"], finding["value"]) for finding in scan(text, **properties)]


# --- what is found -----------------------------------------------------------------------


def test_an_email_address_is_found_located_and_masked() -> None:
    [finding] = scan("Ticket 4711\n\nReply to jane.doe@acme.io today.\n")

    assert finding == {
        "type": "email",
        "category": "contact",
        "risk": "medium",
        "value": "j***@acme.io",
        "location": {"file": "notes.txt", "line": 3},
        "source": "notes.txt",
        "occurrences": 1,
        "detected_by": "pattern",
        "evidence": ["Ticket 4711 Reply to j***@acme.io today."],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Visa 4111 1111 1111 1111 paid", [("payment_card", "**** **** **** 1111")]),
        ("card 5555-5555-5555-4444", [("payment_card", "**** **** **** 4444")]),
        ("amex 378282246310005", [("payment_card", "**** **** *** 0005")]),
        ("Luhn fails: 4111 1111 1111 1112", []),
        ("order number 1234567890123456", []),
        ("IBAN GB82 WEST 1234 5698 7654 32", [("iban", "GB** **** **** **** **54 32")]),
        ("IBAN DE89370400440532013000.", [("iban", "DE** **** **** **** **30 00")]),
        ("mod-97 fails: GB82 WEST 1234 5698 7654 33", []),
        ("SSN 536-90-4399", [("ssn", "***-**-4399")]),
        ("not an SSN: 000-12-3456 or 666-12-3456", []),
        ("NINO AB 12 34 56 C", [("nino", "AB ** ** ** *")]),
        ("NINO QQ123456C is the HMRC example", []),
        ("login from 81.2.69.160", [("ipv4", "81.2.*.*")]),
        ("not an IP: 300.1.2.3 or 1.2.3.4.5", []),
        ("client 2a00:1450:4001:81b::200e", [("ipv6", "2a00:1450:*")]),
        ("at 12:30:45, MAC 00:1a:2b:3c:4d:5e", []),
        ("call +44 20 7946 0958", [("phone", "+** ** **** **58")]),
        ("office (030) 901820", [("phone", "(***) ****20")]),
        ("US 202-555-0173", [("phone", "***-***-**73")]),
        ("phone 555-0142", [("phone", "***-**42")]),
        ("Tel.: 030/901820", [("phone", "***/****20")]),
        ("on 2024-03-02 at 10:00", []),
        ("Date of birth: 12/03/1985", [("date_of_birth", "**/**/****")]),
        ("DOB 1985-03-12", [("date_of_birth", "****-**-**")]),
        ("born on 12 March 1985", [("date_of_birth", "** ***** ****")]),
        ("DOB 31/02/1985", []),
    ],
)
def test_the_default_ruleset(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane, born in Leeds on 12 March 1985", [("date_of_birth", "** ***** ****")]),
        ("1985-03-12 (DOB)", [("date_of_birth", "****-**-**")]),
        ("shipped on 2024-03-02", []),
        (
            "10 Downing Street, London SW1A 2AA",
            [("street_address", "** ******* ******"), ("postal_code", "SW** ***")],
        ),
        (
            "Hauptstraße 5, PLZ 10115 Berlin",
            [("street_address", "*********** *"), ("postal_code", "10***")],
        ),
        ("order 10115 shipped", []),
        ("SSN: 536904399", [("ssn", "*****4399")]),
        ("passport no: X1234567", [("passport_number", "******67")]),
    ],
)
def test_the_strict_ruleset_adds_patterns(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, ruleset="strict") == expected


def test_strict_finds_everything_default_finds() -> None:
    default, strict = load_ruleset("default"), load_ruleset("strict")

    assert strict.text_rules[: len(default.text_rules)] == default.text_rules
    assert strict.column_rules[: len(default.column_rules)] == default.column_rules
    assert found("Jane, born in Leeds on 12 March 1985") == []


def test_the_ruleset_property_offers_exactly_the_shipped_rulesets() -> None:
    annotation = PersonalDataProperties.model_fields["ruleset"].annotation

    assert list(typing.get_args(annotation)) == ruleset_names() == ["default", "strict"]


def test_repeated_values_in_an_item_make_one_finding_with_occurrences() -> None:
    text = "a@acme.io\nb@acme.io\nagain A@ACME.IO\n"

    assert [(f["value"], f["occurrences"], f["location"]["line"]) for f in scan(text)] == [
        ("a***@acme.io", 2, 1),
        ("b***@acme.io", 1, 2),
    ]


def test_overlapping_matches_are_reported_once_as_the_longer_match() -> None:
    assert found("phone +44 20 7946 0958") == [("phone", "+** ** **** **58")]
    assert found("IBAN NL91 ABNA 0417 1643 00") == [("iban", "NL** **** **** **43 00")]


# --- evidence ----------------------------------------------------------------------------


def test_evidence_masks_every_value_it_shows() -> None:
    [email, phone] = scan("Contact: jane@acme.io, phone 030 901820. Thanks")

    assert email["evidence"] == ["Contact: j***@acme.io, phone *** ****20. Thanks"]
    assert phone["evidence"] == email["evidence"]
    assert "jane@" not in str(email) and "901820" not in str(phone)


def test_evidence_respects_context_chars_and_max_per_finding() -> None:
    text = "\n".join(f"#{n} to jane@acme.io ok{n}" for n in range(1, 9))

    [finding] = scan(text, evidence={"context_chars": 6, "max_per_finding": 3})

    assert finding["occurrences"] == 8
    assert finding["evidence"] == [
        "#1 to j***@acme.io ok1 #...",  # six characters on each side, whitespace folded
        "...#2 to j***@acme.io ok2 #...",
        "...#3 to j***@acme.io ok3 #...",
    ]


def test_evidence_can_be_turned_off() -> None:
    [finding] = scan("jane@acme.io", evidence={"enabled": False})

    assert "evidence" not in finding


def test_context_chars_zero_shows_only_the_masked_value() -> None:
    [finding] = scan("Reply to jane@acme.io now", evidence={"context_chars": 0})

    assert finding["evidence"] == ["...j***@acme.io..."]


# --- database items and fan-in -----------------------------------------------------------


def sqlite_items() -> dict[str, Any]:
    def metadata(**fields: Any) -> dict[str, Any]:
        return {
            "source": "shop.db/customers",
            "connector": "sqlite",
            "table": "customers",
            **fields,
        }

    columns = ["id", "fullName", "customer_email", "email_verified", "phone_no", "created"]
    return {
        "source": "shop.db",
        "items": [
            {"content": ", ".join(columns), "metadata": metadata(kind="schema", columns=columns)},
            {
                "content": "jane@acme.io",
                "metadata": metadata(column="customer_email", row=7, kind="cell"),
            },
            {"content": "7", "metadata": metadata(column="id", row=7, kind="cell")},
        ],
    }


def test_database_cells_are_located_by_table_column_and_row(context: FakeContext) -> None:
    findings = process(context, sqlite_items())["findings"]

    [cell] = [f for f in findings if f["detected_by"] == "pattern"]
    assert cell["location"] == {"table": "customers", "column": "customer_email", "row": 7}
    assert cell["source"] == "shop.db/customers"
    assert cell["value"] == "j***@acme.io"


def test_schema_items_report_personal_data_columns(context: FakeContext) -> None:
    findings = process(context, sqlite_items())["findings"]

    columns = [
        (f["type"], f["category"], f["location"], f["value"])
        for f in findings
        if f["detected_by"] == "column_name"
    ]
    assert columns == [
        ("name", "identifier", {"table": "customers", "column": "fullName"}, "fullName"),
        ("email", "contact", {"table": "customers", "column": "customer_email"}, "customer_email"),
        ("phone", "contact", {"table": "customers", "column": "phone_no"}, "phone_no"),
    ]


def test_every_input_message_is_scanned(context: FakeContext) -> None:
    result = process(
        context,
        file_items({"a.txt": "mail a@acme.io", "b.txt": "no personal data"}),
        sqlite_items(),
    )

    assert sorted({f["source"] for f in result["findings"]}) == ["a.txt", "shop.db/customers"]
    assert result["summary"] == {"email": 3, "name": 1, "phone": 1}


def test_odd_items_are_skipped_not_fatal(context: FakeContext) -> None:
    odd = {"items": [{"content": 42, "metadata": {}}, "text", {"metadata": {"kind": "schema"}}]}

    result = PersonalDataProcessor().process(
        [message("odd", STANDARD_INPUT, odd), message("empty", STANDARD_INPUT, {})],
        PersonalDataProperties(),
        context,
    )

    assert result == {"findings": [], "summary": {}}
    assert context.warnings == ["input 'empty' has no items: skipped"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("0123456789 .-:+@()/\nabcdeABCDE#DOBbornSSNvVx"),
        max_size=200,
    )
    | st.text(max_size=200)
)
def test_any_text_gives_valid_findings(text: str) -> None:
    findings = scan(text, ruleset="strict", review={"enabled": False})

    for finding in findings:
        for snippet in finding.get("evidence", []):
            assert "\n" not in snippet


def test_long_runs_of_digits_and_separators_are_scanned_quickly() -> None:
    text = ("1 2-3.4:5 " * 5000) + ("a" * 20000) + "@" + ("b." * 5000)

    scan(text, ruleset="strict")  # finishes: no pattern backtracks badly


# --- the review step ---------------------------------------------------------------------

REVIEWED_TEXT = """\
Refund for jane.doe@example.com, card 4111 1111 1111 1111 (test card).
Real customer: max@acme.io, card 4556 7375 8689 9855.
Server version 1.2.3.4, firmware v10.0.0.1, client 81.2.69.160, gateway 192.168.1.1.
Health check on 127.0.0.1.
"""


def test_review_submits_the_candidates_and_waits(context: FakeContext) -> None:
    with pytest.raises(PendingProcessingError, match=r"wct poll run-1"):
        process(context, file_items({"refund.txt": REVIEWED_TEXT}), review={"enabled": True})

    [job] = context.batch.submitted
    assert job["provider"] == "local"
    assert job["handler"] == REVIEW_HANDLER
    assert job["key"] == review_key(job["payload"])
    assert re.fullmatch(r"personal_data\.review:[0-9a-f]{64}", job["key"])
    assert len(job["payload"]) == 9


def test_review_completes_from_the_batch_result(context: FakeContext) -> None:
    items = file_items({"refund.txt": REVIEWED_TEXT})
    with pytest.raises(PendingProcessingError):
        process(context, items, review={"enabled": True, "provider": "local"})
    context.batch.complete()

    result = process(context, items, review={"enabled": True, "provider": "local"})

    assert [(f["type"], f["value"], f["risk"]) for f in result["findings"]] == [
        ("email", "m***@acme.io", "medium"),
        ("payment_card", "**** **** **** 9855", "high"),
        ("ipv4", "81.2.*.*", "medium"),
        ("ipv4", "192.168.*.*", "low"),  # a private address: kept, lower risk
    ]
    assert result["summary"] == {"email": 1, "ipv4": 2, "payment_card": 1}
    assert all("review" not in finding for finding in result["findings"])
    assert len(context.batch.submitted) == 1  # not submitted again


def test_without_review_the_false_positives_stay(context: FakeContext) -> None:
    result = process(context, file_items({"refund.txt": REVIEWED_TEXT}))

    assert result["summary"] == {"email": 2, "ipv4": 5, "payment_card": 2}
    assert context.batch.submitted == []


def test_nothing_to_review_completes_at_once(context: FakeContext) -> None:
    result = process(context, file_items({"a.txt": "nothing here"}), review={"enabled": True})

    assert result == {"findings": [], "summary": {}}
    assert context.batch.submitted == []


def candidate(kind: str, text: str, before: str = "", after: str = "") -> dict[str, Any]:
    return {
        "type": kind,
        "category": "contact",
        "risk": "medium",
        "value": "masked",
        "location": {"line": 1},
        "source": "notes.txt",
        "occurrences": 1,
        "detected_by": "pattern",
        "review": {"text": text, "contexts": [{"before": before, "after": after}]},
    }


@pytest.mark.parametrize(
    ("kind", "text", "before", "after", "kept"),
    [
        ("email", "a@example.org", "", "", False),
        ("email", "a@mail.example.com", "", "", False),
        ("email", "a@shop.test", "", "", False),
        ("email", "a@example.co.uk", "", "", True),
        ("payment_card", "4242-4242-4242-4242", "", "", False),
        ("iban", "GB82 WEST 1234 5698 7654 32", "", "", False),
        ("ssn", "078-05-1120", "", "", False),
        ("phone", "+44 20 7946 0958", "", "", False),
        ("phone", "(202) 555-0173", "", "", False),
        ("phone", "+49 30 901820", "", "", True),
        ("ipv4", "1.2.3.4", "released version ", "", False),
        ("ipv4", "10.0.0.1", "firmware v", "", False),
        ("ipv4", "1.2.3.4", "", "-beta", False),
        ("ipv4", "81.2.69.160", "login from ", ".", True),
        ("ipv4", "127.0.0.1", "", "", False),
        ("ipv4", "203.0.113.9", "", "", False),
        ("ipv6", "::1", "", "", False),
        ("ipv6", "2001:db8::1", "", "", False),
        ("ipv6", "2a00:1450:4001:81b::200e", "", "", True),
    ],
)
def test_review_drops_likely_false_positives(
    kind: str, text: str, before: str, after: str, kept: bool
) -> None:
    assert len(review_candidates([candidate(kind, text, before, after)])) == int(kept)


@pytest.mark.parametrize(
    "payload",
    [None, "text", 42, [None, 1, "x"], [{"type": "ipv4", "review": {"text": "not an ip"}}], [{}]],
)
def test_review_never_raises_on_odd_payloads(payload: Any) -> None:
    reviewed = review_candidates(payload)

    assert isinstance(reviewed, list)
    assert all(isinstance(finding, dict) and "review" not in finding for finding in reviewed)


def test_an_unknown_review_provider_is_refused_with_the_installed_ones() -> None:
    with pytest.raises(ValidationError, match=r"unknown batch provider `outbox`.*`local`"):
        PersonalDataProperties.model_validate({"review": {"enabled": True, "provider": "outbox"}})
