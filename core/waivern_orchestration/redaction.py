"""Redaction: the values of secret environment variables never leave wct.

A runbook substitutes variables (`${VAR}`); the values of the secret ones among them
never appear in what wct shows or stores. Two halves:

- **Messages** (every diagnostic of `analyse` and the planner, component errors and
  warnings, the reason a run ended, batch job errors, hovers): a `Redactor` replaces the
  value of each secret variable *that the runbook or its child runbooks substitute* by
  `${NAME}`, the reference the runbook writes for it. A variable the runbook never
  references is never searched for: an unrelated `DB_PASSWORD=test` in a CI environment
  does not turn `/home/test/data` into `/home/${DB_PASSWORD}/data`. The variables that
  `WCT_SECRET_VARIABLES` lists are searched for whether referenced or not (a component
  may read one from the environment itself).
- **The plan a run stores** (`planner`, `store.plans`): a property string that substitutes
  a secret variable is stored as written (`postgres://app:${DB_PASSWORD}@db`) and
  substituted again from the environment on resume; nothing is searched and replaced.

A variable is secret when

- its name says so (`secret_name`): a word of it (split at `_`, `-` and `.`, in any case)
  is or ends with PASSWORD, PASSWD, PASSPHRASE, SECRET, CREDENTIAL, TOKEN, APIKEY or PWD
  (a plural `S` allowed), or it ends with the word KEY(S) or PASS after another word, unless
  its last word is PATH, FILE, DIR, URL, URI, NAME, HOST, PORT or ENDPOINT (a plural `S`
  allowed; it names where a secret is, not the secret), it contains ASKPASS (a program
  that asks for one), it is `PWD`/`OLDPWD` (the shell's directories), or KEY follows a word
  that makes it a data key (`SORT_KEY`, `PARTITION_KEY`, `CACHE_KEY`, `PRIMARY_KEY`, ...);
- `WCT_SECRET_VARIABLES` names it (names separated by commas or spaces), whatever its
  name; or
- its value is a URL with a password (`postgres://user:pw@host/db`).

In messages, values shorter than six characters and `true`/`false`/`yes`/`no`/`none`/
`null` are left alone: replacing such common text would mangle messages and hide
nothing. A longer value is replaced before a shorter one (one value may contain another),
and so are its URL-encoded forms (inside a DSN or a `file:` URI) and its escaped form in a
`repr` (`'...'` in an error).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, quote_plus

from waivern_orchestration.diagnostics import Diagnostic, RelatedInformation

SECRET_VARIABLES = "WCT_SECRET_VARIABLES"
MIN_SECRET_LENGTH = 6

_SECRET_WORD = re.compile(
    r".*(PASSWORD|PASSWD|PASSPHRASE|SECRET|CREDENTIAL|TOKEN|APIKEY|PWD)S?", re.IGNORECASE
)
# A last word that names where a secret is or how to reach it, not the secret.
_NOT_SECRET_LAST_WORDS = frozenset(
    {"PATH", "FILE", "DIR", "URL", "URI", "NAME", "HOST", "PORT", "ENDPOINT"}
    | {"PATHS", "FILES", "DIRS", "URLS", "URIS", "NAMES", "HOSTS", "PORTS", "ENDPOINTS"}
)
# Words before KEY that make it a key into data, not a key that opens something.
_DATA_KEY_WORDS = frozenset(
    {
        "SORT",
        "PARTITION",
        "CACHE",
        "PRIMARY",
        "FOREIGN",
        "SHARD",
        "ROUTING",
        "HASH",
        "RANGE",
        "CLUSTERING",
        "GROUP",
        "LOOKUP",
        "INDEX",
        "DEDUP",
        "IDEMPOTENCY",
        "OBJECT",
    }
)
_NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})
_HARMLESS_VALUES = frozenset({"true", "false", "yes", "no", "none", "null"})
_URL_WITH_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}")


@lru_cache(maxsize=4096)
def secret_name(name: str) -> bool:
    """Does the variable's name say it holds a secret? (The rule in the module docstring.)"""
    upper = name.upper()
    if upper in _NOT_SECRET_NAMES or "ASKPASS" in upper:
        return False
    words = [word for word in re.split(r"[_.\-]", upper) if word]
    if not words or words[-1] in _NOT_SECRET_LAST_WORDS:
        return False
    if any(_SECRET_WORD.fullmatch(word) for word in words):
        return True
    if len(words) < 2:
        return False
    if words[-1] in ("KEY", "KEYS"):
        return words[-2] not in _DATA_KEY_WORDS
    return words[-1] == "PASS"


