"""Personal-data rulesets: the YAML files under `rulesets/`, loaded and compiled.

A ruleset lists text patterns (a regular expression, an optional check such as Luhn or
mod-97 that every match must pass, how a match is masked, optional words that must be
near) and column-name patterns for database schemas. A ruleset may extend another
(`strict` extends `default`); its own rules come after the ones it extends.

The checks and masks are named here and referred to by name from the YAML files, so the
data stays data.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

RULESET_FOLDER = Path(__file__).with_name("rulesets")

Risk = Literal["low", "medium", "high"]
CheckName = Literal["none", "luhn", "iban", "phone", "ipv6", "date"]
MaskName = Literal[
    "email", "card", "iban", "ipv4", "ipv6", "keep_first_2", "keep_last_2", "keep_last_4", "all"
]


# --- the file format -------------------------------------------------------------------


class NearWords(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(min_length=1)
    within: int = Field(default=40, gt=0)


class PatternRuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    category: str
    risk: Risk
    regex: str
    ignore_case: bool = False
    check: CheckName = "none"
    mask: MaskName
    near: NearWords | None = None


class ColumnRuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    category: str
    risk: Risk
    names: list[str] = Field(min_length=1)


class RulesetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    extends: str | None = None
    patterns: list[PatternRuleFile] = Field(default_factory=list)
    columns: list[ColumnRuleFile] = Field(default_factory=list)


# --- compiled rules ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextRule:
    type: str
    category: str
    risk: Risk
    pattern: re.Pattern[str]
    check: Callable[[str], bool]
    mask: Callable[[str], str]
    near: re.Pattern[str] | None
    within: int

    def value_span(self, match: re.Match[str]) -> tuple[int, int]:
        """The span of the personal data: the `value` group when the pattern has one
        (the rest is a label such as "phone:"), else the whole match."""
        if "value" in self.pattern.groupindex and match.group("value") is not None:
            return match.span("value")
        return match.span()

    def is_near_words(self, text: str, start: int, end: int) -> bool:
        if self.near is None:
            return True
        window = text[max(0, start - self.within) : end + self.within]
        return self.near.search(window) is not None


@dataclass(frozen=True, slots=True)
class ColumnRule:
    type: str
    category: str
    risk: Risk
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    description: str
    text_rules: tuple[TextRule, ...]
    column_rules: tuple[ColumnRule, ...]

    def column_rule(self, column: str) -> ColumnRule | None:
        """The first column rule whose pattern matches the whole normalised name."""
        normalised = normalise_column_name(column)
        for rule in self.column_rules:
            if rule.pattern.fullmatch(normalised):
                return rule
        return None


def ruleset_names() -> list[str]:
    return sorted(path.stem for path in RULESET_FOLDER.glob("*.yaml"))


@cache
def load_ruleset(name: str) -> Ruleset:
    """The ruleset `rulesets/<name>.yaml`, with the rules of the rulesets it extends.

    The files ship with the package: a broken one is a bug, and raises."""
    return _load(name, ())


def _load(name: str, chain: tuple[str, ...]) -> Ruleset:
    if name in chain:
        raise ValueError(f"ruleset {name!r} extends itself: {' -> '.join((*chain, name))}")
    path = RULESET_FOLDER / f"{name}.yaml"
    document = RulesetFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    text_rules = tuple(_compile_pattern(rule) for rule in document.patterns)
    column_rules = tuple(_compile_column(rule) for rule in document.columns)
    if document.extends is not None:
        base = _load(document.extends, (*chain, name))
        text_rules = base.text_rules + text_rules
        column_rules = base.column_rules + column_rules
    return Ruleset(name, document.description.strip(), text_rules, column_rules)


def _compile_pattern(rule: PatternRuleFile) -> TextRule:
    flags = re.IGNORECASE if rule.ignore_case else 0
    near = None
    if rule.near is not None:
        words = sorted(rule.near.words, key=len, reverse=True)  # longest first
        alternatives = "|".join(re.escape(word) for word in words)
        near = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return TextRule(
        type=rule.type,
        category=rule.category,
        risk=rule.risk,
        pattern=re.compile(rule.regex, flags),
        check=CHECKS[rule.check],
        mask=MASKS[rule.mask],
        near=near,
        within=rule.near.within if rule.near else 0,
    )


def _compile_column(rule: ColumnRuleFile) -> ColumnRule:
    alternatives = "|".join(f"(?:{name})" for name in rule.names)
    return ColumnRule(rule.type, rule.category, rule.risk, re.compile(alternatives))


def normalise_column_name(name: str) -> str:
    """`customerEmail`, `Customer-Email`, `CUSTOMER_EMAIL` → `customer_email`."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", snake.lower()).strip("_")


