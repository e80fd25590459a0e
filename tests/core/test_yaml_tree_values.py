"""The YAML tree's shortcuts give what the long ways give: a scalar's value (text no YAML
pattern matches, a plain text seen before) is the resolver's, a mapping's `by_key` says
what `get` says."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from waivern_orchestration.parse.yaml_tree import (
    YamlMapping,
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


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from("abcdefghijkl"), min_size=1, max_size=20))
def test_by_key_gives_the_entry_get_gives(keys: list[str]) -> None:
    # Small mappings and large ones (an index of their own), keys repeated or not.
    root = parse_yaml("".join(f"{key}: {number}\n" for number, key in enumerate(keys))).root
    assert isinstance(root, YamlMapping)
    by_key = root.by_key()
    assert set(by_key) == set(keys)
    for key in keys:
        assert by_key[key] is root.get(key)
