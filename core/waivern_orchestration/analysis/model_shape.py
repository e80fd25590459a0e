"""Which YAML trees a model surely accepts, told without pydantic.

Most artifacts of a large runbook are valid, and for them pydantic's answer costs more
than the rest of their checks: the tree made into plain data, the models built and
thrown away. `surely_valid` walks the tree once and says True only for shapes whose
acceptance is plain from the model's fields (text where text is wanted, `true`/`false`
for a flag, a mapping of known keys, ...); anything else, rare or not understood (a
number for a text, a constraint it does not know), is False, and the caller asks pydantic,
whose errors become the diagnostics. So the answer may be False for a valid tree, never
True for an invalid one.

The checkers are derived from the model's fields once per model. Model validators are
not run here: only those named in ``skipped`` (validators that do nothing under the
analysis's validation context) are allowed; a model with any other validator is never
surely valid.
"""

from __future__ import annotations

import operator
import re
import types
import typing
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import annotated_types
from pydantic import BaseModel

from waivern_orchestration.parse.yaml_tree import YamlMapping, YamlNode, YamlScalar, YamlSequence

Checker = Callable[[YamlNode], bool]

# Model settings that cannot make a value of an accepted shape invalid.
_HARMLESS_CONFIG = frozenset({"extra", "title", "json_schema_extra"})
# A pattern made of these means the same to pydantic's (Rust) regex and to `re` with
# `fullmatch`: literal characters, ASCII classes, groups and repeats; no escapes of
# letters (`\d`, `\w` differ between the two), no flags.
_PLAIN_PATTERN = re.compile(r"[\^$\[\]A-Za-z0-9_\-/.*+?()|]|\\\.")


def shape_checker(model: type[BaseModel], skipped: Collection[str] = ()) -> Checker | None:
    """A checker of trees for ``model`` (True: pydantic accepts the tree's plain data),
    or None when no tree can be told valid without pydantic."""
    return _model_checker(model, frozenset(skipped))


def _model_checker(model: type[BaseModel], skipped: frozenset[str]) -> Checker | None:
    if set(model.model_config) - _HARMLESS_CONFIG or model.model_config.get("extra") != "forbid":
        return None
    decorators = model.__pydantic_decorators__
    if (
        set(decorators.model_validators) - skipped
        or decorators.validators
        or decorators.root_validators
        or model.__pydantic_post_init__ is not None
    ):
        return None
    # Fields with a validator of their own are pydantic's to check.
    guarded = {name for item in decorators.field_validators.values() for name in item.info.fields}
    if "*" in guarded:
        return None
    fields: dict[str, Checker] = {}
    required: list[str] = []
    for name, info in model.model_fields.items():
        if info.alias is not None or info.validation_alias is not None:
            return None
        checker = (
            _field_checker(info.annotation, info.metadata, skipped) if name not in guarded else None
        )
        if checker is None:
            if info.is_required():
                return None  # no tree without it is valid, none with it is told
            continue  # a tree holding this field is left to pydantic
        fields[name] = checker
        if info.is_required():
            required.append(name)
    needed = tuple(required)

    def check(node: YamlNode) -> bool:
        if node.__class__ is not YamlMapping:
            return False
        entries = node.entries
        for entry in entries:
            value_check = fields.get(entry.key_text)
            if value_check is None or not value_check(entry.value):
                return False
        if needed:
            present = {entry.key_text for entry in entries}
            return all(name in present for name in needed)
        return True

    return check


def _field_checker(annotation: Any, metadata: list[Any], skipped: frozenset[str]) -> Checker | None:
    """The field's checker; None for a constraint other than a pattern of text or a
    bound of a whole number (a length, a bound of a float): pydantic's to check."""
    constraints = _Constraints()
    for item in metadata:
        found = getattr(item, "pattern", None)
        if type(item).__name__ == "_PydanticGeneralMetadata" and vars(item) == {"pattern": found}:
            constraints.pattern = found
        elif type(item) in _BOUNDS:
            compare, attribute = _BOUNDS[type(item)]
            constraints.bounds.append((compare, getattr(item, attribute)))
        else:
            return None
    return _checker(annotation, skipped, constraints)


