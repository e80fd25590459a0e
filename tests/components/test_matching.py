"""Native-speed matching (`components/matching.py`): the Hyperscan matcher finds exactly
what each pattern's `re.finditer` finds, on random text built from personal data,
separators, unicode and NULs, and on hostile text; without Hyperscan, `re` does the work."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from component_fakes import FakeContext, file_items, message
from hypothesis import given, settings
from hypothesis import strategies as st

from waivern_orchestration.components import matching
from waivern_orchestration.components.matching import HyperscanMatcher, ReMatcher, text_matcher
from waivern_orchestration.components.pd_rules import load_ruleset, ruleset_names
from waivern_orchestration.components.personal_data import (
    PersonalDataProcessor,
    PersonalDataProperties,
)
from waivern_orchestration.message_schemas import STANDARD_INPUT

pytest.importorskip("hyperscan")

PATTERNS = {
    name: [rule.pattern for rule in load_ruleset(name).text_rules] for name in ruleset_names()
}

# Pieces of real-looking personal data, near misses, labels and separators.
FRAGMENTS = [
    "jane.doe@mail.example.org", "a.b+c@x.io", "x@y", "@@", "..@", "user@-bad-.com",
    "+44 20 7946 0958", "+1 (202) 555-0173", "020 7946 0958", "(0)30 901820", "202-555-0173",
    "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "GB82WEST",
    "4539 1488 0343 6467", "4111-1111-1111-1111", "5555555555554444",
    "192.168.1.254", "10.0.0.1.", "256.1.1.1", "2001:db8::8a2e:370:7334", "::1", "fe80::",
    "12:30:45", "1:2:3:4:5:6:7:8:9", "::ffff:192.0.2.1",
    "123-45-6789", "000-12-3456", "AB 12 34 56 C", "AB123456C", "QQ123456C",
    "DOB: 12/03/1985", "date of birth 1985-03-12", "born on 12 March 1985", "birthday",
    "March 3rd, 1990", "phone: 030/901820", "Tel.: ", "call me on", "mobile no. ",
    "passport no: X1234567", "SSN 123 45 6789", "SW1A 1AA", "zip 90210-1234", "PLZ 10115",
    "10 Downing Street", "221B Baker St.", "Hauptstraße 5", "Königsallee 12a",
    " ", "  ", "\n", "\r\n", "\t", "\x0b", "\x1c", "\xa0", "\u2003", "\x00", "\x00\x00\x00",
    "-", ".", "/", ":", "+", "(", ")", "_", "#", "=", "?", "@",
    "é", "ü", "ß", "\u017f", "\u212a", "\u0130", "\u0131", "\u0663", "\uff11\uff12", "日本", "🙂",
    "0", "1", "9", "12", "1234567890", "a", "Z", "x1", "the", "version 2.4.1",
]  # fmt: skip

fragment = st.sampled_from(FRAGMENTS)
run = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["1", "a", "1 ", "a.", "1:", "\x00", " "]),
    st.integers(1, 300),
)
texts = st.lists(
    st.one_of(fragment, fragment, fragment, run, st.text(max_size=5)), max_size=40
).map("".join)


def spans(found: list[list[re.Match[str]]]) -> list[list[tuple[Any, ...]]]:
    """What a caller can see of the matches: spans and groups."""
    return [[(m.span(), m.groups(), m.groupdict()) for m in matches] for matches in found]


def assert_same_as_re(patterns: list[re.Pattern[str]], text: str) -> None:
    native = text_matcher(patterns)  # compiled once per list of patterns
    assert native.engine == "hyperscan"
    assert spans(native.find_all(text)) == spans(ReMatcher(patterns).find_all(text))


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_hyperscan_finds_what_finditer_finds(name: str, text: str) -> None:
    assert_same_as_re(PATTERNS[name], text)


@settings(max_examples=100, deadline=None)
@given(text=texts, padding=st.integers(0, 120))
def test_matches_near_one_another_and_window_edges_are_kept(text: str, padding: int) -> None:
    # False starts (times, version numbers) just before real values, at every distance.
    prefix = "12:30:45 0 2.4.1 +" + "7" * padding
    assert_same_as_re(PATTERNS["strict"], prefix + text + prefix + text)


HOSTILE = {
    "email local parts without a domain": "a" * 60 + "@" + "a." * 5_000,
    "dotted labels without a TLD": ("a" * 61 + ".") * 1_000 + "@",
    "digit groups for cards and phones": "1 " * 4_000,
    "phone separators": "+1 " + "1-" * 10_000,
    "ipv6 colons": "1:" * 4_000,
    "iban groups": "GB12 " + "ABCD " * 10_000,
    "labels without values": "phone tel mobile born dob " * 4_000,
    "call on with words": "call " + "me " * 10_000 + "on",
    "NUL-heavy": ("\x00" * 997 + "jane@mail.example.org 192.168.1.254 +44 20 7946 0958") * 300,
    "non-ASCII": ("é日🙂\u212a" * 1_000 + "AB 12 34 56 C ü 4539 1488 0343 6467 ") * 30,
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_text_is_matched_as_re_matches_it(case: str) -> None:
    # Completes (no catastrophic backtracking beyond what `re` itself does) and agrees.
    assert_same_as_re(PATTERNS["strict"], HOSTILE[case])


def test_a_long_single_line_with_planted_values() -> None:
    planted = " jane.doe@mail.example.org +44 20 7946 0958 GB82 WEST 1234 5698 7654 32 "
    line = ("x" * 50_000 + planted) * 100  # 5 MB, no newline
    native = text_matcher(PATTERNS["default"]).find_all(line)
    assert spans(native) == spans(ReMatcher(PATTERNS["default"]).find_all(line))
    assert sum(map(len, native)) >= 300  # each planted value, and raw matches inside them


def test_a_match_overlapping_another_patterns_match_is_kept() -> None:
    # Hyperscan, with all patterns in one database, dropped the phone number inside the
    # card number here: each pattern now has a database of its own.
    text = "x\nversion WARN WARN shipped WARN 200 4539 1488 0343 6467, status\norder retry"
    assert_same_as_re(PATTERNS["default"], text * 3)


def test_patterns_hyperscan_cannot_take_are_matched_by_re() -> None:
    backreference = re.compile(r"(\w)\1")
    empty = re.compile(r"a*")
    patterns = [backreference, empty, re.compile(r"\d+")]
    matcher = HyperscanMatcher(patterns)

    assert set(matcher.margins) | matcher.backwards == {2}
    assert_same_as_re(patterns, "aa bb 12 a 345")


def test_case_insensitive_patterns_match_non_ascii_case_variants() -> None:
    patterns = [re.compile(r"(?<!\w)kiss(?!\w)", re.IGNORECASE)]
    assert_same_as_re(patterns, "KISS \u212aiss \u212a\u0130\u017f\u017f k\u0131\u017fs")


def test_threads_share_a_matcher() -> None:
    matcher = text_matcher(PATTERNS["default"])
    text = "\n".join(FRAGMENTS) * 50
    expected = spans(ReMatcher(PATTERNS["default"]).find_all(text))
    results: list[Any] = []

    def work() -> None:
        results.append(spans(matcher.find_all(text)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_without_hyperscan_re_finds_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join(FRAGMENTS)

    def findings() -> Any:
        inputs = [message("input", STANDARD_INPUT, file_items({"notes.txt": text}))]
        properties = PersonalDataProperties(ruleset="strict")
        context = FakeContext(runbook_dir=Path("."))
        return PersonalDataProcessor().process(inputs, properties, context)

    monkeypatch.setattr(matching, "NATIVE_AFTER", 0)  # the native matcher from the start
    matching.scan_matcher.cache_clear()
    assert text_matcher(PATTERNS["strict"]).engine == "hyperscan"
    native = findings()
    assert matching.scan_matcher(tuple(PATTERNS["strict"])).engine == "hyperscan"
    monkeypatch.setattr(matching, "hyperscan", None)
    matching.scan_matcher.cache_clear()
    assert text_matcher(PATTERNS["strict"]).engine == "re"
    assert findings() == native
    matching.scan_matcher.cache_clear()
    assert native["findings"]


def test_a_scan_uses_re_until_enough_text_pays_for_compiling() -> None:
    patterns = PATTERNS["default"]
    text = "\n".join(FRAGMENTS)
    expected = spans(ReMatcher(patterns).find_all(text))
    matcher = matching.AdaptiveMatcher(patterns, after=len(text) + 1)

    assert spans(matcher.find_all(text)) == expected
    assert matcher.engine == "re"  # one text: not worth a second of compiling
    assert spans(matcher.find_all(text)) == expected
    assert matcher.engine == "hyperscan"  # past the threshold
    assert spans(matcher.find_all(text)) == expected