# --- checks: a match is reported only when its check passes -------------------------------


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def luhn_valid(number: str) -> bool:
    """The Luhn checksum of the digits in ``number`` (payment cards)."""
    digits = _digits(number)
    if not digits:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _check_card(text: str) -> bool:
    digits = _digits(text)
    return (
        13 <= len(digits) <= 19
        and digits[0] in "23456"  # the issuer ranges of the card networks in use
        and len(set(digits)) > 1
        and luhn_valid(digits)
    )


# Lengths from the SWIFT IBAN registry; other country codes only get the 15-34 bounds.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_valid(text: str) -> bool:
    """The ISO 13616 mod-97 check (and the country's length, when known)."""
    compact = "".join(char for char in text if char.isalnum()).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    if len(compact) != IBAN_LENGTHS.get(compact[:2], len(compact)):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


_DATE_LIKE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_IPV4_LIKE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _check_phone(text: str) -> bool:
    digits = _digits(text)
    compact = text.strip()
    return (
        7 <= len(digits) <= 15
        and len(set(digits)) > 1
        and not _DATE_LIKE.fullmatch(compact)
        and not _IPV4_LIKE.fullmatch(compact)
    )


def _check_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return text != "::"


_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}


def plausible_date(text: str) -> bool:
    """A real calendar date between 1900 and 2100 (two-digit years are accepted), read as
    `y-m-d`, `d/m/y`, `m/d/y` or with a month name."""
    lowered = text.lower()
    numbers = [int(number) for number in re.findall(r"\d+", lowered)]
    words = [w for w in re.findall(r"[a-z]+", lowered) if w not in {"st", "nd", "rd", "th", "of"}]
    readings: list[tuple[int, int, int]] = []  # (year, month, day)
    if words:
        month = _MONTHS.get(words[0][:3])
        if month is None or len(numbers) != 2:
            return False
        day, year = (numbers[0], numbers[1]) if numbers[0] <= 31 else (numbers[1], numbers[0])
        readings.append((year, month, day))
    elif len(numbers) == 3:
        first, second, third = numbers
        if first > 31:
            readings.append((first, second, third))
        else:
            readings += [(third, second, first), (third, first, second)]
    for year, month, day in readings:
        full_year = year + (1900 if year >= 30 else 2000) if year < 100 else year
        if not 1900 <= full_year <= 2100:
            continue
        try:
            datetime.date(full_year, month, day)
        except ValueError:
            continue
        return True
    return False


CHECKS: dict[str, Callable[[str], bool]] = {
    "none": lambda _text: True,
    "luhn": _check_card,
    "iban": iban_valid,
    "phone": _check_phone,
    "ipv6": _check_ipv6,
    "date": plausible_date,
}


# --- masks: what findings and evidence show instead of the value -------------------------


def _mask_alnum(text: str, keep_first: int, keep_last: int) -> str:
    """Letters and digits become `*` except the first/last few; separators stay."""
    positions = [index for index, char in enumerate(text) if char.isalnum()]
    kept = set(positions[:keep_first]) | set(positions[len(positions) - keep_last :])
    return "".join(
        char if index in kept or not char.isalnum() else "*" for index, char in enumerate(text)
    )


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[index : index + size] for index in range(0, len(text), size))


def mask_email(text: str) -> str:
    local, _, domain = text.rpartition("@")
    return f"{local[:1]}***@{domain}"


def mask_card(text: str) -> str:
    digits = _digits(text)
    hidden = _grouped("*" * max(len(digits) - 4, 0))
    return f"{hidden} {digits[-4:]}".strip()


def mask_iban(text: str) -> str:
    compact = "".join(char for char in text if char.isalnum()).upper()
    return _grouped(compact[:2] + "*" * max(len(compact) - 6, 0) + compact[-4:])


def mask_ipv4(text: str) -> str:
    return ".".join(text.split(".")[:2]) + ".*.*"


def mask_ipv6(text: str) -> str:
    return ":".join(text.split(":")[:2]) + ":*"


MASKS: dict[str, Callable[[str], str]] = {
    "email": mask_email,
    "card": mask_card,
    "iban": mask_iban,
    "ipv4": mask_ipv4,
    "ipv6": mask_ipv6,
    "keep_first_2": lambda text: _mask_alnum(text, 2, 0),
    "keep_last_2": lambda text: _mask_alnum(text, 0, 2),
    "keep_last_4": lambda text: _mask_alnum(text, 0, 4),
    "all": lambda text: _mask_alnum(text, 0, 0),
}