@dataclass
class _Constraints:
    pattern: str | None = None  # of text
    bounds: list[tuple[Callable[[Any, Any], bool], Any]] = field(default_factory=list)

    @property
    def none(self) -> bool:
        return self.pattern is None and not self.bounds


_BOUNDS: dict[type, tuple[Callable[[Any, Any], bool], str]] = {
    annotated_types.Gt: (operator.gt, "gt"),
    annotated_types.Ge: (operator.ge, "ge"),
    annotated_types.Lt: (operator.lt, "lt"),
    annotated_types.Le: (operator.le, "le"),
}
# Whole numbers well inside what pydantic takes for an `int` without asking more.
_INT_LIMIT = 2**62


def _checker(annotation: Any, skipped: frozenset[str], constraints: _Constraints) -> Checker | None:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [
            _checker(option, skipped, constraints)
            for option in typing.get_args(annotation)
            if option is not type(None)
        ]
        if any(option is None for option in options):
            return None
        checkers = tuple(option for option in options if option is not None)
        nullable = type(None) in typing.get_args(annotation)

        if nullable and len(checkers) == 1:  # `X | None`, the usual union: said directly
            (only,) = checkers

            def optional(node: YamlNode) -> bool:
                if node.__class__ is YamlScalar and node.value is None:
                    return True
                return only(node)

            return optional

        def one_of(node: YamlNode) -> bool:
            if nullable and node.__class__ is YamlScalar and node.value is None:
                return True
            for checker in checkers:  # noqa: SIM110 (no generator made per value)
                if checker(node):
                    return True
            return False

        return one_of
    if annotation is int and constraints.pattern is None:
        return _whole_number(constraints.bounds)
    if annotation is str and not constraints.bounds:
        return _text if constraints.pattern is None else _text_matching(constraints.pattern)
    if not constraints.none:
        return None
    if annotation is Any:
        return _anything
    if annotation is bool:
        return _flag
    if origin is typing.Literal:
        literals = typing.get_args(annotation)
        if not all(literal.__class__ is str for literal in literals):
            return None
        return lambda node: node.__class__ is YamlScalar and node.value in literals
    if origin is list:
        (item,) = typing.get_args(annotation)
        items = _checker(item, skipped, _Constraints())
        if items is None:
            return None
        return lambda node: node.__class__ is YamlSequence and all(map(items, node.items))
    if origin is dict:
        key, value = typing.get_args(annotation)
        value_check = _checker(value, skipped, _Constraints())
        if key is not str or value_check is None:
            return None  # (keys of a tree's plain data are always text)
        if value_check is _anything:  # `dict[str, Any]`: any mapping
            return lambda node: node.__class__ is YamlMapping
        return lambda node: (
            node.__class__ is YamlMapping
            and all(value_check(entry.value) for entry in node.entries)
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_checker(annotation, skipped)
    return None


def _anything(node: YamlNode) -> bool:
    return True


def _text(node: YamlNode) -> bool:
    return node.__class__ is YamlScalar and node.value.__class__ is str


def _flag(node: YamlNode) -> bool:
    if node.__class__ is not YamlScalar:
        return False
    value = node.value
    return value is True or value is False


def _text_matching(pattern: str) -> Checker | None:
    if _PLAIN_PATTERN.sub("", pattern):
        return None  # something `re` may read otherwise than pydantic
    fullmatch = re.compile(pattern).fullmatch

    def check(node: YamlNode) -> bool:
        if node.__class__ is not YamlScalar:
            return False
        value = node.value
        return value.__class__ is str and fullmatch(value) is not None

    return check


def _whole_number(bounds: list[tuple[Callable[[Any, Any], bool], Any]]) -> Checker:
    def check(node: YamlNode) -> bool:
        if node.__class__ is not YamlScalar:
            return False
        value = node.value
        if value.__class__ is not int or not -_INT_LIMIT < value < _INT_LIMIT:
            return False  # (a bool is no `int` here, though pydantic may take it)
        return all(compare(value, limit) for compare, limit in bounds)

    return check