def marked_secret(env: Mapping[str, str]) -> frozenset[str]:
    """The names `WCT_SECRET_VARIABLES` marks secret."""
    return frozenset(re.split(r"[\s,]+", env.get(SECRET_VARIABLES, "").strip())) - {""}


def is_secret(name: str, value: str | None, marked: Iterable[str] = ()) -> bool:
    return (
        name in marked
        or secret_name(name)
        or (value is not None and bool(_URL_WITH_PASSWORD.search(value)))
    )


def referenced(text: str) -> list[str]:
    """The variables a string substitutes (`${NAME}`, `${NAME:-default}`), in order."""
    return _REFERENCE.findall(text) if "${" in text else []


def secret_variables(env: Mapping[str, str], names: Iterable[str]) -> frozenset[str]:
    """Which of the variables ``names`` are secret in ``env`` (set or not)."""
    marked = marked_secret(env)
    return frozenset(name for name in names if is_secret(name, env.get(name), marked))


def _worth_hiding(value: str) -> bool:
    return len(value) >= MIN_SECRET_LENGTH and value.strip().lower() not in _HARMLESS_VALUES


@dataclass(frozen=True)
class Redactor:
    """Replaces the values of secret variables by `${NAME}` (see the module docstring)."""

    secrets: tuple[tuple[str, str], ...] = ()  # (name, value), each value worth hiding
    _pattern: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _names: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, env: Mapping[str, str], names: Iterable[str] | None) -> Redactor:
        """The redactor for the variables ``names`` that a runbook substitutes, with their
        values in ``env``, and those `WCT_SECRET_VARIABLES` lists (a component may read a
        variable itself: listing it is how a user says so). ``None`` stands for every
        variable of ``env``: only for a plan stored by a wct that did not record names."""
        chosen = sorted(env) if names is None else sorted({*names, *marked_secret(env)})
        values = tuple((name, env[name]) for name in chosen if name in env)
        return _redactor_of(values, env.get(SECRET_VARIABLES, ""))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _value in self.secrets)

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda match: self._names[match.group(0)], text)

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self(text)

    def diagnostic(self, diagnostic: Diagnostic) -> Diagnostic:
        """The diagnostic with its message and related messages redacted."""
        if self._pattern is None:
            return diagnostic
        return Diagnostic(
            diagnostic.file,
            diagnostic.range,
            diagnostic.code,
            self(diagnostic.message),
            diagnostic.severity,
            self.related(diagnostic.related),
        )

    def related(self, related: Iterable[RelatedInformation]) -> tuple[RelatedInformation, ...]:
        """Related information with its messages redacted (its locations are files the
        editor opens: they stay as they are)."""
        return tuple(
            RelatedInformation(info.file, info.range, self(info.message)) for info in related
        )


@lru_cache(maxsize=64)  # the analysis asks again for every child path of every edit
def _redactor_of(values: tuple[tuple[str, str], ...], marked_text: str) -> Redactor:
    marked = marked_secret({SECRET_VARIABLES: marked_text})
    secrets = tuple(
        (name, value)
        for name, value in values
        if _worth_hiding(value) and is_secret(name, value, marked)
    )
    return _redactor(secrets) if secrets else _NOTHING


def _forms(value: str) -> set[str]:
    """How a value may be written in a message: as is, URL-encoded, escaped by `repr`."""
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value), repr(value)[1:-1]}
    return {form for form in forms if _worth_hiding(form)}


@lru_cache(maxsize=64)
def _redactor(secrets: tuple[tuple[str, str], ...]) -> Redactor:
    names: dict[str, str] = {}
    # Longer values first: a value containing another is replaced whole.
    for name, value in sorted(secrets, key=lambda pair: -len(pair[1])):
        for form in _forms(value):
            names.setdefault(form, "${" + name + "}")
    pattern = re.compile("|".join(re.escape(text) for text in sorted(names, key=len, reverse=True)))
    return Redactor(secrets, pattern, names)


_NOTHING = Redactor()


class MissingSecrets(LookupError):
    """Variables a stored plan substitutes again on resume are not set now."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(sorted(set(names)))
        super().__init__(", ".join(self.names))
