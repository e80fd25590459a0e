"""The `personal_data` processor: finds personal data in `standard_input/1.0.0` text.

Each input item is scanned with the patterns of a ruleset (`pd_rules`, `rulesets/*.yaml`);
database schema items (`metadata.kind: "schema"`) are checked by column name instead.
Occurrences of the same value in one item make one finding, located at the first
occurrence. Values are masked in findings and evidence.

With `review.enabled`, the candidate findings go through `review_candidates`, a second,
context-aware pass that drops likely false positives (example domains, documented test
numbers, version strings that look like IP addresses). It runs as a batch job: the first
run submits it and stays pending; once `wct poll` stored the result, a resume completes
the artifact from it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from waivern_orchestration.components.base import ComponentContext, PendingProcessingError
from waivern_orchestration.components.file_text import (
    Chunk,
    SkippedFile,
    Warn,
    is_file_ref,
    read_text,
    text_chunks,
)
from waivern_orchestration.components.matching import scan_matcher
from waivern_orchestration.components.pd_rules import Ruleset, TextRule, load_ruleset
from waivern_orchestration.components.streams import BatchResult, ItemProcessor, stream_items
from waivern_orchestration.message_schemas import PERSONAL_DATA_FINDING, STANDARD_INPUT
from waivern_orchestration.messages import Message

REVIEW_HANDLER = "waivern_orchestration.components.personal_data:review_candidates"
REVIEW_KEY_PREFIX = "personal_data.review:"
# Raw text on each side of a match that the review sees, and how many occurrences.
REVIEW_CONTEXT_CHARS = 30
REVIEW_MAX_CONTEXTS = 10
# A file of more than this many bytes is scanned in chunks of this many characters, each
# with this much text of its neighbours around it: a value (and its evidence) that crosses a
# boundary is found whole, once. Values longer than the margin are not personal data.
CHUNK_CHARS = 4_000_000
CHUNK_MARGIN = 65_536


class EvidenceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Keep snippets of text around each match.")
    context_chars: int = Field(
        default=40, ge=0, le=500, description="Characters of context on each side of a match."
    )
    max_per_finding: int = Field(
        default=5, gt=0, le=100, description="At most this many snippets per finding."
    )


class ReviewOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=False,
        description=(
            "Send the candidate findings to a batch provider for a second, context-aware "
            "pass that drops false positives (example domains, test card numbers, version "
            "strings); the artifact stays pending until `wct poll` has the result."
        ),
    )
    provider: str = Field(
        default="local", min_length=1, description="The batch provider that runs the review."
    )

    @field_validator("provider")
    @classmethod
    def _installed(cls, value: str) -> str:
        # Imported here: the batch module needs the run store, which components do not.
        from waivern_orchestration.execution.batch import provider_names

        installed = provider_names()
        if value not in installed and "${" not in value:
            listed = ", ".join(f"`{name}`" for name in installed)
            raise ValueError(f"unknown batch provider `{value}` (installed: {listed})")
        return value


class PersonalDataProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ruleset: Literal["default", "strict"] = Field(
        default="default",
        description=(
            "`default`: e-mail addresses, phone numbers, IBANs, payment cards, IP addresses, "
            "labelled dates of birth, US SSNs, UK NINOs, personal-data column names; "
            "`strict` adds dates near birth words, postal codes, street addresses and more "
            "column names."
        ),
    )
    evidence: EvidenceOptions = Field(
        default_factory=EvidenceOptions, description="What evidence to keep with findings."
    )
    review: ReviewOptions = Field(
        default_factory=ReviewOptions,
        description="An optional second pass over the findings that drops false positives.",
    )


class PersonalDataProcessor(ItemProcessor):
    name = "personal_data"
    description = "Finds personal data (e-mails, phones, cards, ...) in text, with evidence."
    Properties = PersonalDataProperties
    output_schemas = (PERSONAL_DATA_FINDING,)
    input_combinations = (frozenset({STANDARD_INPUT}),)
    input_field = "items"
    output_field = "findings"
    lazy_inputs = True
    file_references = True  # big files are read in chunks, where they are scanned

    def streams(self, properties: Any) -> bool:
        # The review judges every candidate at once (one batch job): not item by item.
        settings: PersonalDataProperties = properties
        return not settings.review.enabled

    def process_items(self, items: list[Any], properties: Any) -> BatchResult:
        settings: PersonalDataProperties = properties
        ruleset = load_ruleset(settings.ruleset)
        result = BatchResult([])
        for item in items:
            findings, scanned = scan_entry(item, ruleset, settings.evidence, result.warnings.append)
            result.items += findings
            result.scanned_bytes += scanned
        return result

    def summarise(
        self, outputs: Iterable[Any], properties: Any, context: ComponentContext
    ) -> dict[str, Any]:
        return {"summary": _summary(outputs)}

    def process(
        self, inputs: Sequence[Message], properties: Any, context: ComponentContext
    ) -> dict[str, Any]:
        settings: PersonalDataProperties = properties
        ruleset = load_ruleset(settings.ruleset)
        review = settings.review.enabled
        candidates: list[dict[str, Any]] = []
        for message in inputs:
            items = stream_items(message.content, "items")
            if items is None:
                context.warn(f"input {message.id!r} has no items: skipped")
                continue
            for item in items:
                if context.cancelled():
                    return _content([_without_review(c) for c in candidates])
                found, _ = scan_entry(item, ruleset, settings.evidence, context.warn, review=review)
                candidates += found
        if not (review and candidates):
            return _content([_without_review(candidate) for candidate in candidates])
        return _content(_reviewed(candidates, settings.review.provider, context))


def _content(findings: list[dict[str, Any]]) -> dict[str, Any]:
    return {"findings": findings, "summary": _summary(findings)}


def _summary(findings: Iterable[Any]) -> dict[str, int]:
    counts = Counter(str(finding.get("type")) for finding in findings if isinstance(finding, dict))
    return dict(sorted(counts.items()))


def _without_review(candidate: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in candidate.items() if key != "review"}


def review_key(candidates: list[dict[str, Any]]) -> str:
    """The batch key of a review: the same candidates always give the same key."""
    canonical = json.dumps(candidates, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return REVIEW_KEY_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _reviewed(
    candidates: list[dict[str, Any]], provider: str, context: ComponentContext
) -> list[dict[str, Any]]:
    key = review_key(candidates)
    cached = context.batch.result(key)
    if cached is None:
        context.batch.submit(key, provider, REVIEW_HANDLER, candidates)
        raise PendingProcessingError(
            f"{len(candidates)} candidate findings submitted for review to batch provider "
            f"{provider!r}; run `wct poll {context.run_id}`, then resume the run"
        )
    if not isinstance(cached, list):
        raise ValueError(f"the review result under {key!r} is not a list of findings")
    return [finding for finding in cached if isinstance(finding, dict)]


# --- scanning ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    rule: TextRule
    raw: str
    masked: str


def scan_entry(
    item: Any, ruleset: Ruleset, evidence: EvidenceOptions, warn: Warn, *, review: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """The findings in one `standard_input` item, and the characters scanned. Text kept
    in its file is read here, a big file in chunks (`CHUNK_CHARS`, with `CHUNK_MARGIN` of
    shared context so that no match is lost or doubled at a boundary)."""
    if not isinstance(item, dict):
        return [], 0
    content = item.get("content")
    if isinstance(content, str):
        return scan_item(item, ruleset, evidence, review=review), len(content)
    if not is_file_ref(content):
        return [], 0
    metadata = _metadata(item)
    try:
        if int(content.get("size") or 0) <= CHUNK_CHARS:
            text = read_text(content, warn)
            return scan_item({**item, "content": text}, ruleset, evidence, review=review), len(text)
        chunks = text_chunks(content, warn, chunk_chars=CHUNK_CHARS, margin=CHUNK_MARGIN)
        scan = _Scan(metadata, ruleset, evidence, review)
        for chunk in chunks:
            scan.add(chunk)
        return scan.findings(), scan.scanned
    except SkippedFile as skipped:
        warn(str(skipped))
        return [], 0


def scan_item(
    item: Any, ruleset: Ruleset, evidence: EvidenceOptions, *, review: bool = False
) -> list[dict[str, Any]]:
    """The findings in one `standard_input` item with its text in place; with ``review``,
    each carries a `review` field (the raw value and its surroundings) for
    `review_candidates`."""
    if not isinstance(item, dict) or not isinstance(item.get("content"), str):
        return []
    text: str = item["content"]
    metadata = _metadata(item)
    if metadata.get("kind") == "schema":
        source = str(metadata.get("source", ""))
        return _column_findings(text, metadata, source, ruleset, evidence)
    scan = _Scan(metadata, ruleset, evidence, review)
    scan.add(Chunk(text, 0, 0, len(text), 0, last=True))
    return scan.findings()


def _metadata(item: dict[str, Any]) -> dict[str, Any]:
    metadata = item.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


class _Scan:
    """Findings gathered over the chunks of one text, in order: occurrences of the same
    value make one finding, located at the first."""

    def __init__(
        self, metadata: dict[str, Any], ruleset: Ruleset, evidence: EvidenceOptions, review: bool
    ) -> None:
        self.metadata = metadata
        self.source = str(metadata.get("source", ""))
        self.ruleset = ruleset
        self.evidence = evidence
        self.review = review
        self.scanned = 0
        self._groups: dict[tuple[str, str], _Finding] = {}

    def add(self, chunk: Chunk) -> None:
        text = chunk.text
        self.scanned += chunk.core_end - chunk.core_start
        matches = find_matches(text, self.ruleset)
        if not matches:
            return
        line_starts = [0] + [newline.end() for newline in re.finditer("\n", text)]
        starts = [match.start for match in matches]
        low, high = chunk.core_start - chunk.offset, chunk.core_end - chunk.offset
        options = self.evidence
        for match in matches:
            if not low <= match.start < high:
                continue  # a neighbouring chunk's
            key = (match.rule.type, _normalised(match.raw))
            group = self._groups.get(key)
            if group is None:
                line = chunk.line + bisect_right(line_starts, match.start)
                group = self._groups[key] = _Finding(match, line)
            group.occurrences += 1
            if (
                options.enabled
                and group.considered < options.max_per_finding * 4
                and len(group.evidence) < options.max_per_finding
            ):
                group.considered += 1
                snippet = _snippet(text, chunk, match, matches, starts, options.context_chars)
                if snippet not in group.evidence:
                    group.evidence.append(snippet)
            if self.review and len(group.contexts) < REVIEW_MAX_CONTEXTS:
                group.contexts.append(
                    {
                        "before": _masked_window(
                            text,
                            max(0, match.start - REVIEW_CONTEXT_CHARS),
                            match.start,
                            matches,
                            starts,
                        ),
                        "after": _masked_window(
                            text, match.end, match.end + REVIEW_CONTEXT_CHARS, matches, starts
                        ),
                    }
                )

    def findings(self) -> list[dict[str, Any]]:
        findings: list[dict[str, Any]] = []
        for group in self._groups.values():
            first = group.first
            finding: dict[str, Any] = {
                "type": first.rule.type,
                "category": first.rule.category,
                "risk": first.rule.risk,
                "value": first.masked,
                "location": _text_location(self.metadata, group.line),
                "source": self.source,
                "occurrences": group.occurrences,
                "detected_by": "pattern",
            }
            if self.evidence.enabled:
                finding["evidence"] = group.evidence
            if self.review:
                finding["review"] = {"text": first.raw, "contexts": group.contexts}
            findings.append(finding)
        return findings


@dataclass(slots=True)
class _Finding:
    first: _Match
    line: int
    occurrences: int = 0
    considered: int = 0  # occurrences looked at for evidence
    evidence: list[str] = field(default_factory=list)
    contexts: list[dict[str, str]] = field(default_factory=list)


def _snippet(
    text: str,
    chunk: Chunk,
    match: _Match,
    matches: list[_Match],
    starts: list[int],
    context_chars: int,
) -> str:
    window_start = max(0, match.start - context_chars)
    window_end = min(len(text), match.end + context_chars)
    snippet = " ".join(_masked_window(text, window_start, window_end, matches, starts).split())
    if chunk.offset + window_start > 0:
        snippet = "..." + snippet
    if window_end < len(text) or not chunk.last:
        snippet += "..."
    return snippet


def find_matches(text: str, ruleset: Ruleset) -> list[_Match]:
    """Every checked match of the ruleset's patterns, without overlaps (the longer match
    wins, then the rule listed first), in text order. The patterns' matches are exactly
    their `finditer`'s, found at native speed where Hyperscan is installed (`matching`)."""
    found: list[tuple[int, int, int, TextRule]] = []
    matcher = scan_matcher(tuple(rule.pattern for rule in ruleset.text_rules))
    per_rule = zip(ruleset.text_rules, matcher.find_all(text), strict=True)
    for order, (rule, matches) in enumerate(per_rule):
        for match in matches:
            start, end = rule.value_span(match)
            raw = text[start:end]
            if start < end and rule.check(raw) and rule.is_near_words(text, start, end):
                found.append((start, end, order, rule))
    found.sort(key=lambda entry: (entry[0] - entry[1], entry[2], entry[0]))
    starts: list[int] = []
    accepted: list[tuple[int, int, TextRule]] = []
    for start, end, _order, rule in found:
        index = bisect_right(starts, start)
        if index and accepted[index - 1][1] > start:
            continue
        if index < len(accepted) and accepted[index][0] < end:
            continue
        starts.insert(index, start)
        accepted.insert(index, (start, end, rule))
    return [
        _Match(start, end, rule, text[start:end], rule.mask(text[start:end]))
        for start, end, rule in accepted
    ]


