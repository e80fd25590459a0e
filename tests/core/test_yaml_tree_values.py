"""The parser's shortcuts to a scalar's value (text whose first character no YAML pattern
starts with, a plain text seen before) give the value YAML's resolver gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from waivern_orchestration.parse.yaml_tree import (
    YamlScalar,
    parse_yaml,
    plain_value,
    walk,
)

# Plain scalars: the characters YAML's patterns start with and are made of, and others.
_PLAIN = st.text(alphabet="0123456789+-._:eEoOnNyYtTfFxXbB~<=aé/ ", min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PLAIN, min_size=1, max_size=12))
def test_every_plain_scalar_has_the_value_the_resolver_gives(texts: list[str]) -> None:
    # Each text twice: once resolved, once as seen before.
    document = "".join(f"- {text}\n- {text}\n" for text in texts)
    root = parse_yaml(document).root
    if root is None:
        return  # (not a list of plain scalars after all: `- - x`, `- ~:`)
    for node in walk(root):
        if isinstance(node, YamlScalar) and node.style is None and node.text:
            expected = plain_value(node.text)
            assert repr(node.value) == repr(expected), node.text
            assert node.source == (None if isinstance(expected, str) else node.text)
