"""Redaction: the values of secret environment variables never leave wct.

One rule, used wherever a message can carry a value substituted for `${VAR}`: every
diagnostic (`analyse`, the planner), every component error and warning, the reason a run
ended and a batch job's error (before they are stored, emitted as `--events` or shown), and
the plan a run stores. Each secret value is replaced by `${NAME}`, the reference a runbook
writes for it, so that a message still says where the value came from.

A variable is secret when

- a word of its name (split at `_`, `-` and `.`) contains PASSWORD, PASSWD, PASSPHRASE,
  SECRET or CREDENTIAL, or ends with TOKEN, KEY, PASS or PWD (a plural `S` allowed):
  `DB_PASSWORD`, `PGPASSWORD`, `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `MYSQL_PWD`,
  `API_KEYS` are secret; `TOKENIZERS_PARALLELISM` and `KEYRING_BACKEND` are not, and
  neither are `PWD` and `OLDPWD` (the shell's working directories);
- `WCT_SECRET_VARIABLES` names it (names separated by commas or spaces), whatever its
  name; or
- its value is a URL with a password (`postgres://user:pw@host/db`).

Values shorter than four characters and `true`/`false`/`yes`/`no`/`none`/`null` are left
alone: replacing them would mangle messages and hide nothing. A longer value is replaced
before a shorter one (one value may contain another), and so are its URL-encoded forms
(inside a DSN or a `file:` URI) and its escaped form in a `repr` (`'...'` in an error).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

from waivern_orchestration.diagnostics import Diagnostic, RelatedInformation

SECRET_VARIABLES = "WCT_SECRET_VARIABLES"
MIN_SECRET_LENGTH = 4

_SECRET_WORD = re.compile(
    r".*(PASSWORD|PASSWD|PASSPHRASE|SECRET|CREDENTIAL).*|.*(TOKEN|KEY|PASS|PWD)S?",
    re.IGNORECASE,
)
_NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})
_HARMLESS_VALUES = frozenset({"true", "false", "yes", "no", "none", "null"})
_URL_WITH_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@lru_cache(maxsize=4096)
def secret_name(name: str) -> bool:
    """Does the variable's name say it holds a secret?"""
    if name.upper() in _NOT_SECRET_NAMES:
        return False
    return any(_SECRET_WORD.fullmatch(word) for word in re.split(r"[_.\-]", name) if word)


def marked_secret(env: Mapping[str, str]) -> frozenset[str]:
    """The names `WCT_SECRET_VARIABLES` marks secret."""
    return frozenset(re.split(r"[\s,]+", env.get(SECRET_VARIABLES, "").strip())) - {""}


def is_secret(name: str, value: str, marked: Iterable[str] = ()) -> bool:
    return name in marked or secret_name(name) or bool(_URL_WITH_PASSWORD.search(value))


def _worth_hiding(value: str) -> bool:
    return len(value) >= MIN_SECRET_LENGTH and value.strip().lower() not in _HARMLESS_VALUES


@dataclass(frozen=True)
class Redactor:
    """Replaces the values of secret variables by `${NAME}` (see the module docstring)."""

    secrets: tuple[tuple[str, str], ...] = ()  # (name, value), each value worth hiding
    _pattern: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _names: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _values: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, env: Mapping[str, str]) -> Redactor:
        """The redactor for an environment (`os.environ`, or the one a run is given)."""
        return _redactor_of(tuple(env.items()))

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
        related = tuple(
            RelatedInformation(info.file, info.range, self(info.message))
            for info in diagnostic.related
        )
        return Diagnostic(
            diagnostic.file,
            diagnostic.range,
            diagnostic.code,
            self(diagnostic.message),
            diagnostic.severity,
            related,
        )

    def data(self, value: Any) -> Any:
        """JSON-like data with every string (keys too) redacted: only the values as they
        are, so that `restored` gives back exactly the data (an encoded form in data is
        something else, written so on purpose)."""
        if self._values is None:
            return value
        if isinstance(value, str):
            return self._values.sub(lambda match: self._names[match.group(0)], value)
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        if isinstance(value, dict):
            return {self.data(key): self.data(item) for key, item in value.items()}
        return value


@lru_cache(maxsize=16)  # the analysis asks again for every runbook of every edit
def _redactor_of(env: tuple[tuple[str, str], ...]) -> Redactor:
    marked = marked_secret(dict(env))
    secrets = tuple(
        sorted(
            (name, value)
            for name, value in env
            if _worth_hiding(value) and is_secret(name, value, marked)
        )
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
    return Redactor(secrets, _longest_first(names), names, _longest_first(v for _, v in secrets))


def _longest_first(texts: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(text) for text in sorted(texts, key=len, reverse=True)))


_NOTHING = Redactor()


class MissingSecrets(LookupError):
    """Variables whose values were redacted from a stored plan are not set now."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__(", ".join(self.names))


def redacted_names(data: Any, redactor: Redactor) -> list[str]:
    """The secret names whose `${NAME}` the (redacted) data holds."""
    found: set[str] = set()
    wanted = set(redactor.names)

    def visit(value: Any) -> None:
        if isinstance(value, str):
            if "${" in value:
                found.update(name for name in _REFERENCE.findall(value) if name in wanted)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(key)
                visit(item)

    visit(data)
    return sorted(found)


def restored(data: Any, names: Iterable[str], env: Mapping[str, str]) -> Any:
    """Data redacted for the variables ``names`` with their values put back from ``env``;
    raises MissingSecrets when one of them is not set."""
    wanted = set(names)
    missing = wanted - set(env)
    if missing:
        raise MissingSecrets(missing)
    if not wanted:
        return data

    def put_back(match: re.Match[str]) -> str:
        name = match.group(1)
        return env[name] if name in wanted else match.group(0)

    def visit(value: Any) -> Any:
        if isinstance(value, str):
            return _REFERENCE.sub(put_back, value) if "${" in value else value
        if isinstance(value, list | tuple):
            return [visit(item) for item in value]
        if isinstance(value, dict):
            return {visit(key): visit(item) for key, item in value.items()}
        return value

    return visit(data)