def _normalised(raw: str) -> str:
    return re.sub(r"[\s().\-/]", "", raw).lower()


def _text_location(metadata: dict[str, Any], line: int) -> dict[str, Any]:
    if "file" in metadata:
        return {"file": str(metadata["file"]), "line": line}
    cell: dict[str, Any] = {k: metadata[k] for k in ("table", "column", "row") if k in metadata}
    return cell or {"line": line}


def _masked_window(
    text: str, start: int, end: int, matches: list[_Match], starts: list[int]
) -> str:
    """``text[start:end]`` with every match in it replaced by its mask; a match cut by
    the window's edge is masked whole, so no part of a value shows unmasked."""
    end = min(end, len(text))
    pieces: list[str] = []
    position = start
    first = max(bisect_left(starts, start) - 1, 0)
    for match in _intersecting(matches, first, start, end):
        pieces.append(text[position : max(position, match.start)])
        pieces.append(match.masked)
        position = max(position, match.end)
    pieces.append(text[position:end] if position < end else "")
    return "".join(pieces)


def _intersecting(matches: list[_Match], first: int, start: int, end: int) -> Iterator[_Match]:
    for index in range(first, len(matches)):  # by index: a slice would copy the rest
        match = matches[index]
        if match.start >= end:
            return
        if match.end > start:
            yield match


