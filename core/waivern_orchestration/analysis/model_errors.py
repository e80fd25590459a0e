"""Pydantic validation errors → positioned diagnostics.

Each error's location is followed through the YAML tree to the node it is about: the key
for an unknown field, the enclosing key for a missing one, the value otherwise. The
alternatives of a union (`inputs` is a string or a list) merge into one diagnostic.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from waivern_orchestration.analysis.env_vars import ENV_REFERENCE
from waivern_orchestration.analysis.suggestions import did_you_mean
from waivern_orchestration.diagnostics import MAX_PER_CODE, Diagnostic
from waivern_orchestration.models import SCHEMA_REF_PATTERN
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.yaml_tree import (
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
    to_python,
)

_OWN_KINDS = ("extra_forbidden", "missing")


def model_diagnostics(
    error: ValidationError,
    node: YamlNode,
    anchor: Range,
    file: Path,
    *,
    code: str,
    where: str,
    model: type[BaseModel],
    skip: Callable[[tuple[str | int, ...]], bool] | None = None,
    left_out: int = 0,
) -> list[Diagnostic]:
    """``node`` is the validated data's tree; ``anchor`` the range of the key holding it;
    errors whose location ``skip`` accepts are left out; ``left_out`` counts unknown keys
    the data validated did not hold (`validated_data`), each a problem of its own."""
    errors = [
        item
        for item in error.errors(include_url=False, include_input=False)
        if skip is None or not skip(tuple(item["loc"]))
    ]
    unlisted: list[Diagnostic] = []
    if len(errors) + left_out > MAX_PER_CODE:
        # Only the first ones are looked into and listed (as `capped` lists only the first
        # of a code); the others are counted in one diagnostic at the end of the value,
        # the hundredth of the code.
        listed = MAX_PER_CODE - 1
        end = Range(node.range.end, node.range.end)
        more = len(errors) + left_out - listed
        message = f"… and {more:,} more problems in {where}, not listed"
        unlisted.append(replace(Diagnostic.of(code, file, end, message), unlisted=more))
        errors = errors[:listed]
    located = [(item, *_locate(item, node, anchor, where, model)) for item in errors]
    # Of a union's failed alternatives keep those that got furthest into the value: for
    # `inputs: [a, 3]` the list alternative's complaint about `3`, not the string one's.
    deepest: dict[tuple[str | int, ...], int] = {}
    for _item, _range, _message, depth, union in located:
        if union is not None:
            deepest[union] = max(deepest.get(union, 0), depth)
    by_place: dict[tuple[Range, str], list[str]] = {}
    for item, range_, message, depth, union in located:
        if union is not None and depth < deepest[union]:
            continue
        kind = item["type"] if item["type"] in _OWN_KINDS else ""
        by_place.setdefault((range_, kind), []).append(message)
    return [
        *(
            Diagnostic.of(code, file, range_, " or ".join(dict.fromkeys(messages)))
            for (range_, _kind), messages in by_place.items()
        ),
        *unlisted,
    ]


def validated_data(
    node: YamlNode, model: type[BaseModel], *, unresolved_skipped: bool = False
) -> tuple[Any, int]:
    """The plain data to validate ``node`` against ``model`` (`to_python`), and how many of
    its keys were left out of it: past the first `MAX_PER_CODE` unknown keys of a model
    that forbids them, each would cost pydantic an error held in memory (200,000 unknown
    fields: hundreds of megabytes) to say what the count in `model_diagnostics` says.
    With ``unresolved_skipped``, the errors of values only known when the runbook runs
    are skipped (component properties): such keys are not counted either."""
    if (
        not isinstance(node, YamlMapping)
        or len(node.entries) <= MAX_PER_CODE
        or model.model_config.get("extra") != "forbid"
    ):
        return to_python(node), 0
    known = _accepted_keys(model)
    data: dict[str, Any] = {}
    unknown = 0
    left_out: set[str] = set()  # the unknown keys left out (each counted once)
    for entry in node.entries:
        key = entry.key_text
        if key in known or key in data:  # (a repeated key: the last one wins, as in YAML)
            data[key] = to_python(entry.value)
        elif unresolved_skipped and _written_later(entry.value):
            # Its error would be skipped: not counted, but kept where it stands (a later
            # value of the same key takes its place, as in YAML).
            data[key] = to_python(entry.value)
            left_out.discard(key)
        elif unknown < MAX_PER_CODE:
            unknown += 1
            data[key] = to_python(entry.value)
        else:
            left_out.add(key)
    return data, len(left_out)


def _accepted_keys(model: type[BaseModel]) -> frozenset[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        if isinstance(info.alias, str):
            names.add(info.alias)
        if isinstance(info.validation_alias, str):
            names.add(info.validation_alias)
    return frozenset(names)


def _written_later(value: YamlNode) -> bool:
    """A value only known when the runbook runs (`${VAR}` without a default): checks made
    before leave it alone (`env_vars.with_defaults`), and so its unknown key too."""
    if not isinstance(value, YamlScalar) or not isinstance(value.value, str):
        return False
    return any(match.group(2) is None for match in ENV_REFERENCE.finditer(value.value))


def _locate(
    item: Any, node: YamlNode, anchor: Range, where: str, model: type[BaseModel]
) -> tuple[Range, str, int, tuple[str | int, ...] | None]:
    """The range and message of one error, how deep into the value it got, and the
    location of the union it is an alternative of (None when it is not)."""
    current: YamlNode | None = node
    key_range = anchor
    path: list[str] = []
    union: tuple[str | int, ...] | None = None
    for index, part in enumerate(item["loc"]):
        if isinstance(current, YamlMapping) and isinstance(part, str):
            entry = current.get(part)
            if entry is None:
                if item["type"] == "missing":
                    path.append(part)
                    break
                if union is None:
                    union = tuple(item["loc"][:index])
                continue  # a union alternative's tag, not a key
            path.append(part)
            key_range = entry.key.range
            current = entry.value
        elif (
            isinstance(current, YamlSequence)
            and isinstance(part, int)
            and 0 <= part < len(current.items)
        ):
            path.append(str(part))
            current = current.items[part]
        elif isinstance(part, str) and union is None:
            union = tuple(item["loc"][:index])  # a union tag such as `str` or `list[str]`
    dotted = ".".join(path)
    kind = item["type"]
    name = path[-1] if path else "?"
    owner = f"`{'.'.join(path[:-1])}` in {where}" if len(path) > 1 else where
    if kind == "extra_forbidden":
        known = fields_at(model, path[:-1])
        allowed = f" (allowed: {', '.join(f'`{field}`' for field in known)})" if known else ""
        message = f"unknown field `{name}` in {owner}{did_you_mean(name, known)}{allowed}"
        return key_range, message, len(path), union
    if kind == "missing":
        message = f"missing required field `{name}` in {owner}: add `{name}:`"
        return key_range, message, len(path), union
    target = current.range if current is not None else key_range
    if kind in _NOT_TEXT and path and path[-1] in _WANTED:
        # `inputs: {x: 1}`: one message for both alternatives of the union
        message = f"`{dotted}` in {where} must be {_WANTED[path[-1]][1]}"
        return target, message, len(path), union
    if kind in _NOT_TEXT and len(path) > 1 and path[-2] in _WANTED and path[-1].isdigit():
        # `inputs: [a, ]`, `- x: 1`: the item as the user sees it (counted from 1)
        listed = ".".join(path[:-1])
        problem = _what_it_is(current)
        wanted = _WANTED[path[-2]][0]
        message = f"`{listed}` item {int(path[-1]) + 1} in {where} {problem}: write {wanted}"
        return target, message, len(path), union
    text = _explained(item)
    if kind == "value_error" and isinstance(current, YamlMapping):
        # A rule across fields names the field at fault: underline that one.
        for entry in current.entries:
            if f"`{entry.key_text}`" in text:
                target = entry.key.range
                break
    message = f"`{dotted}` in {where}: {text}" if dotted else f"{where}: {text}"
    return target, message, len(path), union


# A list of names (`inputs`, `template_paths`): what one item is, what the whole value is.
_WANTED = {
    "inputs": ("an artifact id", "an artifact id or a list of artifact ids"),
    "template_paths": ("a directory", "a list of directories"),
}
_NOT_TEXT = ("string_type", "list_type")


def _what_it_is(node: YamlNode | None) -> str:
    """What was written instead of a name, in the runbook's words."""
    if isinstance(node, YamlMapping):
        return "is a mapping (`key: value`), not a name"
    if isinstance(node, YamlSequence):
        return "is a list, not a name"
    if node is None or node.value is None:
        return "is empty"
    return f"is `{node.text}`, not a name"


