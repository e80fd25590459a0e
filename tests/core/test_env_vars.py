"""Environment variables in string values: every `${VAR}` / `${VAR:-default}` site with
its exact range, WCT050 for a variable that is unset and has no default, and
substitution for the planner."""

from __future__ import annotations

from pathlib import Path

import pytest

from waivern_orchestration.analysis import analyse
from waivern_orchestration.analysis.env_vars import UnsetVariable, env_sites, substitute
from waivern_orchestration.analysis.facts import EnvSite
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.parse.positions import Range, split_lines
from waivern_orchestration.parse.yaml_tree import YamlScalar, parse_yaml, walk


def sites_in(text: str) -> list[EnvSite]:
    """Every site in the string values of a YAML text, in document order."""
    result = parse_yaml(text)
    assert result.problem is None and result.root is not None
    lines = split_lines(text)

    def line_text(number: int) -> str:
        return lines[number] if 0 <= number < len(lines) else ""

    return [
        site
        for node in walk(result.root)
        if isinstance(node, YamlScalar) and isinstance(node.value, str)
        for site in env_sites(node, line_text)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "path: ${DATA_DIR}/files\n",
            [EnvSite("DATA_DIR", None, Range.of(0, 6, 0, 17))],
            id="plain",
        ),
        pytest.param(
            "path: '${DATA_DIR:-data}'\n",
            [EnvSite("DATA_DIR", "data", Range.of(0, 7, 0, 24))],
            id="single quoted, with a default",
        ),
        pytest.param(
            'path: "${ROOT}/${SUB:-a b}"\n',
            [
                EnvSite("ROOT", None, Range.of(0, 7, 0, 14)),
                EnvSite("SUB", "a b", Range.of(0, 15, 0, 26)),
            ],
            id="two in one value",
        ),
        pytest.param(
            "path: >\n  ${ROOT}\n  and ${SUB:-x}\n",
            [
                EnvSite("ROOT", None, Range.of(1, 2, 1, 9)),
                EnvSite("SUB", "x", Range.of(2, 6, 2, 15)),
            ],
            id="folded over lines",
        ),
        pytest.param(
            "path: ${EMPTY:-}\n",
            [EnvSite("EMPTY", "", Range.of(0, 6, 0, 16))],
            id="empty default",
        ),
        pytest.param(
            "path: $HOME ${1ST} ${} {A}\n",
            [],
            id="not references",
        ),
    ],
)
def test_every_site_is_found_with_its_exact_range(text: str, expected: list[EnvSite]) -> None:
    assert sites_in(text) == expected


def test_a_site_written_with_escapes_falls_back_to_the_whole_value() -> None:
    """`\\x24` is `$`: the reference exists only after unescaping, so no span of the
    source holds it."""
    assert sites_in('path: "\\x24{DATA_DIR}"\n') == [
        EnvSite("DATA_DIR", None, Range.of(0, 6, 0, 22))
    ]


def test_a_site_is_shifted_with_its_artifact() -> None:
    site = EnvSite("DATA_DIR", None, Range.of(3, 6, 3, 17))

    assert site.shifted(2) == EnvSite("DATA_DIR", None, Range.of(5, 6, 5, 17))
    assert site.shifted(0) is site


# -- substitution ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        ("${DATA_DIR}/files", {"DATA_DIR": "/srv"}, "/srv/files"),
        ("${DATA_DIR:-data}", {}, "data"),
        ("${DATA_DIR:-data}", {"DATA_DIR": "/srv"}, "/srv"),
        ("${DATA_DIR:-data}", {"DATA_DIR": ""}, ""),  # set but empty is still set
        ("${EMPTY:-}", {}, ""),
        ("${A}-${B:-b}-${A}", {"A": "a"}, "a-b-a"),
        ("$HOME and {A}", {}, "$HOME and {A}"),
        ("${A}", {"A": "${B}"}, "${B}"),  # values are not substituted again
    ],
)
def test_substitute_replaces_every_reference(
    value: str, env: dict[str, str], expected: str
) -> None:
    assert substitute(value, env) == expected


def test_substitute_refuses_an_unset_variable_without_default() -> None:
    with pytest.raises(UnsetVariable) as raised:
        substitute("${DATA_DIR:-data}/${MISSING}", {})

    assert raised.value.args == ("MISSING",)


# -- what the analyser reports -----------------------------------------------------------------

RUNBOOK = """\
name: Scan
description: Scans a folder named by the environment.
contact: ${OWNER}
artifacts:
  documents:
    source:
      type: filesystem
      properties:
        path: ${DATA_DIR}
    output: true
  archive:
    source:
      type: filesystem
      properties:
        path: ${ARCHIVE_DIR:-archive}
    output: true
"""


def test_unset_variables_without_default_are_reported_where_they_stand() -> None:
    analysis = analyse(
        RUNBOOK, Path("runbook.yaml"), env={"OWNER": "dpo"}, registry=default_registry()
    )

    assert [(d.code, d.range) for d in analysis.diagnostics] == [("WCT050", Range.of(8, 14, 8, 25))]
    assert "`DATA_DIR` is not set" in analysis.diagnostics[0].message
    assert [site.name for site in analysis.env_sites] == ["OWNER", "DATA_DIR", "ARCHIVE_DIR"]


def test_set_variables_are_not_reported() -> None:
    env = {"OWNER": "dpo", "DATA_DIR": "/srv/data"}

    analysis = analyse(RUNBOOK, Path("runbook.yaml"), env=env, registry=default_registry())

    assert analysis.diagnostics == ()