def _column_findings(
    text: str,
    metadata: dict[str, Any],
    source: str,
    ruleset: Ruleset,
    evidence: EvidenceOptions,
) -> list[dict[str, Any]]:
    columns = metadata.get("columns")
    if not isinstance(columns, list):
        return []
    table = str(metadata.get("table", ""))
    findings: list[dict[str, Any]] = []
    for column in columns:
        if not isinstance(column, str):
            continue
        rule = ruleset.column_rule(column)
        if rule is None:
            continue
        finding: dict[str, Any] = {
            "type": rule.type,
            "category": rule.category,
            "risk": rule.risk,
            "value": column,  # a column name is not personal data: not masked
            "location": {"table": table, "column": column},
            "source": source,
            "occurrences": 1,
            "detected_by": "column_name",
        }
        if evidence.enabled:
            finding["evidence"] = [f"table {table!r}, column {column!r}: {text}"[:500]]
        findings.append(finding)
    return findings


# --- the review pass ---------------------------------------------------------------------

# RFC 2606 / RFC 6761 names reserved for documentation and testing.
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")

# Card numbers published by card networks and payment providers for testing.
TEST_CARD_NUMBERS = frozenset(
    {
        "4111111111111111", "4242424242424242", "4012888888881881", "4000056655665556",
        "4222222222222", "4005519200000004", "4012000033330026", "4000000000000002",
        "5555555555554444", "5105105105105100", "5200828282828210", "2223003122003222",
        "2221000000000009", "378282246310005", "371449635398431", "378734493671000",
        "6011111111111117", "6011000990139424", "3056930009020004", "30569309025904",
        "38520000023237", "3566002020360505", "3530111333300000", "6200000000000005",
    }
)  # fmt: skip