def _explained(item: Any) -> str:
    """Pydantic's message in the runbook's words."""
    kind = item["type"]
    context = item.get("ctx") or {}
    if kind == "string_pattern_mismatch" and context.get("pattern") == SCHEMA_REF_PATTERN:
        return "a message schema is written `name/version`, e.g. `standard_input/1.0.0`"
    if kind == "string_pattern_mismatch":
        return "not allowed here: use letters, digits and `_`"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a mapping of fields (`key: value` lines)"
    if kind == "list_type":
        return "must be a list"
    if kind == "bool_type" or kind == "bool_parsing":
        return "must be `true` or `false`"
    text = str(item["msg"])
    return text.removeprefix("Value error, ")


def fields_at(model: type[BaseModel], path: list[str]) -> tuple[str, ...]:
    """The field names of the model found at ``path`` under ``model`` (keys of mappings
    such as `inputs` are skipped), or () when the path leads elsewhere."""
    annotation: Any = model
    index = 0
    while index < len(path):
        found = _model_in(annotation)
        if found is not None:
            field = found.model_fields.get(path[index])
            if field is None:
                return ()
            annotation = field.annotation
        elif _is_mapping(annotation) or _is_sequence(annotation):
            annotation = _item_type(annotation)
        else:
            return ()
        index += 1
    found = _model_in(annotation)
    return tuple(found.model_fields) if found is not None else ()


def _options(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _is_mapping(annotation: Any) -> bool:
    return any(typing.get_origin(option) is dict for option in _options(annotation))


def _is_sequence(annotation: Any) -> bool:
    return any(typing.get_origin(option) is list for option in _options(annotation))


def _item_type(annotation: Any) -> Any:
    for option in _options(annotation):
        origin = typing.get_origin(option)
        if origin is dict:
            return typing.get_args(option)[1]
        if origin is list:
            return typing.get_args(option)[0]
    return None
