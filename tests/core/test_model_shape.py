"""`model_shape`: an artifact told valid without pydantic is one pydantic accepts, and the
common valid shapes are told valid (else the fast path would buy nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from test_analysis_properties import MUTATIONS, VALID_RUNBOOK, Mutation, analyse_text

from waivern_orchestration.analysis import Analysis, artifact_check
from waivern_orchestration.analysis.artifact_check import _SURELY_VALID
from waivern_orchestration.analysis.model_shape import shape_checker
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.models import ANALYSED, ArtifactDefinition
from waivern_orchestration.parse.yaml_tree import YamlNode, parse_yaml, to_python

# Artifacts the mutations of `VALID_RUNBOOK` turn into every kind of near miss.
FAST_PATH_LINES = """
  bounded:
    inputs: [customer_db, customer_files]
    output_schema: personal_data_finding/1.0.0
    process:
      type: personal_data
      properties:
        ruleset: strict
        evidence: {enabled: true, context_chars: 500, max_per_finding: 100}
  reused:
    reuse: {from_run: r1, artifact: customer_db}
    output_schema: standard_input/1.0.0
  database:
    source:
      type: sqlite
      properties: {database_path: a.db, tables: [t], max_rows_per_table: 1}
    optional: false
"""


def _surely_valid(node: YamlNode) -> bool:
    """The checker `artifact_check` uses."""
    assert _SURELY_VALID is not None
    return _SURELY_VALID(node)


def _tree(text: str) -> YamlNode:
    root = parse_yaml(text).root
    assert root is not None
    return root


def _accepted(node: YamlNode) -> bool:
    try:
        ArtifactDefinition.model_validate(to_python(node), context=ANALYSED)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "source: {type: filesystem, properties: {path: ., include: ['*.txt']}}\noutput: true",
        "inputs: [a, b]\nmerge: concatenate\nprocess: {type: personal_data}\noutput: false",
        "inputs: a\nname: A\ndescription: >-\n  folded\ncontact: ~\noptional: true",
        "reuse: {from_run: r1, artifact: a}\noutput_schema: personal_data_finding/1.0.0",
        "inputs: a\nchild_runbook:\n  path: child.yaml\n  input_mapping: {documents: a}\n"
        "  output: findings",
        # rules across fields are the analysis's (WCT004): the model leaves them out
        "source: {type: filesystem}\ninputs: a",
        "name: only a name",
    ],
)
def test_the_common_valid_shapes_are_told_valid(text: str) -> None:
    tree = _tree(text)
    assert _accepted(tree)
    assert _surely_valid(tree)


@pytest.mark.parametrize(
    "text",
    [
        "source: {type: 3}",  # pydantic refuses a number for text
        "output: 'yes'",  # text pydantic reads as true: accepted, but not told
        "output_schema: 'schema/1.0.0\n'",
        "output_schema: schema/1.0",
        "merge: append",
        "inputs: [a, 3]",
        "source: {properties: {}}",
        "reuse: {from_run: r1}",
        "unknown: x",
        "child_runbook: {path: x, input_mapping: {a: 1}}",
        "process: personal_data",  # text where a mapping is wanted
        "- a list",
    ],
)
def test_anything_else_is_left_to_pydantic(text: str) -> None:
    assert not _surely_valid(_tree(text))


_FIELDS = [*ArtifactDefinition.model_fields, "unknown", "type", "properties", "path"]
_NESTED_KEYS = ["type", "properties", "from_run", "artifact", "path", "input_mapping", "output"]
_SCALARS = st.one_of(
    st.sampled_from(
        [
            "filesystem",
            "concatenate",
            "personal_data_finding/1.0.0",
            "x/1.0",
            "a\n",
            "",
            "true",
            "yes",
            "3",
            "null",
            "é/1.2.3",
        ]
    ),
    st.text(max_size=6),
    st.booleans(),
    st.integers(-2, 2),
    st.none(),
    st.floats(allow_nan=False),
)


def _values(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return _SCALARS
    inner = _values(depth - 1)
    return st.one_of(
        _SCALARS,
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(_NESTED_KEYS), inner, max_size=3),
    )


_ARTIFACTS = st.one_of(
    st.dictionaries(st.sampled_from(_FIELDS), _values(3), max_size=5),
    _values(2),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ARTIFACTS, st.sampled_from([None, "'", '"']))
def test_told_valid_means_accepted_by_pydantic(data: Any, quoting: str | None) -> None:
    tree = parse_yaml(yaml.safe_dump(data, default_style=quoting, allow_unicode=True)).root
    assume(tree is not None)  # (a text with characters the parser refuses)
    assert tree is not None
    if _surely_valid(tree):
        assert _accepted(tree)


class _Guarded(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str

    @field_validator("name")
    @classmethod
    def _short(cls, value: str) -> str:
        return value


class _Bounded(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(default=1, gt=0)
    name: str = Field(default="", max_length=3)
    kind: Literal["a"] = "a"


class _NeedsFloat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ratio: float = Field(gt=0)


def test_rules_it_does_not_know_are_left_to_pydantic() -> None:
    assert shape_checker(_Guarded) is None  # a validator of its own
    assert shape_checker(_NeedsFloat) is None  # a required field it cannot check
    bounded = shape_checker(_Bounded)
    assert bounded is not None
    assert bounded(_tree("kind: a\ncount: 3"))
    assert not bounded(_tree("count: 0"))  # out of bounds
    assert not bounded(_tree("count: true"))  # pydantic's to say
    assert not bounded(_tree("name: ab"))  # a length limit: pydantic's to say


# -- component properties --------------------------------------------------------------------

_PROPERTIES_MODELS = [
    component.Properties
    for components in (default_registry().connectors, default_registry().processors)
    for component in components.values()
]
_PROPERTY_KEYS = sorted(
    {name for model in _PROPERTIES_MODELS for name in model.model_fields}
    | {"enabled", "context_chars", "max_per_finding", "provider", "unknown"}
)


def _property_values(depth: int) -> st.SearchStrategy[Any]:
    scalars = st.one_of(_SCALARS, st.integers(), st.sampled_from([0, 1, 5, 65535, 65536, 2**70]))
    if depth == 0:
        return scalars
    inner = _property_values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(_PROPERTY_KEYS), inner, max_size=3),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_PROPERTIES_MODELS),
    st.dictionaries(st.sampled_from(_PROPERTY_KEYS), _property_values(2), max_size=5),
)
def test_properties_told_valid_are_accepted_by_pydantic(
    model: type[BaseModel], data: dict[str, Any]
) -> None:
    checker = shape_checker(model)
    tree = parse_yaml(yaml.safe_dump(data, allow_unicode=True)).root
    assume(tree is not None)
    assert tree is not None
    if checker is not None and checker(tree):
        model.model_validate(to_python(tree))  # raises if not


def test_the_properties_of_the_examples_are_told_valid() -> None:
    sqlite = shape_checker(default_registry().connectors["sqlite"].Properties)
    personal_data = shape_checker(default_registry().processors["personal_data"].Properties)
    assert sqlite is not None and personal_data is not None
    assert sqlite(_tree("database_path: a.db\ntables: [customers]\nmax_rows_per_table: 500"))
    assert personal_data(_tree("ruleset: strict\nevidence: {context_chars: 20}"))


# -- the analysis, with and without the fast paths --------------------------------------------


@contextmanager
def _without_fast_paths() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(artifact_check, "_SURELY_VALID", None)
        patch.setattr(artifact_check, "_surely_valid_properties", lambda model, node: False)
        yield


def _seen(analysis: Analysis) -> tuple[object, ...]:
    """What an analysis says: every diagnostic and what each artifact is."""
    return (
        analysis.diagnostics,
        [(info.outline(), info.valid, info.diagnostics) for info in analysis.artifact_list],
        analysis.references,
        analysis.dependencies,
        analysis.env_sites,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATIONS, min_size=1, max_size=4), st.sampled_from(["", FAST_PATH_LINES]))
def test_the_fast_paths_change_nothing_the_analysis_says(
    mutations: list[Mutation], more: str
) -> None:
    lines = (VALID_RUNBOOK + more).split("\n")
    for mutation in mutations:
        lines = mutation.apply(lines)
    text = "\n".join(lines)

    fast = analyse_text(text)
    with _without_fast_paths():
        slow = analyse_text(text)

    assert _seen(fast) == _seen(slow)