# Example IBANs from the IBAN registry and bank documentation.
TEST_IBANS = frozenset(
    {
        "GB82WEST12345698765432", "GB29NWBK60161331926819", "GB33BUKB20201555555555",
        "DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300",
        "ES9121000418450200051332", "IT60X0542811101000000123456", "BE68539007547034",
        "CH9300762011623852957", "AT611904300234573201",
    }
)  # fmt: skip

# SSNs that were never valid: the Woolworth wallet card, advertising and example numbers.
TEST_SSNS = frozenset({"078051120", "219099999", "123456789"})

_VERSION_BEFORE = re.compile(
    r"(?:(?<![a-z])v\.?|\b(?:version|ver\.?|release|rel\.?|build|rev(?:ision)?|firmware|"
    r"fw|update|upgrade|patch)\b[\s:=#-]*v?\.?)\s*$",
    re.IGNORECASE,
)
_VERSION_AFTER = re.compile(r"^(?:-(?:alpha|beta|rc|dev|snapshot)|[-+][0-9a-z]+\.)", re.IGNORECASE)

_Verdict = Literal["keep", "drop", "low"]


def review_candidates(payload: Any) -> list[dict[str, Any]]:
    """The reviewed findings: the candidates without the likely false positives, and
    without their `review` field.

    Drops e-mail addresses at reserved example/test domains; documented test card
    numbers, IBANs and SSNs; UK (Ofcom 020 7946 0xxx) and North American (555-01xx)
    numbers reserved for fiction; IP addresses that read as version numbers ("version
    1.2.3.4", "v10.0.0.1") or that cannot point at a person (loopback, unspecified,
    link-local, multicast, broadcast, documentation ranges). Private addresses (10/8,
    192.168/16, fc00::/7, ...) are kept with risk `low`: inside an organisation they can
    still single out a person's device.

    A pure function, run by a batch provider on the payload `personal_data` submitted; odd
    input never raises (a candidate that cannot be judged is kept)."""
    if not isinstance(payload, list):
        return []
    reviewed: list[dict[str, Any]] = []
    for candidate in payload:
        if not isinstance(candidate, dict):
            continue
        try:
            verdict = _verdict(candidate)
        except Exception:  # a check that fails must not lose the finding
            verdict = "keep"
        if verdict == "drop":
            continue
        finding = _without_review(candidate)
        if verdict == "low":
            finding["risk"] = "low"
        reviewed.append(finding)
    return reviewed


def _verdict(candidate: dict[str, Any]) -> _Verdict:
    review = candidate.get("review")
    if not isinstance(review, dict) or not isinstance(review.get("text"), str):
        return "keep"
    text: str = review["text"]
    contexts = [c for c in review.get("contexts") or [] if isinstance(c, dict)]
    kind = candidate.get("type")
    digits = "".join(char for char in text if char.isdigit())
    if kind == "email":
        domain = text.rpartition("@")[2].lower().rstrip(".")
        reserved = domain.endswith(tuple("." + name for name in _RESERVED_TLDS))
        example = any(domain == d or domain.endswith("." + d) for d in _EXAMPLE_DOMAINS)
        return "drop" if reserved or example or domain in _RESERVED_TLDS else "keep"
    if kind == "payment_card":
        return "drop" if digits in TEST_CARD_NUMBERS else "keep"
    if kind == "iban":
        compact = "".join(char for char in text if char.isalnum()).upper()
        return "drop" if compact in TEST_IBANS else "keep"
    if kind == "ssn":
        return "drop" if digits in TEST_SSNS else "keep"
    if kind == "phone":
        return "drop" if _fictional_phone(text, digits) else "keep"
    if kind in {"ipv4", "ipv6"}:
        return _ip_verdict(text, contexts)
    return "keep"


def _fictional_phone(text: str, digits: str) -> bool:
    national = digits
    if text.lstrip().startswith("+44"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    uk_drama = national.startswith("2079460") and len(national) == 10
    north_american = len(digits) >= 7 and digits[-7:-2] == "55501"
    return uk_drama or north_american


_DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)


def _ip_verdict(text: str, contexts: list[dict[str, Any]]) -> _Verdict:
    if contexts and all(_reads_as_version(context) for context in contexts):
        return "drop"
    address = ipaddress.ip_address(text)
    if (
        address.is_loopback
        or address.is_unspecified
        or address.is_link_local
        or address.is_multicast
        or str(address) == "255.255.255.255"
        or any(address in network for network in _DOCUMENTATION_NETWORKS)
    ):
        return "drop"
    return "low" if address.is_private else "keep"


def _reads_as_version(context: dict[str, Any]) -> bool:
    before, after = context.get("before"), context.get("after")
    before_text = before if isinstance(before, str) else ""
    after_text = after if isinstance(after, str) else ""
    return bool(_VERSION_BEFORE.search(before_text) or _VERSION_AFTER.match(after_text))
